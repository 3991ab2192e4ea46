"""``spbe tasks_smoke``: prove a worker consumes from the configured backend.

Enqueues a ping, starts ``spbe worker --burst`` as a separate process and waits for the
result. Exit 0 when the round trip worked, 1 otherwise. Used by CI and after deployments.
"""

import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from spbe.core.tasks import ping


class Command(BaseCommand):
    requires_system_checks = []  # checks import every URL and API module: seconds per run; `spbe check` runs them
    help = "Enqueue a ping task, run a burst worker and check the result came back."

    def add_arguments(self, parser):
        parser.add_argument("--timeout", type=float, default=30.0)

    def handle(self, *args, timeout, **options):
        if settings.TASKS_BACKEND == "immediate":
            raise CommandError("SPBE_TASKS_BACKEND=immediate has no worker to test.")
        result = ping.enqueue("smoke")
        worker = subprocess.run(
            [sys.executable, "-m", "spbe.manage", "worker", "--burst"], capture_output=True, text=True, timeout=timeout
        )
        if worker.returncode != 0:
            raise CommandError(f"worker failed: {worker.stderr[-2000:]}")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result.refresh()
            if result.status.name == "SUCCESSFUL":
                self.stdout.write(
                    self.style.SUCCESS(
                        f"{settings.TASKS_BACKEND} backend: task {result.id} ran in worker pid "
                        f"{result.return_value['worker_pid']}"
                    )
                )
                return
            if result.status.name == "FAILED":
                raise CommandError(f"task failed: {result.errors}")
            time.sleep(0.2)
        raise CommandError(f"no result within {timeout}s (status {result.status.name})")
