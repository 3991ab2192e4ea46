"""Payments end to end against the bank simulator over real HTTP on loopback.

The simulator sends its signed notifications to the live server; the platform verifies
them, re-queries the simulator, and issues vouchers. Replays, concurrent duplicates and a
crash between payment and voucher issue must all end in exactly one voucher per traveller.
"""

from __future__ import annotations

import json
import threading

import httpx
import pytest
from django.core import mail
from django.db import connection

from spbe.levy import qris, services
from spbe.levy.banksim import midtrans_signature, native_signature
from spbe.levy.models import Order, Payment, ProviderNotification, Refund, Voucher
from spbe.levy.providers.base import ProviderStatus

from .conftest import make_order


@pytest.fixture
def live(live_server, settings, banksim, levy):
    settings.SITE_URL = live_server.url
    return live_server


def _pay_qris(banksim, payment):
    response = httpx.post(f"{banksim.url}/v1/qris/pay", json={"payload": payment.info["qris"]})
    assert response.status_code == 200, response.text


def test_paid_by_qris_gets_one_voucher_per_traveller_and_an_email(live, banksim):
    order = make_order(2)
    payment = services.start_payment(order, "qris", notify_url=services_notify(live))
    parsed = qris.parse(payment.info["qris"])  # a valid EMVCo payload with the amount and our reference
    assert parsed.amount == 300000 and parsed.reference == payment.merchant_reference
    _pay_qris(banksim, payment)
    banksim.wait_for_deliveries()
    order.refresh_from_db()
    assert order.status == Order.Status.PAID and order.vouchers_issued_at is not None
    vouchers = Voucher.objects.filter(traveller__order=order)
    assert vouchers.count() == 2
    for voucher in vouchers:
        assert services.verify_code(voucher.code).result == "valid"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["olivia@example.com"]
    name, content, mimetype = mail.outbox[0].attachments[0]
    assert mimetype == "application/pdf" and content.startswith(b"%PDF-")


def services_notify(live):
    from spbe.levy.api import notify_url

    return notify_url("banksim")


def test_replayed_notification_never_issues_a_second_voucher_or_charge(live, banksim):
    order = make_order(2)
    payment = services.start_payment(order, "va", notify_url=services_notify(live))
    assert payment.info["va_number"]
    response = httpx.post(f"{banksim.url}/v1/va/pay", json={"va_number": payment.info["va_number"], "amount": 300000})
    assert response.status_code == 200
    banksim.wait_for_deliveries()
    charge = banksim.charges[payment.provider_reference]
    body, _ = banksim._notification(charge, "paid")
    for _attempt in range(5):  # a provider retrying, or an attacker replaying a captured body
        import time

        timestamp = str(int(time.time()))
        replay = httpx.post(services_notify(live), content=body,
                            headers={"X-Sim-Timestamp": timestamp, "X-Sim-Signature": native_signature(banksim.server_key, timestamp, body),
                                     "Content-Type": "application/json"})
        assert replay.status_code == 200 and replay.json()["outcome"] == "already confirmed"
    assert Voucher.objects.filter(traveller__order=order).count() == 2
    assert Payment.objects.filter(order=order, state=Payment.State.CONFIRMED).count() == 1
    assert not Refund.objects.exists()
    assert ProviderNotification.objects.get(provider="banksim").times_received == 6
    assert len(mail.outbox) == 1


def test_forged_notification_is_rejected_and_changes_nothing(live, banksim):
    order = make_order(1)
    payment = services.start_payment(order, "qris", notify_url=services_notify(live))
    body = json.dumps({"event_id": "x", "reference": payment.provider_reference, "status": "paid"}).encode()
    for headers in ({}, {"X-Sim-Timestamp": "1", "X-Sim-Signature": "00" * 64},
                    {"X-Sim-Timestamp": "1", "X-Sim-Signature": native_signature(banksim.server_key, "1", body)}):  # stale
        response = httpx.post(services_notify(live), content=body, headers=headers)
        assert response.status_code == 401
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING and not Voucher.objects.exists()


def test_a_true_notification_is_still_rechecked_with_the_bank(live, banksim):
    """A correctly signed "paid" claim for a charge the bank says is unpaid changes nothing."""
    import time

    order = make_order(1)
    payment = services.start_payment(order, "qris", notify_url=services_notify(live))
    body = json.dumps({"event_id": "e1", "reference": payment.provider_reference, "status": "paid"}).encode()
    timestamp = str(int(time.time()))
    response = httpx.post(services_notify(live), content=body,
                          headers={"X-Sim-Timestamp": timestamp, "X-Sim-Signature": native_signature(banksim.server_key, timestamp, body)})
    assert response.status_code == 200 and response.json()["outcome"] == "no change (pending)"
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING


