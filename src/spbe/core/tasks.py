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
