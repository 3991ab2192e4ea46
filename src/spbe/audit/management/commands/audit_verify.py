import json

from django.core.management.base import BaseCommand

from spbe.audit.services import verify_chain


class Command(BaseCommand):
    requires_system_checks = []  # checks import every URL and API module: seconds per run; `spbe check` runs them
    help = "Verify the audit hash chain; exit 1 and name the first tampered record if it is broken."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, **options):
        report = verify_chain()
        if options["format"] == "json":
            self.stdout.write(json.dumps(report.as_dict()))
        elif report.ok:
            self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {report.checked} records verified."))
        else:
            self.stdout.write(
                self.style.ERROR(
                    f"Audit chain BROKEN at record #{report.first_bad_sequence}: {report.reason} "
                    f"({report.checked} records verified before it)."
                )
            )
        if not report.ok:
            raise SystemExit(1)
