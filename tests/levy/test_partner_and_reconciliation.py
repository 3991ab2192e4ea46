"""Love Bali Endpoint partner API (HMAC, idempotency, coverage, commission) and daily
reconciliation against the bank's settlement file."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from freezegun import freeze_time

from spbe.levy import services
from spbe.levy.models import CommissionEntry, Endpoint, Order, Payment, SettlementLine

from .conftest import ORDER, call, make_order
from tests import pdfcheck


def test_signed_order_creation_is_idempotent(partner, banksim):
    endpoint, key_id, secret = partner
    first = call("POST", "/api/v1/levy/partner/orders", key_id, secret, ORDER, idem="guest-42")
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["total"] == 300000 and body["payment"]["va_number"] and body["payment"]["state"] == "pending"
    again = call("POST", "/api/v1/levy/partner/orders", key_id, secret, ORDER, idem="guest-42")
    assert again.status_code == 201 and again.json() == body
    assert Order.objects.count() == 1 and Payment.objects.count() == 1 and len(banksim.charges) == 1
    changed = dict(ORDER, email="other@example.com")
    conflict = call("POST", "/api/v1/levy/partner/orders", key_id, secret, changed, idem="guest-42")
    assert conflict.status_code == 409 and conflict.json()["error"]["code"] == "idempotency_key_reused"
    missing = call("POST", "/api/v1/levy/partner/orders", key_id, secret, ORDER)
    assert missing.status_code == 400 and missing.json()["error"]["code"] == "idempotency_key_required"


def test_bad_signatures_are_refused(partner):
    endpoint, key_id, secret = partner
    path = "/api/v1/levy/partner/orders"
    assert call("POST", path, key_id, "wrong-secret", ORDER, idem="a").status_code == 401
    assert call("POST", path, key_id, secret, ORDER, idem="b", tamper=True).status_code == 401
    assert call("POST", path, key_id, secret, ORDER, idem="c", now=time.time() - 3600).status_code == 401
    assert call("POST", path, "lbk_unknown", secret, ORDER, idem="d").status_code == 401
    assert Client().post(path, data=ORDER, content_type="application/json").status_code == 401
    Endpoint.objects.filter(pk=endpoint.pk).update(status=Endpoint.Status.SUSPENDED)
    assert call("POST", path, key_id, secret, ORDER, idem="e").status_code == 401
    assert not Order.objects.exists()


def test_coverage_lookup_and_order_visibility(partner, levy, banksim):
    endpoint, key_id, secret = partner
    body = {"nationality": "AU", "passport": "pa-123 4567"}
    assert call("POST", "/api/v1/levy/partner/coverage", key_id, secret, body).json() == {"covered": False, "kind": None, "valid_until": None}
    created = call("POST", "/api/v1/levy/partner/orders", key_id, secret, ORDER, idem="g1").json()
    order = Order.objects.get(code=created["order"])
    banksim.pay(order.payments.get().provider_reference)
    services.refresh_payment(order.payments.get())
    services.issue_vouchers(order.pk)
    covered = call("POST", "/api/v1/levy/partner/coverage", key_id, secret, body).json()
    assert covered["covered"] is True and set(covered) == {"covered", "kind", "valid_until"}  # nothing personal
    status = call("GET", f"/api/v1/levy/partner/orders/{order.code}", key_id, secret).json()
    assert status["status"] == "paid" and all(v["reference"] for v in status["vouchers"])
    assert "PA1234567" not in json.dumps(status)
    # Another endpoint cannot read this order.
    other = services.register_endpoint(name="Villa", legal_name="PT Villa", nib="8120009999999", kind="accommodation", address="Ubud",
                                       website="", contact_name="Made", contact_email="made@example.com")
    services.decide_endpoint(other, status="approved", pks_number="PKS/2", by=levy.officer)
    _key, other_secret = services.issue_endpoint_key(other, by=levy.officer)
    assert call("GET", f"/api/v1/levy/partner/orders/{order.code}", _key.key_id, other_secret).status_code == 404
    # Commission: 3% of the levy, once.
    entry = CommissionEntry.objects.get()
    assert entry.endpoint == endpoint and entry.amount == 9000 and entry.levy_amount == 300000
    assert call("GET", "/api/v1/levy/partner/commission", key_id, secret).json()["open"]["commission"] == 9000


def test_quarterly_statement_with_a_refund_netted(partner, levy, banksim):
    endpoint, key_id, secret = partner
    with freeze_time("2026-05-10 10:00:00+08:00"):
        created = call("POST", "/api/v1/levy/partner/orders", key_id, secret,
                       dict(ORDER, travellers=[dict(t, arrival_date="2026-05-12") for t in ORDER["travellers"]]), idem="q2").json()
        order = Order.objects.get(code=created["order"])
        payment = order.payments.get()
        banksim.pay(payment.provider_reference)
        services.refresh_payment(payment)
        refund = services.request_refund(payment, amount=150000, reason="payment_error", by=levy.officer)
        services.execute_refund(refund.pk)
        with pytest.raises(services.ConflictError):
            services.build_commission_statement(endpoint, 2026, 2, by=levy.officer)  # quarter not over
    with freeze_time("2026-07-02 09:00:00+08:00"):
        statement = services.build_commission_statement(endpoint, 2026, 2, by=levy.officer)
        assert (statement.levy_total, statement.commission_total, statement.orders) == (150000, 4500, 1)
        with pytest.raises(services.ConflictError):
            services.build_commission_statement(endpoint, 2026, 2, by=levy.officer)
    from spbe.levy.pdf import statement_pdf

    pdf = statement_pdf(statement)
    assert pdf.startswith(b"%PDF-")
    pdfcheck.assert_fonts_embedded(pdf)
    assert "150.000" in pdfcheck.text(pdf)  # Indonesian grouping


def test_public_endpoint_check(partner):
    endpoint, *_ = partner
    client = Client()
    for query in (endpoint.code, "segara.example.com", "https://segara.example.com/booking", "hotel segara"):
        assert client.get("/api/v1/levy/endpoints/check", {"q": query}).json()["registered"] is True, query
    assert client.get("/api/v1/levy/endpoints/check", {"q": "bali-tax.com"}).json() == {
        "registered": False, "name": None, "code": None, "kind": None, "website": None}


def _paid(banksim, n=1, email="a@example.com"):
    order = make_order(n, email=email, first_passport=2000000 + 100 * sum(map(ord, email)))
    payment = services.start_payment(order, "qris", notify_url="")
    banksim.pay(payment.provider_reference)
    services.refresh_payment(payment)
    services.issue_vouchers(order.pk)  # the queued task (on_commit does not fire inside a test transaction)
    payment.refresh_from_db()
    return payment


def test_reconciliation_flags_every_kind_of_mismatch(levy, banksim):
    good = _paid(banksim)
    unsettled = _paid(banksim, email="b@example.com")
    today = timezone.localdate()
    csv_text = banksim.settlement_csv(today)
    lines = [line for line in csv_text.strip().splitlines() if unsettled.provider_reference not in line]
    good_line = next(line for line in lines if good.provider_reference in line)
    lines.append(good_line)  # the bank lists a payment twice
    lines.append(f"{today},SIM999,LBXXXXXXXX-P1,150000,4500,145500")  # unknown to us
    wrong = _paid(banksim, email="c@example.com")
    lines.append(f"{today},{wrong.provider_reference},{wrong.merchant_reference},100000,4500,95500")  # amount differs
    lines.append(f"{today},SIM1,REF,abc,4500,0")  # unreadable
    batch = services.import_settlement("bpd-settlement.csv", ("\n".join(lines) + "\n").encode(), by=levy.officer)
    states = list(batch.settlement_lines.values_list("state", flat=True))
    assert states == ["matched", "already", "nomatch", "amount", "invalid"]
    assert unsettled.merchant_reference in batch.unsettled_payments  # confirmed here, missing at the bank
    assert batch.matched == 1 and batch.flagged == 4 + len(batch.unsettled_payments)
    with pytest.raises(services.ConflictError):
        services.import_settlement("again.csv", ("\n".join(lines) + "\n").encode(), by=levy.officer)
    for bad, code in ((b"\xff\xfe", "bad_file"), (b"a,b\n1,2\n", "bad_columns")):
        with pytest.raises(services.ServiceError) as exc:
            services.import_settlement("bad.csv", bad, by=levy.officer)
        assert exc.value.code == code
    assert SettlementLine.objects.count() == 5


def test_arrivals_and_compliance(levy, banksim):
    today = timezone.localdate()
    _paid(banksim, 2)
    services.import_arrivals(f"day,arrivals\n{today + timedelta(days=3)},8\n".encode(), source="Imigrasi", by=levy.officer)
    figures = services.figures(today, today + timedelta(days=5))
    assert figures["revenue"] == 300000 and figures["arrivals"] == 8 and figures["compliance"] == 0.25
    with pytest.raises(services.ServiceError):
        services.import_arrivals(b"day,arrivals\nyesterday,many\n", by=levy.officer)


def test_fee_net_refunds_and_chargebacks_are_each_reported_once(levy, banksim):
    """Independent figures written by hand (not from the simulator's file): each line gets one
    state, a flagged payment is not also listed as missing, refunds and chargebacks are flagged."""
    today = timezone.localdate()
    fee_wrong, net_wrong, refunded, charged_back, amount_wrong = (_paid(banksim, email=f"{c}@example.com") for c in "vwxyz")
    services.request_refund(refunded, amount=150000, reason="discretionary", note="guest cancelled", by=levy.officer)
    services.execute_refund(refunded.refunds.get().pk)

    def line(p, amount, fee, net):
        return f"{today},{p.provider_reference},{p.merchant_reference},{amount},{fee},{net}"

    rows = ["settlement_date,provider_reference,merchant_reference,amount,fee,net",
            line(fee_wrong, 150000, 99999, 50001),     # fee far above the agreed 4,500 (net consistent)
            line(net_wrong, 150000, 4500, 1),          # net is not amount minus fee
            line(refunded, 150000, 4500, 145500),      # settled, but we refunded it in full
            line(charged_back, -150000, 0, -150000),   # the bank takes it back
            line(amount_wrong, 140000, 4500, 135500)]  # amount differs
    batch = services.import_settlement("bpd.csv", ("\n".join(rows) + "\n").encode(), by=levy.officer)
    by_payment = {l.payment_id: l for l in batch.settlement_lines.all()}
    assert by_payment[fee_wrong.pk].state == SettlementLine.State.FEE_MISMATCH and "4.500" in by_payment[fee_wrong.pk].detail
    assert by_payment[net_wrong.pk].state == SettlementLine.State.NET_MISMATCH
    assert by_payment[refunded.pk].state == SettlementLine.State.REFUNDED and "150.000" in by_payment[refunded.pk].detail
    assert by_payment[charged_back.pk].state == SettlementLine.State.CHARGEBACK
    assert by_payment[amount_wrong.pk].state == SettlementLine.State.AMOUNT_MISMATCH
    assert batch.matched == 0 and batch.unsettled_payments == [] and batch.flagged == 5  # once each, nothing twice


def test_console_orders_show_full_and_partial_refunds(levy, banksim):
    from tests.conftest import login

    full, part = _paid(banksim, email="full@example.com"), _paid(banksim, 2, email="part@example.com")
    services.request_refund(full, amount=150000, reason="discretionary", by=levy.officer)
    services.request_refund(part, amount=150000, reason="discretionary", by=levy.officer)
    for payment in (full, part):
        services.execute_refund(payment.refunds.get().pk)
    client = login(levy.officer)
    listing = client.get("/console/levy/orders/").content.decode()  # the console speaks Indonesian by default
    assert "dikembalikan seluruhnya" in listing and "dikembalikan sebagian" in listing
    detail = client.get(f"/console/levy/orders/{part.order.code}/").content.decode()
    assert "dikembalikan sebagian" in detail and ("150,000" in detail or "150.000" in detail)
