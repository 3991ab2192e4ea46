"""``spbe webscan_schedule``: queue a scan of every active registered website (the scheduler runs it daily: settings.SCHEDULE "judol-scans")."""

from django.core.management.base import BaseCommand

from spbe.core import context
from spbe.webscan.services import schedule_all


class Command(BaseCommand):
    requires_system_checks = []  # checks import every URL and API module: seconds per run; `spbe check` runs them
    help = "Queue a scheduled judol scan for every active website in the inventory."

    def handle(self, *args, **options):
        with context.acting_as(kind="system"):
            runs = schedule_all()
        self.stdout.write(f"Queued {len(runs)} scans on the 'crawler' queue.")
