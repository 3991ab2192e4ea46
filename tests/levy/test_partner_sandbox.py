"""Sandbox keys: a partner tries the whole flow without money — the order is paid only at the
bank simulator, its vouchers verify nowhere (server, checkpoints, typed reference), no
commission is booked, and no figure or reconciliation counts it."""

from __future__ import annotations

from django.utils import timezone

from spbe.levy import services
from spbe.levy.models import CommissionEntry, Order, Voucher

from .conftest import ORDER, call


def test_sandbox_orders_run_end_to_end_and_count_nowhere(partner, levy, banksim):
    endpoint, live_key, live_secret = partner
    key, secret = services.issue_endpoint_key(endpoint, label="staging", sandbox=True, by=levy.officer)
    assert key.key_id.startswith("lbk_test_")
    created = call("POST", "/api/v1/levy/partner/orders", key.key_id, secret, ORDER, idem="sbx-1")
    assert created.status_code == 201 and created.json()["sandbox"] is True
    code = created.json()["order"]
    # A live key may not pay anything through the sandbox call, and a sandbox key only its test orders.
    live_order = call("POST", "/api/v1/levy/partner/orders", live_key, live_secret, ORDER, idem="live-1").json()
    refused = call("POST", f"/api/v1/levy/partner/sandbox/orders/{live_order['order']}/pay", live_key, live_secret, {})
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "not_sandbox"

    paid = call("POST", f"/api/v1/levy/partner/sandbox/orders/{code}/pay", key.key_id, secret, {})
    assert paid.status_code == 200, paid.content
    body = paid.json()
    assert body["status"] == "paid" and all(v["status"] == "valid" for v in body["vouchers"])
    order = Order.objects.get(code=code)
    assert order.sandbox and order.payments.get().provider == "banksim"
    vouchers = list(Voucher.objects.filter(traveller__order=order))
    assert vouchers and all(v.sandbox and v.key.sandbox for v in vouchers)
    for voucher in vouchers:
        assert services.verify_code(voucher.code).result == "invalid"        # the scanner's check
        assert services.verify_reference(voucher.reference).result == "invalid"  # a typed reference
    keys = call("GET", "/api/v1/levy/keys", key.key_id, secret).json()
    assert all(k["number"] != vouchers[0].key.number for k in keys)  # never published to scanners
    assert not CommissionEntry.objects.filter(order=order).exists()
    # Sandbox coverage stays in the sandbox: the real guest is still not covered.
    probe = {"nationality": "AU", "passport": "PA1234567"}
    assert call("POST", "/api/v1/levy/partner/coverage", key.key_id, secret, probe).json()["covered"] is True
    assert call("POST", "/api/v1/levy/partner/coverage", live_key, live_secret, probe).json()["covered"] is False
    today = timezone.localdate()
    figures = services.figures(today, today)
    assert figures["orders"] == 0 and figures["revenue"] == 0
    pdf = call("GET", f"/api/v1/levy/partner/orders/{code}/vouchers.pdf", key.key_id, secret)
    from tests import pdfcheck

    assert "TEST VOUCHER" in pdfcheck.text(pdf.content)
