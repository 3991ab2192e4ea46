"""Pull alerts the webhook missed from the Wazuh indexer (the scheduler runs it hourly when WAZUH_INDEXER_URL is set)."""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone


class Command(BaseCommand):
    requires_system_checks = []  # checks import every URL and API module: seconds per run; `spbe check` runs them
    help = "Backfill Wazuh alerts from the indexer (OpenSearch) into the SOC view; duplicates are skipped."

    def add_arguments(self, parser):
        parser.add_argument("--url", default=settings.WAZUH_INDEXER_URL or "https://127.0.0.1:9200")
        parser.add_argument("--user", default=settings.WAZUH_INDEXER_USER)
        parser.add_argument("--hours", type=int, default=24)
        parser.add_argument("--index", default="wazuh-alerts-4.x-*", help="wazuh-findings-v5-* for Wazuh 5")

    def handle(self, *args, url, user, hours, index, **options):
        import httpx

        from spbe.security import services

        password = settings.WAZUH_INDEXER_PASSWORD
        try:
            result = services.backfill(url, username=user, password=password, since=timezone.now() - timedelta(hours=hours), index=index)
        except httpx.HTTPError as exc:
            raise CommandError(f"indexer not reachable or refused: {exc.__class__.__name__}") from exc
        self.stdout.write(f"stored {result['stored']}, duplicates {result['duplicates']}, rejected {result['rejected']}, pages {result['pages']}")
