"""Vouchers at the checkpoint, refunds, exemptions and the passport lookup."""

from __future__ import annotations

import re

import json
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from spbe.audit.models import AuditEvent
from spbe.levy import codec, services
from spbe.levy.models import CheckpointScan, Exemption, Payment, Refund, Voucher

from .conftest import make_order, pay, traveller


@pytest.fixture
def paid_order(levy, banksim):
    order = make_order(2)
    pay(banksim, order)
    return order


def test_verification_outcomes(paid_order):
    voucher = Voucher.objects.filter(traveller__order=paid_order).first()
    today = timezone.localdate()
    assert services.verify_code(voucher.code).result == "valid"
    assert services.verify_code(voucher.code, today - timedelta(days=30)).result == "not_yet_valid"
    assert services.verify_code(voucher.code, voucher.valid_until + timedelta(days=1)).result == "expired"
    assert services.verify_reference(voucher.reference.lower()).result == "valid"
    assert services.verify_code(voucher.code[:-3] + ("AAA" if voucher.code[-3:] != "AAA" else "BBB")).result == "invalid"
    assert services.verify_code("LB1:" + "A" * 150).result == "invalid"
    services.revoke_voucher(voucher, "test")
    assert services.verify_code(voucher.code).result == "revoked"


def test_revocation_list_is_signed_by_a_published_key(paid_order):
    voucher = Voucher.objects.filter(traveller__order=paid_order).first()
    services.revoke_voucher(voucher, "refund")
    data = services.revocation_list()
    assert data["references"] == [voucher.reference]
    key = services.public_keys()[data["key"]]
    message = json.dumps({"issued_at": data["issued_at"], "references": data["references"]}, separators=(",", ":")).encode()
    key.verify(bytes.fromhex(data["signature"]), message)  # raises if wrong
    assert isinstance(key, Ed25519PublicKey)


def test_key_rotation_keeps_old_vouchers_verifiable(paid_order, levy):
    voucher = Voucher.objects.filter(traveller__order=paid_order).first()
    new_key = services.rotate_signing_key(by=levy.officer)
    assert new_key.number == voucher.key.number + 1
    assert services.verify_code(voucher.code).result == "valid"
    assert codec.parse_unverified(services._sign_voucher(
        reference="22222222", kind="paid", valid_from=timezone.localdate(), valid_until=timezone.localdate(),
        nationality="AU", name="X", passport_check=b"\0\0")[0])[0].key_number == new_key.number


def test_scan_upload_deduplicates_on_nonce(paid_order, levy):
    voucher = Voucher.objects.filter(traveller__order=paid_order).first()
    now = timezone.now()
    scans = [
        {"nonce": "n-0000001", "code": voucher.code, "scanned_at": now, "offline": True},
        {"nonce": "n-0000002", "reference": voucher.reference, "scanned_at": now},
        {"nonce": "n-0000003", "code": "LB1:FORGED", "scanned_at": now},
        {"nonce": "n-0000004", "exemption_category": "c", "scanned_at": now},
        {"nonce": "n-0000005", "scanned_at": now},
    ]
    first = services.record_scans(levy.checkpoint, scans, checkpoint="Uluwatu")
    again = services.record_scans(levy.checkpoint, scans, checkpoint="Uluwatu")  # the device re-uploads
    assert first["accepted"] == 5 and again == {"accepted": 0, "duplicates": 5, "results": again["results"]}
    results = dict(CheckpointScan.objects.values_list("nonce", "result"))
    assert results == {"n-0000001": "valid", "n-0000002": "valid", "n-0000003": "invalid", "n-0000004": "exempt_document", "n-0000005": "not_paid"}
    with pytest.raises(PermissionDenied):
        services.record_scans(levy.world.users["staff_a"], scans, checkpoint="x")


def test_passport_lookup_needs_the_right_and_is_audited(paid_order, levy):
    rows = services.lookup_passport(levy.checkpoint, "au", "pa 1000000")
    assert [r["kind"] for r in rows] == ["paid"]
    event = AuditEvent.objects.filter(action="levy.passport.lookup").get()
    assert "1000000" not in json.dumps(event.data) and event.actor == levy.checkpoint
    with pytest.raises(PermissionDenied):
        services.lookup_passport(levy.world.users["admin_a"], "AU", "PA1000000")


def test_passport_never_stored_in_clear(paid_order):
    from django.db import connection

    with connection.cursor() as cursor:
        for table in ("levy_traveller", "levy_voucher", "levy_order"):
            cursor.execute(f"SELECT * FROM {table}")
            assert "1000000" not in repr(cursor.fetchall())


def test_already_covered_traveller_is_refused_then_refunded_if_paid_anyway(paid_order, levy, banksim):
    with pytest.raises(services.ConflictError) as exc:
        services.create_order(email="x@example.com", travellers=[traveller(passport="PA1000000")])
    assert exc.value.code == "already_covered"
    # Two orders raced: the later one is paid; its covered traveller is paid back.
    from spbe.levy.models import Order

    second = services.create_order(email="x@example.com", travellers=[traveller(passport="PA7777777"), traveller(name="B", passport="PA8888888")])
    other = Voucher.objects.filter(traveller__order=paid_order).first()
    second.travellers.filter(position=1).update(passport_hash=other.passport_hash)
    payment = services.start_payment(second, "qris", notify_url="")
    banksim.pay(payment.provider_reference)
    services.refresh_payment(payment)
    services.issue_vouchers(second.pk)
    refund = services.execute_refund(Refund.objects.get(payment=payment).pk)  # the queued task
    assert refund.reason == "already_covered" and refund.amount == 150000 and refund.state == Refund.State.DONE
    assert Voucher.objects.filter(traveller__order=second).count() == 1
    assert Order.objects.get(pk=second.pk).travellers.get(position=1).covered_by_existing == other


