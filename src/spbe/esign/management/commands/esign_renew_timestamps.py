"""`spbe esign_renew_timestamps` — renew the archive timestamps of B-LTA documents whose newest
timestamp's TSA certificate expires within ESIGN_ARCHIVE_RENEW_DAYS (run daily by the scheduler)."""

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    requires_system_checks = []  # checks import every URL and API module: seconds per run; `spbe check` runs them
    help = "Add a fresh document timestamp to B-LTA documents before their timestamp certificate expires."

    def add_arguments(self, parser):
        parser.add_argument("--within-days", type=int, default=None)

    def handle(self, *args, within_days, **options):
        from spbe.esign import services

        renewed = services.renew_archive_timestamps(within_days=within_days)
        self.stdout.write(f"renewed {len(renewed)} archive timestamp(s)")
