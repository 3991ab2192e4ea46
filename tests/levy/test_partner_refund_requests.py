"""Partner refund requests: a hotel asks through the signed API, a levy officer decides in the
console; an approval revokes exactly the named travellers' vouchers and refunds their levy."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from spbe.core.roles import Role
from spbe.levy import services
from spbe.levy.models import CheckpointScan, Order, Refund, RefundRequest, Voucher, WebhookDelivery
from tests.conftest import login, make_user

from .conftest import ORDER, call, pay
from .test_partner_api_contract import ORDERS, assert_error_body

REQUESTS = "/api/v1/levy/partner/refund-requests"


@pytest.fixture
def paid_order(partner, banksim):
    endpoint, key_id, secret = partner
    created = call("POST", ORDERS, key_id, secret, ORDER, idem="rr-1").json()
    order = Order.objects.get(code=created["order"])
    pay(banksim, order, method="va")
    assert order.status == Order.Status.PAID and Voucher.objects.filter(traveller__order=order).count() == 2
    return order


def _ask(partner, order, body):
    _endpoint, key_id, secret = partner
    return call("POST", f"{ORDERS}/{order.code}/refund-requests", key_id, secret, body)


def _console(user) -> Client:
    return login(user)  # with the second factor staff accounts need


def test_a_hotel_asks_an_officer_approves_and_only_that_guest_loses_the_voucher(partner, paid_order, levy, banksim):
    endpoint, key_id, secret = partner
    services.webhooks.add_webhook(endpoint, url="https://hooks.segara.example.com/lovebali", events=["refund_request.decided"])
    asked = _ask(partner, paid_order, {"travellers": [2], "reason": "trip_cancelled", "note": "Jack cancelled his trip."})
    assert asked.status_code == 201, asked.content
    body = asked.json()
    assert (body["state"], body["travellers"], body["amount"], body["refund"]) == ("pending", [2], paid_order.unit_amount, None)
    assert_error_body(_ask(partner, paid_order, {"travellers": [1], "reason": "other"}), 409, "request_pending")

    dashboard = _console(levy.officer).get("/console/levy/").content.decode()
    assert 'data-testid="pending-refund-requests"' in dashboard
    assert "refund-requests/" in _console(levy.officer).get(f"/console/levy/orders/{paid_order.code}/").content.decode()
    queue = _console(levy.officer).get("/console/levy/refund-requests/")
    assert queue.status_code == 200 and paid_order.code in queue.content.decode()
    detail_url = f"/console/levy/refund-requests/{body['id']}/"
    assert "Jack Smith" in _console(levy.officer).get(detail_url).content.decode()
    rejected_without_reason = _console(levy.officer).post(detail_url, {"decision": "reject", "note": ""})
    assert rejected_without_reason.status_code == 302
    assert RefundRequest.objects.get(pk=body["id"]).state == RefundRequest.State.PENDING  # nothing lost, nothing decided
    _console(levy.officer).post(detail_url, {"decision": "approve", "note": "Cancellation confirmed."})

    decided = call("GET", f"{REQUESTS}/{body['id']}", key_id, secret).json()
    assert decided["state"] == "approved" and decided["decision_note"] == "Cancellation confirmed."
    assert decided["refund"]["state"] in ("created", "transit", "done")
    vouchers = {v.traveller.position: v for v in Voucher.objects.filter(traveller__order=paid_order).select_related("traveller")}
    assert vouchers[2].revoked_at is not None and vouchers[1].revoked_at is None
    refund = Refund.objects.get(partner_request__pk=body["id"])
    assert refund.amount == paid_order.unit_amount and refund.reason == "partner_request" and not refund.revokes_vouchers
    services.execute_refund(refund.pk)  # what the queued task does (on_commit does not fire in a test transaction)
    assert Refund.objects.get(pk=refund.pk).state == Refund.State.DONE
    assert call("GET", f"{ORDERS}/{paid_order.code}", key_id, secret).json()["refunded"] == paid_order.unit_amount
    event = WebhookDelivery.objects.get(event_type="refund_request.decided")
    assert event.payload["data"]["state"] == "approved" and event.payload["data"]["order"] == paid_order.code
    listed = call("GET", f"{ORDERS}/{paid_order.code}/refund-requests", key_id, secret).json()
    assert [r["id"] for r in listed] == [body["id"]]
    # the refunded traveller cannot be asked for again; the other one can
    assert_error_body(_ask(partner, paid_order, {"travellers": [2], "reason": "other"}), 409, "not_refundable")
    assert _ask(partner, paid_order, {"travellers": [1], "reason": "other"}).status_code == 201


def test_what_cannot_be_refunded_is_refused_with_its_reason(partner, paid_order, levy, banksim):
    endpoint, key_id, secret = partner
    assert_error_body(_ask(partner, paid_order, {"travellers": [3], "reason": "other"}), 400, "bad_travellers")
    assert_error_body(_ask(partner, paid_order, {"travellers": [1, 1], "reason": "other"}), 400, "bad_travellers")
    assert _ask(partner, paid_order, {"travellers": [1], "reason": "because"}).status_code in (400, 422)
    voucher = Voucher.objects.get(traveller__order=paid_order, traveller__position=1)
    CheckpointScan.objects.create(institution=paid_order.institution, nonce="scan-1", officer=levy.checkpoint, checkpoint="I Gusti Ngurah Rai",
                                  reference=voucher.reference, voucher=voucher, result=CheckpointScan.Result.VALID,
                                  scanned_at=timezone.now())
    assert_error_body(_ask(partner, paid_order, {"travellers": [1], "reason": "trip_cancelled"}), 409, "voucher_used")
    unpaid = call("POST", ORDERS, key_id, secret, {**ORDER, "email": "ana@example.com", "travellers": [
        {**ORDER["travellers"][0], "passport": "PB1111111"}]}, idem="rr-2").json()
    assert_error_body(call("POST", f"{ORDERS}/{unpaid['order']}/refund-requests", key_id, secret,
                           {"travellers": [1], "reason": "other"}), 409, "order_not_paid")
    assert not RefundRequest.objects.exists()


def test_a_partner_can_withdraw_but_not_decide_and_other_partners_see_nothing(partner, paid_order, levy, world):
    endpoint, key_id, secret = partner
    created = _ask(partner, paid_order, {"travellers": [1, 2], "reason": "paid_twice"}).json()
    assert created["amount"] == 2 * paid_order.unit_amount
    other = services.register_endpoint(name="Villa", legal_name="PT Villa", nib="8120009999998", kind="accommodation",
                                       address="Ubud", website="", contact_name="Made", contact_email="made@example.com")
    services.decide_endpoint(other, status="approved", pks_number="PKS/3", by=levy.officer)
    other_key, other_secret = services.issue_endpoint_key(other, by=levy.officer)
    assert_error_body(call("GET", f"{REQUESTS}/{created['id']}", other_key.key_id, other_secret), 404, "not_found")
    assert_error_body(call("POST", f"{REQUESTS}/{created['id']}/withdraw", other_key.key_id, other_secret), 404, "not_found")

    partner_user = make_user("front_desk", world.agency_a, Role.PARTNER_ENDPOINT)
    refund_request = RefundRequest.objects.get(pk=created["id"])
    with pytest.raises(PermissionDenied):
        services.decide_refund_request(refund_request, approve=True, by=partner_user)
    assert _console(partner_user).get(f"/console/levy/refund-requests/{created['id']}/").status_code in (403, 404)

    withdrawn = call("POST", f"{REQUESTS}/{created['id']}/withdraw", key_id, secret)
    assert withdrawn.status_code == 200 and withdrawn.json()["state"] == "withdrawn"
    assert_error_body(call("POST", f"{REQUESTS}/{created['id']}/withdraw", key_id, secret), 409, "request_decided")
    with pytest.raises(services.ConflictError):
        services.decide_refund_request(refund_request, approve=True, by=levy.officer)
    assert not Voucher.objects.filter(traveller__order=paid_order, revoked_at__isnull=False).exists()


def test_the_front_office_asks_and_withdraws_from_its_console_page(partner, paid_order, levy, django_capture_on_commit_callbacks):
    from .test_partner_portal import invite

    endpoint, _key_id, _secret = partner
    user, _link = invite(levy, endpoint, "ayu@segara.example.com", django_capture_on_commit_callbacks)
    front = login(user)
    page = front.get("/console/levy/partner/").content.decode()
    assert paid_order.code in page and 'data-testid="refund-request-form"' in page
    bad = front.post("/console/levy/partner/", {"action": "request_refund", "endpoint": endpoint.code, "order": paid_order.code,
                                                "travellers": "two", "reason": "other"}, follow=True)
    assert not RefundRequest.objects.exists() and "Sebutkan setiap wisatawan" in bad.content.decode()
    front.post("/console/levy/partner/", {"action": "request_refund", "endpoint": endpoint.code, "order": paid_order.code,
                                          "travellers": "1; 2", "reason": "trip_cancelled", "note": "Rombongan batal"})
    made = RefundRequest.objects.get()
    assert (made.travellers, made.amount, made.state) == ([1, 2], 2 * paid_order.unit_amount, "pending")
    front.post("/console/levy/partner/", {"action": "withdraw_refund", "endpoint": endpoint.code, "refund_request": made.pk})
    assert RefundRequest.objects.get().state == RefundRequest.State.WITHDRAWN
