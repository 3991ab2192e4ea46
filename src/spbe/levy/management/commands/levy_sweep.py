"""Expire unpaid orders, issue vouchers a crash left unissued, retry due webhooks (run every few minutes)."""

from django.core.management.base import BaseCommand

from spbe.core import context


class Command(BaseCommand):
    requires_system_checks = []  # checks import every URL and API module: seconds per run; `spbe check` runs them
    help = "Expire unpaid levy orders and repair paid orders without vouchers."

    def add_arguments(self, parser):
        parser.add_argument("--older-than", type=int, default=60, help="only repair orders paid at least this many seconds ago")

    def handle(self, *args, older_than, **options):
        from spbe.levy.services import sweep

        with context.acting_as(kind="system"):
            done = sweep(older_than)
        self.stdout.write(f"expired {done['expired']} orders, issued vouchers for {done['repaired']} orders, "
                          f"delivered {done['webhooks']} webhooks")
