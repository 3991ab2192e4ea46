"""Background work of the security module."""

from datetime import timedelta

from django_tasks import task

from spbe.core import context


@task()
def wazuh_backfill_task(hours: int = 2) -> dict:
    """Periodic (settings.SCHEDULE, when WAZUH_INDEXER_URL is set): pull alerts the webhook missed."""
    from django.conf import settings
    from django.utils import timezone

    from . import services

    with context.acting_as(kind="system"):
        return services.backfill(settings.WAZUH_INDEXER_URL, username=settings.WAZUH_INDEXER_USER,
                                 password=settings.WAZUH_INDEXER_PASSWORD,
                                 since=timezone.now() - timedelta(hours=hours))
