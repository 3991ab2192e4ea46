"""Background tasks of the core module (Django's tasks API).

Task bodies take ids and plain values only, so any backend (database, Redis) can carry
them, and they re-read state inside the worker.
"""

from __future__ import annotations

from django.core.mail import send_mail
from django_tasks import task

from . import context


@task(queue_name="mail")
def send_notification_email(recipients: list[str], subject: str, body: str) -> int:
    """Send one plain-text email; returns how many messages the backend accepted."""
    with context.acting_as(kind="system"):
        return send_mail(subject, body, None, recipients, fail_silently=False)


@task()
def ping(value: str) -> dict:
    """Round-trip check used by health checks and CI to prove a worker is consuming."""
    import os

    return {"echo": value, "worker_pid": os.getpid()}


@task()
def remind_expiring_api_tokens() -> int:
    """Periodic (settings.SCHEDULE): tell owners a week before their API token expires."""
    from . import services

    with context.acting_as(kind="system"):
        return services.remind_expiring_api_tokens()


TASK_RESULTS_KEEP_DAYS = 14


@task()
def prune_finished_task_results(keep_days: int = TASK_RESULTS_KEEP_DAYS) -> int:
    """Periodic: delete finished task results of the database backend older than ``keep_days``
    (failed ones too: their errors are in the log and in the scheduler's job state)."""
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    if settings.TASKS_BACKEND != "database":
        return 0  # RQ expires its own results
    from django_tasks_db.models import DBTaskResult

    cutoff = timezone.now() - timedelta(days=keep_days)
    deleted, _ = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()
    return deleted
