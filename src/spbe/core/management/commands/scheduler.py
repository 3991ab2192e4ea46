"""``spbe scheduler``: enqueue the periodic jobs of ``settings.SCHEDULE`` when they are due.

Run one per host or several; each slot is enqueued once (see ``spbe.core.scheduler``)."""

import signal
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils import timezone


class Command(BaseCommand):
    requires_system_checks = []  # checks import every URL and API module: seconds per run; `spbe check` runs them
    help = "Run the periodic scheduler (sweeps, scans, audit-chain verification, archive timestamps, reminders)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run one tick, print what was enqueued, exit.")
        parser.add_argument("--list", action="store_true", help="Show every job, its rhythm and last outcome, exit.")
        parser.add_argument("--tick", type=float, default=10.0, help="Seconds between ticks (default 10).")

    def handle(self, *args, once=False, list=False, tick=10.0, **options):
        from spbe.core import scheduler

        specs = scheduler.jobs()  # a malformed SCHEDULE fails here, before the loop
        if list:
            for row in scheduler.status():
                when = timezone.localtime(row["next_run_at"]).strftime("%Y-%m-%d %H:%M:%S") if row["next_run_at"] else "-"
                state = "" if row["enabled"] else " (disabled)"
                self.stdout.write(
                    f"{row['name']:<28} {row['rhythm']:<30} next {when}  last {row['last_outcome'] or '-'}"
                    f"  runs {row['runs']} failed {row['failures']} skipped {row['skipped']}{state}"
                )
            return
        if once:
            enqueued = scheduler.run_due()
            self.stdout.write(f"enqueued: {', '.join(enqueued) or 'nothing due'}")
            return
        stopping = []
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stopping.append(True))
        self.stdout.write(f"scheduler: {sum(s.enabled for s in specs)} jobs, tick {tick:g} s", ending="\n")
        self.stdout.flush()
        while not stopping:
            close_old_connections()  # a restarted database must not stop the scheduler for good
            try:
                enqueued = scheduler.run_due()
            except Exception as exc:  # noqa: BLE001 - log and keep ticking; the next tick retries
                self.stderr.write(f"scheduler tick failed: {exc.__class__.__name__}: {exc}")
            else:
                if enqueued:
                    self.stdout.write(f"{timezone.localtime():%H:%M:%S} enqueued {', '.join(enqueued)}")
                    self.stdout.flush()
            deadline = time.monotonic() + tick
            while not stopping and time.monotonic() < deadline:
                time.sleep(min(0.5, tick))