def test_notifications_are_retried_until_the_platform_accepts(live, banksim, monkeypatch):
    """The platform cannot confirm at first (bank status API down → 502); the simulator retries."""
    from spbe.levy.providers import ProviderError

    order = make_order(1)
    payment = services.start_payment(order, "qris", notify_url=services_notify(live))
    real, calls = services.handle_notification, []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) < 3:
            raise ProviderError("status query timed out")
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "handle_notification", flaky)
    _pay_qris(banksim, payment)
    banksim.wait_for_deliveries()
    delivery = banksim.deliveries[-1]
    assert delivery.delivered and delivery.attempts == 3
    order.refresh_from_db()
    assert order.status == Order.Status.PAID


def test_duplicate_payment_is_refunded_with_a_reason_code(live, banksim):
    order = make_order(1)
    first = services.start_payment(order, "qris", notify_url=services_notify(live))
    second = services.start_payment(order, "va", notify_url=services_notify(live))  # a second tab
    _pay_qris(banksim, first)
    httpx.post(f"{banksim.url}/v1/va/pay", json={"va_number": second.info["va_number"], "amount": 150000})
    banksim.wait_for_deliveries()
    second.refresh_from_db()
    refund = Refund.objects.get()
    assert refund.payment == second and refund.reason == "duplicate_payment" and refund.state == Refund.State.DONE
    assert second.state == Payment.State.REFUNDED
    assert banksim.charges[second.provider_reference].status == "refunded"
    assert Voucher.objects.filter(traveller__order=order, revoked_at__isnull=True).count() == 1  # the voucher stays


def test_crash_between_payment_and_voucher_issue_still_ends_in_exactly_one_voucher(transactional_db, banksim, levy, monkeypatch):
    order = make_order(3)
    payment = services.start_payment(order, "qris", notify_url="")
    banksim.pay(payment.provider_reference)

    # 1. Issuing in place fails (worker killed mid-way) and the task queue is down as well:
    #    the payment commits, no voucher exists, nothing is queued.
    real_new_voucher = services._new_voucher

    def killed(**kwargs):
        raise RuntimeError("worker killed")

    def queue_down(order_id):
        raise ConnectionError("task queue unreachable")

    monkeypatch.setattr(services.vouchers, "_new_voucher", killed)
    monkeypatch.setattr(services.queues, "_enqueue_voucher_issue", queue_down)
    with pytest.raises(ConnectionError):
        services.refresh_payment(payment)
    order.refresh_from_db()
    assert order.status == Order.Status.PAID and order.vouchers_issued_at is None
    assert payment.__class__.objects.get(pk=payment.pk).state == Payment.State.CONFIRMED
    assert not Voucher.objects.exists()

    # 2. The first repair attempt crashes half-way (after one voucher): all of it rolls back.
    calls = []

    def crash_on_second(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("worker killed")
        return real_new_voucher(**kwargs)

    monkeypatch.setattr(services.vouchers, "_new_voucher", crash_on_second)
    with pytest.raises(RuntimeError):
        services.repair_missing_vouchers(older_than_seconds=0)
    assert not Voucher.objects.exists()

    # 3. The next sweep completes; later sweeps and stray tasks do nothing more.
    monkeypatch.setattr(services.vouchers, "_new_voucher", real_new_voucher)
    assert services.repair_missing_vouchers(older_than_seconds=0) == 1
    assert services.repair_missing_vouchers(older_than_seconds=0) == 0
    assert services.issue_vouchers(order.pk) == 0
    assert services.refresh_payment(payment) == "already confirmed"
    assert Voucher.objects.filter(traveller__order=order).count() == 3


@pytest.mark.skipif(connection.vendor == "sqlite", reason="needs a database with row locks (runs on PostgreSQL in CI)")
def test_concurrent_duplicate_notifications_confirm_once(transactional_db, banksim, levy):
    from django.db import connections

    order = make_order(2)
    payment = services.start_payment(order, "qris", notify_url="")
    banksim.pay(payment.provider_reference)
    charge = banksim.charges[payment.provider_reference]
    body, _ = banksim._notification(charge, "paid")
    import time

    timestamp = str(int(time.time()))
    headers = {"X-Sim-Timestamp": timestamp, "X-Sim-Signature": native_signature(banksim.server_key, timestamp, body)}
    barrier = threading.Barrier(8)
    outcomes, errors = [], []

    def deliver():
        try:
            barrier.wait()
            outcomes.append(services.handle_notification("banksim", headers, body))
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=deliver) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert outcomes.count("confirmed") == 1 and outcomes.count("already confirmed") == 7
    assert Voucher.objects.filter(traveller__order=order).count() == 2
    assert not Refund.objects.exists()


