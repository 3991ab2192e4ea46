"""Background work of the evaluation module."""

from django_tasks import task

from spbe.core import context


@task()
def send_stage_reminders() -> int:
    """Daily (settings.SCHEDULE): remind the OPDs that still owe self-assessment answers when the
    stage deadline is within a week or past."""
    from . import services

    with context.acting_as(kind="system"):
        return services.send_reminders()
