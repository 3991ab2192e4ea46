"""The lovebali-partner client against a live server on loopback, and webhooks delivered to a
real HTTP receiver: signed, retried with back-off, redelivered with the same event id."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone
from lovebali_partner import ApiError, Client, InvalidSignature, verify_webhook

from spbe.levy import services
from spbe.levy.models import Order, WebhookDelivery

from .conftest import pay

ARRIVAL = (timezone.localdate() + timedelta(days=3)).isoformat()
GUESTS = [{"full_name": "Hanna Schmidt", "nationality": "DE", "passport": "C01X00T47", "arrival_date": ARRIVAL},
          {"full_name": "Jonas Schmidt", "nationality": "DE", "passport": "C01X00T48", "arrival_date": ARRIVAL}]


class Receiver:
    """A partner's webhook endpoint: records what arrives; can be told to fail."""

    def __init__(self):
        self.received: list[tuple[dict, bytes]] = []
        self.fail_with: int | None = None
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.received.append(({k: v for k, v in self.headers.items()}, body))
                self.send_response(receiver.fail_with or 204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/lovebali"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()


@pytest.fixture
def receiver(settings):
    hook = Receiver()
    settings.OUTBOUND_ALLOW = dict(settings.OUTBOUND_ALLOW, webhooks=[f"127.0.0.1:{hook.server.server_port}"])
    yield hook
    hook.stop()


def deliver_pending():
    """What the worker does with the queued deliver_webhook tasks (on_commit does not fire in a test)."""
    for pk in WebhookDelivery.objects.filter(state=WebhookDelivery.State.PENDING).order_by("pk").values_list("pk", flat=True):
        services.webhooks.deliver(pk)


def independent_signature(secret: str, timestamp: str, body: bytes) -> str:
    return "v1=" + hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


@pytest.mark.django_db(transaction=True)
def test_client_runs_a_front_desk_day_against_a_live_server(live_server, partner, banksim, settings):
    endpoint, key_id, secret = partner
    settings.SITE_URL = live_server.url
    client = Client(live_server.url, key_id, secret)
    assert client.coverage("DE", "C01X00T47") == {"covered": False, "kind": None, "valid_until": None}
    order = client.create_order(email="hanna@example.de", travellers=GUESTS, method="va", language="de",
                                idempotency_key="booking-991")
    again = client.create_order(email="hanna@example.de", travellers=GUESTS, method="va", language="de",
                                idempotency_key="booking-991")
    assert again == order and Order.objects.count() == 1
    assert order["total"] == 300000 and order["payment"]["va_number"]
    with pytest.raises(ApiError) as missing:
        client.get_order("LBDOESNOTEXIST")
    assert missing.value.status == 404 and missing.value.code == "not_found" and missing.value.request_id
    with pytest.raises(ApiError) as early:
        client.voucher_pdf(order["order"])
    assert early.value.code == "no_vouchers"

    pay(banksim, Order.objects.get(code=order["order"]), method="va")
    paid = client.get_order(order["order"])
    assert paid["status"] == "paid" and all(v["status"] == "valid" for v in paid["vouchers"])
    assert client.coverage("DE", "C01X00T47")["covered"] is True
    pdf = client.voucher_pdf(order["order"], language="de")
    assert pdf.startswith(b"%PDF-")
    listed = client.list_orders(status="paid")
    assert [row["order"] for row in listed["items"]] == [order["order"]]
    assert client.commission()["open"]["commission"] == 9000
    asked = client.request_refund(order["order"], [2], "trip_cancelled", note="second guest cancelled")
    assert asked["state"] == "pending" and asked["amount"] == 150000
    with pytest.raises(ApiError) as twice:
        client.request_refund(order["order"], [1], "other")
    assert twice.value.status == 409 and twice.value.code == "request_pending"
    assert [r["id"] for r in client.refund_requests(order["order"])] == [asked["id"]]
    assert client.withdraw_refund_request(asked["id"])["state"] == "withdrawn"
    assert client.get_refund_request(asked["id"])["state"] == "withdrawn"

    wrong = Client(live_server.url, key_id, "lbs_not-the-secret")
    with pytest.raises(ApiError) as refused:
        wrong.commission()
    assert refused.value.status == 401 and refused.value.code == "signature_mismatch"


@pytest.mark.django_db(transaction=True)
def test_webhooks_are_signed_retried_and_redelivered(live_server, partner, banksim, receiver, settings, levy):
    endpoint, key_id, secret = partner
    client = Client(live_server.url, key_id, secret)
    with pytest.raises(ApiError) as bad:
        client.add_webhook("https://hooks.example.com/x", events=["order.exploded"])
    assert bad.value.code == "bad_event_type"
    created = client.add_webhook(receiver.url)
    webhook_secret = created["secret"]
    assert webhook_secret.startswith("lbw_") and client.list_webhooks()[0]["url"] == receiver.url
    assert "secret" not in client.list_webhooks()[0]

    order = client.create_order(email="hanna@example.de", travellers=GUESTS, method="va")
    pay(banksim, Order.objects.get(code=order["order"]), method="va")
    deliver_pending()
    types = [json.loads(body)["type"] for _headers, body in receiver.received]
    assert types == ["order.paid", "voucher.issued"]
    for headers, body in receiver.received:
        assert headers["X-LB-Webhook-Signature"] == independent_signature(webhook_secret, headers["X-LB-Timestamp"], body)
        event = verify_webhook(webhook_secret, headers, body)
        assert event["id"] == headers["X-LB-Event-Id"] and event["data"]["order"] == order["order"]
        with pytest.raises(InvalidSignature):
            verify_webhook(webhook_secret, headers, body.replace(b"hanna", b"hacker") if b"hanna" in body else body + b" ")
    paid_event = json.loads(receiver.received[0][1])
    assert paid_event["data"]["status"] == "paid" and "C01X00T47" not in receiver.received[0][1].decode()

    # The partner's server is down: the delivery is retried later, with the same event id.
    receiver.received.clear()
    receiver.fail_with = 500
    voucher = Order.objects.get(code=order["order"]).travellers.first().voucher
    services.revoke_voucher(voucher, "passport reported stolen", by=levy.officer)
    deliver_pending()
    delivery = WebhookDelivery.objects.get(event_type="voucher.revoked")
    assert delivery.state == "pending" and delivery.attempts == 1 and delivery.last_status == 500
    assert delivery.next_attempt_at > timezone.now() + timedelta(seconds=20)  # back-off, not a hot loop
    assert services.webhooks.deliver_due() == 0  # not due yet
    receiver.fail_with = None
    assert services.webhooks.deliver_due(now=timezone.now() + timedelta(minutes=1)) == 1
    first_id, second_id = (h["X-LB-Event-Id"] for h, _ in receiver.received)
    assert first_id == second_id == delivery.event_id

    # Redelivery on request, through the API; the log shows every delivery.
    log = client.deliveries(created["id"])
    assert {row["event_type"] for row in log} == {"order.paid", "voucher.issued", "voucher.revoked"}
    redelivered = client.redeliver(created["id"], log[0]["id"])
    assert redelivered["state"] == "pending"
    deliver_pending()
    assert receiver.received[-1][0]["X-LB-Event-Id"] == log[0]["event_id"]

    # Rotating the secret: later events are signed with the new one.
    rotated = client.rotate_webhook_secret(created["id"])["secret"]
    assert rotated != webhook_secret
    client.remove_webhook(created["id"])
    assert client.list_webhooks() == []


@pytest.mark.django_db(transaction=True)
def test_webhooks_never_reach_private_addresses_not_allowed(live_server, partner, banksim, settings):
    """Without an allow-list entry, a webhook to loopback (the platform's own network) is refused
    by the outbound guard and retried, never sent."""
    endpoint, key_id, secret = partner
    client = Client(live_server.url, key_id, secret)
    client.add_webhook("http://127.0.0.1:9/internal-admin")
    order = client.create_order(email="hanna@example.de", travellers=GUESTS[:1], method="va")
    pay(banksim, Order.objects.get(code=order["order"]), method="va")
    deliver_pending()
    delivery = WebhookDelivery.objects.get(event_type="order.paid")
    assert delivery.state == "pending" and delivery.delivered_at is None and "Refused" in delivery.last_error
