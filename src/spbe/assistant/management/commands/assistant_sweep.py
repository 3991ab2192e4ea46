"""Run by hand (the scheduler runs assistant_sweep_task every minute): flag and reassign hand-offs past their first-response
time, and deliver officers' replies that a webhook channel has not accepted yet."""

from django.core.management.base import BaseCommand

from spbe.assistant import services
from spbe.core import context


class Command(BaseCommand):
    requires_system_checks = []  # checks import every URL and API module: seconds per run; `spbe check` runs them
    help = "Assistant housekeeping: SLA breaches and undelivered webhook replies."

    def handle(self, *args, **options):
        with context.acting_as(kind="system"):
            done = services.housekeeping()
        self.stdout.write(f"hand-offs past first-response time: {done['breached']}; "
                          f"replies delivered: {done['delivered']}/{done['pending']}")
