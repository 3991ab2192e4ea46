"""``spbe worker``: run the task worker for whichever backend is configured."""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    requires_system_checks = []  # checks import every URL and API module: seconds per run; `spbe check` runs them
    help = "Run the background task worker (database or Redis backend, per SPBE_TASKS_BACKEND)."

    def add_arguments(self, parser):
        parser.add_argument("--burst", action="store_true", help="Process what is queued, then exit.")
        parser.add_argument("--queue", action="append", dest="queues", help="Queue to consume (repeatable).")

    def handle(self, *args, burst=False, queues=None, **options):
        queues = queues or list(settings.TASK_QUEUES)
        backend = settings.TASKS_BACKEND
        if backend == "database":
            kwargs = {"queue_name": ",".join(queues), "no_startup_delay": True, "interval": 0.5}
            if burst:
                kwargs["batch"] = True
            call_command("db_worker", **kwargs)
        elif backend == "redis":
            call_command("rqworker", *queues, job_class="django_tasks_rq.Job", burst=burst)
        else:
            self.stdout.write("SPBE_TASKS_BACKEND=immediate runs tasks inline; no worker is needed.")
