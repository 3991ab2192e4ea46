"""Levy figures for /metrics: notifications counted where they arrive, backlogs read at scrape."""

import re

from prometheus_client import Counter

from spbe.core.metrics import gauge

PAYMENT_NOTIFICATIONS = Counter(
    "spbe_levy_payment_notifications_total", "Payment-provider notifications processed, by provider and outcome.",
    ["provider", "outcome"],
)


def count_notification(provider: str, outcome: str) -> None:
    # "no change (pending)" -> "no change": the provider's status stays out of the label set.
    PAYMENT_NOTIFICATIONS.labels(provider, re.sub(r"\s*\(.*\)$", "", outcome)[:40]).inc()


def collect():
    from django.db.models import Count

    from .models import Order, WebhookDelivery

    yield gauge("spbe_levy_orders", "Levy orders by status.", ["status"],
                Order.objects.values_list("status").annotate(n=Count("id")).order_by())
    yield gauge("spbe_levy_webhook_deliveries", "Partner webhook deliveries by state.", ["state"],
                WebhookDelivery.objects.values_list("state").annotate(n=Count("id")).order_by())
