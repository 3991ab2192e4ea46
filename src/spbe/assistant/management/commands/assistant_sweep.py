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
            breached = services.sla_sweep()
            pending = services.undelivered()
            delivered = sum(1 for message_id in pending if services.deliver(message_id))
        self.stdout.write(f"hand-offs past first-response time: {breached}; replies delivered: {delivered}/{len(pending)}")
