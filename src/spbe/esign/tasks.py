"""Background work of the e-signature module."""

from django_tasks import task

from spbe.core import context


@task()
def renew_archive_timestamps_task() -> int:
    """Periodic (settings.SCHEDULE): fresh archive timestamps before the TSA certificate expires."""
    from . import services

    with context.acting_as(kind="system"):
        return len(services.renew_archive_timestamps())