def test_amount_mismatch_is_flagged_not_confirmed(levy, banksim):
    order = make_order(1)
    payment = services.start_payment(order, "qris", notify_url="")
    outcome = services.apply_provider_status(payment.pk, ProviderStatus(payment.provider_reference, payment.merchant_reference, "paid", 15000))
    assert outcome == "amount mismatch (flagged)"
    payment.refresh_from_db()
    assert payment.state == Payment.State.PENDING and "15000" in payment.error


def test_open_payment_attempt_is_reused_and_expired_orders_refuse_payment(levy, banksim):
    order = make_order(1)
    first = services.start_payment(order, "qris", notify_url="")
    assert services.start_payment(order, "qris", notify_url="").pk == first.pk
    Order.objects.filter(pk=order.pk).update(expires_at=first.created_at)
    assert services.expire_orders() == 1
    with pytest.raises(services.ServiceError) as exc:
        services.start_payment(order, "va", notify_url="")
    assert exc.value.code == "order_expired"


def test_bank_unreachable_gives_a_clear_error_and_a_failed_attempt(levy, settings):
    settings.LEVY_PROVIDERS = {"banksim": {"base_url": "http://127.0.0.1:9", "server_key": "k"}}
    order = make_order(1)
    with pytest.raises(services.ServiceError) as exc:
        services.start_payment(order, "qris", notify_url="")
    assert exc.value.code == "provider_unavailable"
    assert order.payments.get().state == Payment.State.FAILED


@pytest.mark.parametrize("provider", ["midtrans", "xendit"])
def test_gateway_adapters_verify_signatures_and_recheck(live, banksim, provider):
    from spbe.levy.api import notify_url

    order = make_order(1)
    payment = services.start_payment(order, "qris", notify_url=notify_url(provider), provider=provider)
    assert qris.parse(payment.info["qris"]).amount == 150000
    charge = banksim.charges[payment.provider_reference]
    # A forged notification first: wrong signature_key / wrong callback token.
    body, headers = banksim._notification(charge, "paid")
    forged_headers = {"X-CALLBACK-TOKEN": "wrong"} if provider == "xendit" else {}
    forged = json.loads(body)
    if provider == "midtrans":
        forged["signature_key"] = midtrans_signature(forged["order_id"], "200", forged["gross_amount"], "not-the-key")
        forged["transaction_status"], forged["status_code"] = "settlement", "200"
    else:
        forged["status"] = "PAID"
    response = httpx.post(notify_url(provider), json=forged, headers=forged_headers)
    assert response.status_code == 401
    _pay_qris(banksim, payment)
    banksim.wait_for_deliveries()
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert Voucher.objects.filter(traveller__order=order).count() == 1


@pytest.mark.skipif(connection.vendor == "sqlite", reason="needs concurrent writers (runs on PostgreSQL in CI)")
def test_workers_paying_at_once_on_a_fresh_install_share_one_first_signing_key(transactional_db, banksim, levy):
    """No key yet and several first payments at the same instant: one key, every voucher issued."""
    from django.db import connections

    from spbe.levy.models import SigningKey

    SigningKey.objects.all().delete()
    services.vouchers._ACTIVE_KEY.clear()
    # Six different travellers: one traveller's orders would cover each other, not get vouchers.
    orders = [make_order(1, first_passport=2000000 + 10 * i) for i in range(6)]
    payments = [services.start_payment(order, "qris", notify_url="") for order in orders]
    for payment in payments:
        banksim.pay(payment.provider_reference)
    barrier = threading.Barrier(len(payments))
    outcomes, errors = [], []

    def confirm(payment):
        try:
            barrier.wait()
            outcomes.append(services.refresh_payment(payment))
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=confirm, args=(p,)) for p in payments]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert outcomes == ["confirmed"] * len(payments)
    assert SigningKey.objects.filter(sandbox=False, retired_at__isnull=True).count() == 1
    assert Voucher.objects.filter(traveller__order__in=orders).count() == len(orders)


def test_notifications_are_counted_on_the_metrics_page_by_outcome(live, banksim):
    from tests.core.test_metrics_and_readiness import samples

    def count(outcome):
        page = httpx.get(f"{live.url}/metrics")
        assert page.status_code == 200
        return samples(page.text).get(
            ("spbe_levy_payment_notifications_total", (("outcome", outcome), ("provider", "banksim"))), 0)

    confirmed, rejected = count("confirmed"), count("rejected")
    order = make_order(1)
    payment = services.start_payment(order, "qris", notify_url=services_notify(live))
    httpx.post(services_notify(live), content=b'{"event_id": "x"}', headers={"X-Sim-Timestamp": "1", "X-Sim-Signature": "00"})
    _pay_qris(banksim, payment)
    banksim.wait_for_deliveries()
    assert (count("confirmed") - confirmed, count("rejected") - rejected) == (1, 1)
