"""Redis (RQ) queue and worker classes that survive a lost worker host.

A job whose worker dies with it (host lost, process killed, out of memory) stays "started"
until its heartbeat lapses; RQ then calls it abandoned and, if the job has retries left, puts
it back on its queue. So every job is created with ``settings.TASK_CRASH_RETRIES`` retries,
and a job that *raised* is not retried (its own service decides what a failure means, and
the sweeps repair what is left): retries are for crashes only. Every task body is
idempotent, so a job that ran to its commit before its worker died does no harm when run again.

The surviving workers find abandoned jobs in their maintenance round, every
``settings.RQ_MAINTENANCE_INTERVAL`` seconds (RQ's default is ten minutes).
Both classes are named in ``settings.RQ``, so ``spbe worker`` and django-rq's own
``rqworker`` use them.
"""

from __future__ import annotations

from django.conf import settings
from django_rq.queues import DjangoRQ
from rq import Retry, Worker


class CrashSafeQueue(DjangoRQ):
    def create_job(self, *args, retry: Retry | None = None, **kwargs):
        if retry is None and settings.TASK_CRASH_RETRIES:
            retry = Retry(max=settings.TASK_CRASH_RETRIES)
        return super().create_job(*args, retry=retry, **kwargs)


class CrashSafeWorker(Worker):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("maintenance_interval", settings.RQ_MAINTENANCE_INTERVAL)
        kwargs.setdefault("job_monitoring_interval", settings.RQ_JOB_MONITORING_INTERVAL)
        super().__init__(*args, **kwargs)

    @property
    def dequeue_timeout(self) -> int:
        # An idle worker blocks this long waiting for work, and its maintenance round runs only
        # between waits (RQ: worker TTL - 15 s, about seven minutes).
        return max(1, min(super().dequeue_timeout, self.maintenance_interval))

    def handle_exception(self, job, *exc_info):
        # Called only for a job that raised (not for a dead work horse or an abandoned job),
        # just before RQ decides on a retry: take the retries away.
        job.retries_left = 0
        return super().handle_exception(job, *exc_info)
