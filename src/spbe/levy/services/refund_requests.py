"""Partner refund requests: a Love Bali Endpoint asks for the levy of some travellers of a paid
order back (trip cancelled, paid twice, wrong details); a levy officer approves or rejects it.

Approval creates an ordinary Refund for those travellers (it then runs at the provider, or by
manual transfer) and revokes their vouchers at once. A voucher already shown at a checkpoint is
not refundable: the traveller has arrived on it."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from spbe.audit import services as audit
from spbe.core import permissions
from spbe.core.services import ConflictError, ServiceError

from .. import policy
from ..models import CheckpointScan, Order, Payment, RefundRequest, Traveller
from . import webhooks
from .common import utc_timestamp
from .partners import require_endpoint_manager
from .refunds import request_refund
from .vouchers import revoke_voucher

NOTE_MAX = 1000


def _refundable_travellers(order: Order, positions: list[int]) -> list[Traveller]:
    if not positions or len(set(positions)) != len(positions):
        raise ServiceError(_("Name each traveller to refund once (their numbers in the order)."),
                           code="bad_travellers", field="travellers")
    travellers = {t.position: t for t in order.travellers.select_related("voucher").all()}
    unknown = [p for p in positions if p not in travellers]
    if unknown:
        raise ServiceError(_("This order has no traveller %(n)s.") % {"n": unknown[0]}, code="bad_travellers", field="travellers")
    chosen = [travellers[p] for p in sorted(positions)]
    for traveller in chosen:
        voucher = getattr(traveller, "voucher", None)
        if voucher is None or voucher.revoked_at is not None:
            raise ConflictError(_("Traveller %(n)s has no valid voucher to refund.") % {"n": traveller.position},
                                code="not_refundable")
    used = set(CheckpointScan.objects.filter(voucher__in=[t.voucher for t in chosen], result=CheckpointScan.Result.VALID)
               .values_list("voucher_id", flat=True))
    for traveller in chosen:
        if traveller.voucher.pk in used:
            raise ConflictError(_("Traveller %(n)s's voucher was already checked on arrival; it cannot be refunded.")
                                % {"n": traveller.position}, code="voucher_used")
    return chosen


@transaction.atomic
def request_partner_refund(order: Order, *, travellers: list[int], reason: str, note: str = "", by=None) -> RefundRequest:
    """For the order's own endpoint: ``by=None`` is the endpoint itself through a signed API
    request (the API finds the order by the caller's endpoint), else a person of the endpoint."""
    order = Order.objects.select_for_update(of=("self",)).select_related("endpoint").get(pk=order.pk)  # endpoint is nullable: lock the order row only
    if order.endpoint_id is None:
        raise ConflictError(_("Only orders made through a Love Bali Endpoint can be refunded this way."), code="not_partner_order")
    require_endpoint_manager(by, order.endpoint)
    if order.sandbox:
        raise ConflictError(_("Sandbox orders cannot be refunded; cancel an unpaid one instead."), code="sandbox_order")
    if order.status != Order.Status.PAID:
        raise ConflictError(_("Only paid orders can be refunded."), code="order_not_paid")
    if reason not in RefundRequest.Reason.values:
        raise ServiceError(_("Choose a refund reason."), code="bad_reason", field="reason")
    if len(note or "") > NOTE_MAX:
        raise ServiceError(_("The note is too long (at most %(n)s characters).") % {"n": NOTE_MAX}, field="note")
    if order.refund_requests.filter(state=RefundRequest.State.PENDING).exists():
        raise ConflictError(_("A refund request for this order is already waiting for review."), code="request_pending")
    chosen = _refundable_travellers(order, travellers)
    try:
        with transaction.atomic():
            refund_request = RefundRequest.objects.create(
                order=order, endpoint_id=order.endpoint_id, travellers=[t.position for t in chosen],
                amount=order.unit_amount * len(chosen), reason=reason, note=(note or "").strip())
    except IntegrityError as exc:  # a concurrent request won the one pending slot
        raise ConflictError(_("A refund request for this order is already waiting for review."), code="request_pending") from exc
    audit.record("levy.refund_request.created", refund_request, actor=by, data={
        "order": order.code, "travellers": refund_request.travellers, "amount": refund_request.amount, "reason": reason})
    return refund_request


@transaction.atomic
def withdraw_refund_request(refund_request: RefundRequest, by=None) -> RefundRequest:
    refund_request = RefundRequest.objects.select_for_update().select_related("endpoint").get(pk=refund_request.pk)
    require_endpoint_manager(by, refund_request.endpoint)
    if refund_request.state != RefundRequest.State.PENDING:
        raise ConflictError(_("Only a request waiting for review can be withdrawn."), code="request_decided")
    refund_request.state = RefundRequest.State.WITHDRAWN
    refund_request.decided_at = timezone.now()
    refund_request.save(update_fields=["state", "decided_at"])
    audit.record("levy.refund_request.withdrawn", refund_request, actor=by, data={"order": refund_request.order.code})
    return refund_request


@transaction.atomic
def decide_refund_request(refund_request: RefundRequest, *, approve: bool, note: str = "", by) -> RefundRequest:
    permissions.require(by, "levy.add_refund", refund_request)
    refund_request = RefundRequest.objects.select_for_update().select_related("order").get(pk=refund_request.pk)
    if refund_request.state != RefundRequest.State.PENDING:
        raise ConflictError(_("This request has already been decided."), code="request_decided")
    note = (note or "").strip()
    if not approve and not note:
        raise ServiceError(_("Say why the request is rejected; the partner sees it."), field="note")
    order = refund_request.order
    if approve:
        # Checked again: a voucher may have been scanned or revoked since the partner asked.
        chosen = _refundable_travellers(order, refund_request.travellers)
        payment = order.payments.filter(state=Payment.State.CONFIRMED).order_by("confirmed_at").first()
        if payment is None:
            raise ConflictError(_("The order has no confirmed payment left to refund."), code="not_refundable")
        refund = request_refund(payment, amount=refund_request.amount, reason=policy.RefundReason.PARTNER_REQUEST,
                                note=_("Refund request %(id)s, travellers %(list)s.") % {
                                    "id": refund_request.pk, "list": ", ".join(str(p) for p in refund_request.travellers)},
                                by=by)
        for traveller in chosen:
            revoke_voucher(traveller.voucher, f"refund request {refund_request.pk}", by=by)
        refund_request.refund = refund
    refund_request.state = RefundRequest.State.APPROVED if approve else RefundRequest.State.REJECTED
    refund_request.decided_at = timezone.now()
    refund_request.decided_by = by
    refund_request.decision_note = note
    refund_request.save(update_fields=["state", "decided_at", "decided_by", "decision_note", "refund"])
    audit.record(f"levy.refund_request.{refund_request.state}", refund_request, actor=by,
                 data={"order": order.code, "amount": refund_request.amount, "note": note})
    webhooks.emit(order.endpoint_id, "refund_request.decided", lambda: partner_refund_request_view(refund_request))
    return refund_request


def partner_refund_request_view(refund_request: RefundRequest) -> dict:
    refund = refund_request.refund
    return {
        "id": refund_request.pk, "order": refund_request.order.code, "travellers": refund_request.travellers,
        "amount": refund_request.amount, "currency": "IDR", "reason": refund_request.reason, "note": refund_request.note,
        "state": refund_request.state, "created_at": utc_timestamp(refund_request.created_at),
        "decided_at": utc_timestamp(refund_request.decided_at), "decision_note": refund_request.decision_note,
        "refund": None if refund is None else {"id": refund.pk, "state": refund.state, "done_at": utc_timestamp(refund.done_at)},
    }


def refund_requests_for(user, state: str = RefundRequest.State.PENDING):
    """Requests in ``state`` (all when empty) that ``user`` may see: the officers' review queue
    (pending ones oldest first, the others newest first)."""
    qs = RefundRequest.objects.select_related("order", "endpoint", "refund")
    if state:
        qs = qs.filter(state=state)
    qs = permissions.scope_queryset(user, "levy.view_refund", qs)
    return qs.order_by("created_at") if state == RefundRequest.State.PENDING else qs.order_by("-created_at")
