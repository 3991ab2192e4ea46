"""Refunds: requested by officers, executed at the provider or paid by manual transfer."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from spbe.audit import services as audit
from spbe.core import permissions
from spbe.core.services import ConflictError, ServiceError

from .. import policy
from ..models import (
    CommissionEntry,
    Payment,
    Refund,
    Voucher,
)
from ..providers import ProviderError, get_provider

from . import queues
from .vouchers import revoke_voucher
from . import webhooks
from .common import utc_timestamp


@transaction.atomic
def request_refund(payment: Payment, *, amount: int, reason: str, note: str = "", revoke_vouchers: bool = False, by=None) -> Refund:
    permissions.require_unless_system(by, "levy.add_refund", payment)
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.state != Payment.State.CONFIRMED:
        raise ConflictError(_("Only confirmed payments can be refunded."), code="not_refundable")
    if reason not in policy.RefundReason.values:
        raise ServiceError(_("Choose a refund reason."), code="bad_reason", field="reason")
    open_amount = payment.refunds.exclude(state__in=[Refund.State.FAILED, Refund.State.CANCELED]).aggregate(s=Sum("amount"))["s"] or 0
    if amount <= 0 or amount + open_amount > payment.amount:
        raise ServiceError(
            _("The refund must be between 1 and %(max)s rupiah.") % {"max": payment.amount - open_amount}, code="bad_amount", field="amount"
        )
    refund = Refund.objects.create(payment=payment, amount=amount, reason=reason, note=note, revokes_vouchers=revoke_vouchers)
    audit.record("levy.refund.created", refund, actor=by, data={"reason": reason, "amount": amount, "revokes_vouchers": revoke_vouchers})
    queues._enqueue_refund(refund.pk)
    return refund


def execute_refund(refund_id: int) -> Refund:
    """Send a refund to the provider; on failure it stays retryable or can be paid manually."""
    with transaction.atomic():
        refund = Refund.objects.select_for_update().select_related("payment__order").get(pk=refund_id)
        if refund.state not in (Refund.State.CREATED, Refund.State.FAILED):
            return refund
        refund.state = Refund.State.TRANSIT
        refund.save(update_fields=["state"])
    payment = refund.payment
    try:
        reference = get_provider(payment.provider).refund(
            provider_reference=payment.provider_reference, merchant_reference=payment.merchant_reference,
            amount=refund.amount, refund_key=f"RF-{refund.pk}",
        )
    except ProviderError as exc:
        with transaction.atomic():
            Refund.objects.filter(pk=refund.pk).update(state=Refund.State.FAILED, error=str(exc)[:300])
            audit.record("levy.refund.failed", refund, data={"error": str(exc)[:300]})
        refund.refresh_from_db()
        return refund
    return _complete_refund(refund.pk, reference)


@transaction.atomic
def _complete_refund(refund_id: int, provider_reference: str, by=None) -> Refund:
    refund = Refund.objects.select_for_update().select_related("payment__order").get(pk=refund_id)
    if refund.state == Refund.State.DONE:
        return refund
    refund.state = Refund.State.DONE
    refund.done_at = timezone.now()
    refund.provider_reference = provider_reference[:100]
    refund.save(update_fields=["state", "done_at", "provider_reference"])
    payment = Payment.objects.select_for_update().get(pk=refund.payment_id)
    refunded = payment.refunds.filter(state=Refund.State.DONE).aggregate(s=Sum("amount"))["s"] or 0
    if refunded >= payment.amount:
        payment.state = Payment.State.REFUNDED
        payment.save(update_fields=["state"])
    audit.record("levy.refund.done", refund, actor=by, data={"provider_reference": refund.provider_reference, "amount": refund.amount})
    order = payment.order
    if refund.revokes_vouchers:
        for voucher in Voucher.objects.filter(traveller__order=order, revoked_at__isnull=True):
            revoke_voucher(voucher, f"refund {refund.pk}: {refund.get_reason_display()}")
    if order.endpoint_id:
        entry = CommissionEntry.objects.filter(payment=payment, refund__isnull=True).first()
        if entry is not None:
            CommissionEntry.objects.create(
                endpoint_id=order.endpoint_id, order=order, payment=payment, refund=refund, levy_amount=-refund.amount,
                rate=entry.rate, amount=-policy.commission_on(refund.amount, entry.rate), booked_at=refund.done_at,
            )
        webhooks.emit(order.endpoint_id, "refund.done", lambda: {
            "order": order.code, "refund": {"id": refund.pk, "amount": refund.amount, "reason": refund.reason,
                                            "done_at": utc_timestamp(refund.done_at)},
            "refunded": refunded, "payment": {"id": payment.local_id, "state": payment.state}})
    return refund


@transaction.atomic
def mark_refund_external(refund: Refund, by, note: str = "") -> Refund:
    """The provider cannot refund (card expired, VA): finance pays by manual transfer."""
    permissions.require(by, "levy.change_refund", refund)
    refund = Refund.objects.select_for_update().get(pk=refund.pk)
    if refund.state not in (Refund.State.CREATED, Refund.State.FAILED):
        raise ConflictError(_("This refund is already being processed."), code="refund_busy")
    refund.state = Refund.State.EXTERNAL
    refund.note = (refund.note + "\n" + note).strip()
    refund.save(update_fields=["state", "note"])
    audit.record("levy.refund.external", refund, actor=by, data={"note": note})
    return refund


def complete_external_refund(refund: Refund, by, transfer_reference: str) -> Refund:
    permissions.require(by, "levy.change_refund", refund)
    if refund.state != Refund.State.EXTERNAL:
        raise ConflictError(_("Only refunds marked for manual transfer can be completed here."), code="refund_not_external")
    if not transfer_reference.strip():
        raise ServiceError(_("Enter the bank transfer reference."), field="transfer_reference")
    return _complete_refund(refund.pk, transfer_reference.strip(), by=by)


def retry_refund(refund: Refund, by) -> None:
    permissions.require(by, "levy.change_refund", refund)
    if refund.state != Refund.State.FAILED:
        raise ConflictError(_("Only failed refunds can be retried."), code="refund_not_failed")
    audit.record("levy.refund.retried", refund, actor=by)
    queues._enqueue_refund(refund.pk)
