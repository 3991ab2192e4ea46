"""Webhooks to partners: ``order.paid``, ``voucher.issued``, ``refund.done``, ``voucher.revoked``.

An event is written in the transaction that caused it (one ``WebhookDelivery`` per subscribed
URL) and sent after commit; a delivery that gets no 2xx is retried with back-off by the levy
sweep, up to ``len(BACKOFF_SECONDS) + 1`` attempts, then marked failed (the partner can
redeliver it). Every POST is signed like the partner's own requests, the other way round::

    X-LB-Event-Id:           evt_…     (same for every retry of one event: drop duplicates)
    X-LB-Timestamp:          unix seconds
    X-LB-Webhook-Signature:  v1=hex(HMAC-SHA256(webhook secret, TIMESTAMP + "." + body))

Requests leave only through ``core.outbound`` (purpose ``webhooks``): a partner cannot point a
webhook at the platform's own network.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from datetime import UTC, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from spbe.audit import services as audit
from spbe.core.services import ConflictError, ServiceError

from .. import protect
from ..models import Endpoint, WebhookDelivery, WebhookEndpoint
from .partners import require_endpoint_manager

BACKOFF_SECONDS = (30, 120, 600, 3600, 6 * 3600, 24 * 3600)
MAX_WEBHOOKS_PER_ENDPOINT = 5
TIMEOUT_SECONDS = 10


def signature(secret: str, timestamp: str, body: bytes) -> str:
    return "v1=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def verify_signature(secret: str, timestamp: str, body: bytes, header: str, *, tolerance: int = 300,
                     now: float | None = None) -> bool:
    """What a partner does on receipt (the Python client has the same function)."""
    if not timestamp.isdigit() or abs((now or time.time()) - int(timestamp)) > tolerance:
        return False
    return hmac.compare_digest(signature(secret, timestamp, body), header or "")


def _check_url(url: str) -> str:
    from django.core.exceptions import ValidationError
    from django.core.validators import URLValidator

    url = (url or "").strip()
    try:
        URLValidator(schemes=["https", "http"])(url)
    except ValidationError as exc:
        raise ServiceError(_("Enter a full http(s) URL for the webhook."), code="bad_webhook_url", field="url") from exc
    return url


def _check_events(events) -> list[str]:
    events = list(dict.fromkeys(events or []))
    unknown = [e for e in events if e not in WebhookEndpoint.EVENTS]
    if unknown:
        raise ServiceError(_("Unknown event type: %(names)s.") % {"names": ", ".join(unknown)}, code="bad_event_type", field="events")
    return events


def _require_manager(by, endpoint: Endpoint) -> None:
    require_endpoint_manager(by, endpoint)


@transaction.atomic
def add_webhook(endpoint: Endpoint, *, url: str, events=(), by=None) -> tuple[WebhookEndpoint, str]:
    """A new webhook URL; its signing secret is returned once and stored only encrypted."""
    _require_manager(by, endpoint)
    url, events = _check_url(url), _check_events(events)
    endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    if endpoint.webhooks.filter(active=True).count() >= MAX_WEBHOOKS_PER_ENDPOINT:
        raise ConflictError(_("An endpoint can have at most %(n)s webhooks.") % {"n": MAX_WEBHOOKS_PER_ENDPOINT},
                            code="too_many_webhooks")
    secret = "lbw_" + secrets.token_urlsafe(32)
    webhook = WebhookEndpoint.objects.create(endpoint=endpoint, url=url, events=events, secret_encrypted=protect.encrypt(secret))
    audit.record("levy.webhook.added", endpoint, actor=by, data={"webhook": webhook.pk, "url": url, "events": events})
    return webhook, secret


@transaction.atomic
def rotate_webhook_secret(webhook: WebhookEndpoint, *, by=None) -> str:
    _require_manager(by, webhook.endpoint)
    secret = "lbw_" + secrets.token_urlsafe(32)
    WebhookEndpoint.objects.filter(pk=webhook.pk).update(secret_encrypted=protect.encrypt(secret))
    audit.record("levy.webhook.secret_rotated", webhook.endpoint, actor=by, data={"webhook": webhook.pk})
    return secret


@transaction.atomic
def disable_webhook(webhook: WebhookEndpoint, *, by=None) -> None:
    _require_manager(by, webhook.endpoint)
    WebhookEndpoint.objects.filter(pk=webhook.pk).update(active=False, disabled_at=timezone.now())
    WebhookDelivery.objects.filter(webhook=webhook, state=WebhookDelivery.State.PENDING).update(
        state=WebhookDelivery.State.FAILED, last_error="webhook disabled", next_attempt_at=None)
    audit.record("levy.webhook.disabled", webhook.endpoint, actor=by, data={"webhook": webhook.pk, "url": webhook.url})


def emit(endpoint_id: int | None, event_type: str, data) -> str | None:
    """Record ``event_type`` for the endpoint's subscribed webhooks (inside the caller's
    transaction) and send it after commit. ``data`` may be a callable, built only when someone
    listens. Returns the event id, or None when nobody listens."""
    if endpoint_id is None:
        return None
    webhooks = [w for w in WebhookEndpoint.objects.filter(endpoint_id=endpoint_id, active=True) if w.wants(event_type)]
    if not webhooks:
        return None
    if callable(data):
        data = data()
    event_id = "evt_" + secrets.token_hex(12)
    now = timezone.now()
    payload = {"id": event_id, "type": event_type, "created_at": now.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
               "data": data}
    deliveries = WebhookDelivery.objects.bulk_create([
        WebhookDelivery(webhook=w, event_id=event_id, event_type=event_type, payload=payload, next_attempt_at=now)
        for w in webhooks
    ])
    ids = [d.pk for d in deliveries]  # bulk_create returns primary keys on SQLite and PostgreSQL
    transaction.on_commit(lambda: _enqueue(ids))
    return event_id


def _enqueue(delivery_ids: list[int]) -> None:
    from ..tasks import deliver_webhook

    for delivery_id in delivery_ids:
        deliver_webhook.enqueue(delivery_id)


def body_of(delivery: WebhookDelivery) -> bytes:
    return json.dumps(delivery.payload, separators=(",", ":"), ensure_ascii=False, sort_keys=True).encode()


def deliver(delivery_id: int, now=None) -> str:
    """One attempt (outside any transaction: a slow partner must not hold locks)."""
    from spbe.core import outbound

    delivery = WebhookDelivery.objects.select_related("webhook").filter(pk=delivery_id).first()
    if delivery is None or delivery.state != WebhookDelivery.State.PENDING:
        return "skipped"
    if delivery.next_attempt_at and delivery.next_attempt_at > (now or timezone.now()):
        return "not due"  # backing off (or another worker is sending it right now)
    # Claim the attempt: two workers (a task and the sweep) never send the same attempt twice.
    claimed = WebhookDelivery.objects.filter(pk=delivery.pk, state=WebhookDelivery.State.PENDING, attempts=delivery.attempts).update(
        attempts=delivery.attempts + 1, next_attempt_at=timezone.now() + timedelta(seconds=TIMEOUT_SECONDS * 3))
    if not claimed:
        return "skipped"
    attempt = delivery.attempts + 1
    body = body_of(delivery)
    timestamp = str(int(time.time()))
    secret = protect.decrypt(delivery.webhook.secret_encrypted)
    headers = {"Content-Type": "application/json", "User-Agent": "LoveBali-Webhooks/1",
               "X-LB-Event-Id": delivery.event_id, "X-LB-Event-Type": delivery.event_type,
               "X-LB-Timestamp": timestamp, "X-LB-Webhook-Signature": signature(secret, timestamp, body)}
    status, error = None, ""
    try:
        response = outbound.post("webhooks", delivery.webhook.url, content=body, headers=headers, timeout=TIMEOUT_SECONDS)
        status = response.status_code
        if not 200 <= status < 300:
            error = f"HTTP {status}"
    except Exception as exc:  # refused by the guard, DNS, TLS, timeout: all retried the same way
        error = f"{type(exc).__name__}: {exc}"[:300]
    now = timezone.now()
    if not error:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            state=WebhookDelivery.State.DELIVERED, delivered_at=now, last_status=status, last_error="", next_attempt_at=None)
        return "delivered"
    if attempt > len(BACKOFF_SECONDS):
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            state=WebhookDelivery.State.FAILED, last_status=status, last_error=error, next_attempt_at=None)
        return "failed"
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        last_status=status, last_error=error, next_attempt_at=now + timedelta(seconds=BACKOFF_SECONDS[attempt - 1]))
    return "retry"


def deliver_due(now=None, limit: int = 200) -> int:
    """The sweep's part: send every pending delivery whose next attempt is due."""
    now = now or timezone.now()
    due = list(WebhookDelivery.objects.filter(state=WebhookDelivery.State.PENDING, next_attempt_at__lte=now)
               .order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])
    return sum(deliver(pk, now=now) == "delivered" for pk in due)


@transaction.atomic
def redeliver(delivery: WebhookDelivery, *, by=None) -> WebhookDelivery:
    """Send an event again now (after the partner fixed its receiver); same event id."""
    _require_manager(by, delivery.webhook.endpoint)
    if not delivery.webhook.active:
        raise ConflictError(_("This webhook is disabled."), code="webhook_disabled")
    WebhookDelivery.objects.filter(pk=delivery.pk).update(state=WebhookDelivery.State.PENDING, attempts=0,
                                                          next_attempt_at=timezone.now(), last_error="")
    audit.record("levy.webhook.redelivered", delivery.webhook.endpoint, actor=by,
                 data={"webhook": delivery.webhook_id, "event_id": delivery.event_id})
    transaction.on_commit(lambda: _enqueue([delivery.pk]))
    delivery.refresh_from_db()
    return delivery
