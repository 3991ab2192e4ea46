"""``spbe compute_index`` inside Django (call_command, ``spbe help``); see spbe.evaluation.index_cli,
which ``spbe`` runs directly without setting Django up."""

from django.core.management.base import BaseCommand, CommandError

from spbe.evaluation import index_cli
from spbe.evaluation.index import InputError
from spbe.evaluation.methodology import MethodologyError


class Command(BaseCommand):
    requires_system_checks = []  # pure arithmetic: the URL checks would import every API module
    help = index_cli.HELP

    def add_arguments(self, parser):
        index_cli.add_arguments(parser)

    def handle(self, *args, **options):
        if options.get("list"):
            index_cli.write_list(options["format"], self.stdout)
            return
        try:
            data = index_cli.compute(options)
        except (InputError, MethodologyError) as exc:
            raise CommandError(f"invalid input: {exc}", returncode=2) from exc
        index_cli.write(data, options["format"], self.stdout)