def test_officer_refund_with_revocation(paid_order, levy, banksim):
    payment = paid_order.payments.get(state=Payment.State.CONFIRMED)
    with pytest.raises(services.ServiceError):
        services.request_refund(payment, amount=400000, reason="payment_error", by=levy.officer)
    with pytest.raises(PermissionDenied):
        services.request_refund(payment, amount=300000, reason="payment_error", by=levy.world.users["staff_a"])
    refund = services.request_refund(payment, amount=300000, reason="payment_error", revoke_vouchers=True, by=levy.officer)
    refund = services.execute_refund(refund.pk)  # the queued task
    assert refund.state == Refund.State.DONE
    payment.refresh_from_db()
    assert payment.state == Payment.State.REFUNDED
    assert not Voucher.objects.filter(traveller__order=paid_order, revoked_at__isnull=True).exists()
    assert banksim.charges[payment.provider_reference].status == "refunded"


def test_refund_that_the_bank_refuses_can_be_retried_or_paid_by_transfer(paid_order, levy, banksim, settings):
    payment = paid_order.payments.get(state=Payment.State.CONFIRMED)
    settings.LEVY_PROVIDERS = {"banksim": {"base_url": "http://127.0.0.1:9", "server_key": "k"}}
    refund = services.request_refund(payment, amount=150000, reason="discretionary", by=levy.officer)
    refund = services.execute_refund(refund.pk)  # the queued task
    assert refund.state == Refund.State.FAILED and "unreachable" in refund.error
    services.mark_refund_external(refund, levy.officer, "card expired")
    with pytest.raises(services.ServiceError):
        services.complete_external_refund(refund, levy.officer, " ")
    refund.refresh_from_db()
    services.complete_external_refund(refund, levy.officer, "TRF-001")
    refund.refresh_from_db()
    assert refund.state == Refund.State.DONE and refund.provider_reference == "TRF-001"


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _apply(**overrides):
    today = timezone.localdate()
    values = dict(category="f", full_name="Hans Gruber", nationality="DE", passport="C01X00T47", email="hans@example.com",
                  arrival_date=today + timedelta(days=20), departure_date=today + timedelta(days=40), reason="Golden visa",
                  files=[("visa.pdf", PDF)])
    values.update(overrides)
    return services.submit_exemption(**values)


@pytest.mark.parametrize("files, code", [
    ([], "no_documents"),
    ([("visa.pdf", b"MZ\x90\x00 this is an exe")], "bad_document"),
    ([("visa.exe", PDF)], "bad_document"),
    ([("visa.pdf", PDF.replace(b"<<>>", b"<</JavaScript (app.alert(1))>>"))], "bad_document"),
    ([("visa.png", b"\x89PNG\r\n\x1a\n" + b"0" * (6 * 1024 * 1024))], "bad_document"),
])
def test_malicious_or_bad_exemption_documents_are_refused(levy, files, code):
    with pytest.raises(services.ServiceError) as exc:
        _apply(files=files)
    assert exc.value.code == code
    assert not Exemption.objects.exists()


def test_checkpoint_categories_do_not_apply_and_lead_time_is_enforced(levy):
    with pytest.raises(services.ServiceError) as exc:
        _apply(category="c")
    assert exc.value.code == "no_application_needed"
    with pytest.raises(services.ServiceError) as exc:
        _apply(arrival_date=timezone.localdate() + timedelta(days=1))
    assert exc.value.code == "too_late"


def test_exemption_approval_issues_an_exempt_qr_and_refunds_an_earlier_payment(levy, banksim):
    order = services.create_order(email="hans@example.com", travellers=[traveller("Hans Gruber", "DE", "C01X00T47", timezone.localdate() + timedelta(days=20))])
    payment = services.start_payment(order, "qris", notify_url="")
    banksim.pay(payment.provider_reference)
    services.refresh_payment(payment)
    services.issue_vouchers(order.pk)
    paid_voucher = Voucher.objects.get(traveller__order=order)

    application = _apply()
    stored = application.documents.get()
    assert PDF not in bytes(stored.content_encrypted)  # encrypted at rest
    assert services.exemption_document(stored, levy.officer) == PDF
    with pytest.raises(services.ServiceError):
        services.decide_exemption(application, approve=False, note="", by=levy.officer)
    services.decide_exemption(application, approve=True, note="ok", by=levy.officer)
    exempt = Voucher.objects.get(exemption=application)
    assert exempt.kind == "exempt" and services.verify_code(exempt.code, application.arrival_date).result == "valid"
    assert codec.parse_unverified(exempt.code)[0].kind == "exempt"
    paid_voucher.refresh_from_db()
    assert paid_voucher.revoked_at is not None
    assert Refund.objects.get().reason == "exemption_approved"
    with pytest.raises(services.ConflictError):
        services.decide_exemption(application, approve=True, note="", by=levy.officer)


def test_the_public_check_shows_only_validity_dates_and_a_masked_name(paid_order, client):
    """Pen-test probe: the public check gave anyone with an 8-character reference the traveller's
    full name and nationality."""
    voucher = Voucher.objects.filter(traveller__order=paid_order).first()
    for params in ({"reference": voucher.reference}, {"code": voucher.code}):
        data = client.get("/api/v1/levy/verify", params).json()
        assert set(data) == {"result", "reference", "name", "valid_from", "valid_until"}
        assert data["result"] == "valid" and re.fullmatch(r"T\*{8} [01]", data["name"]), data["name"]
    page = client.post("/lovebali/verify/", {"code": voucher.reference}).content.decode()
    assert "T********" in page and "Traveller" not in page and "Australia" not in page and ">AU<" not in page
