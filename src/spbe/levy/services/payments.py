"""Payments and provider notifications: charges, counter payments, status checks and confirmation."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from spbe.audit import services as audit
from spbe.core import permissions
from spbe.core.services import ConflictError, ServiceError, ServiceUnavailable

from .. import metrics as levy_metrics
from .. import policy
from ..models import (
    Order,
    Payment,
    ProviderNotification,
    Refund,
)
from ..providers import NotificationRejected, ProviderError, get_provider
from ..providers.base import ProviderStatus

from . import queues, webhooks
from .common import logger
from .partners import _book_commission, partner_order_view
from .vouchers import _issue_locked


def start_payment(order: Order, method: str, *, notify_url: str, return_url: str = "", provider: str | None = None) -> Payment:
    """Ask the provider for payment instructions (QRIS, VA number or card page).

    An open attempt with the same method is reused, so reloading the page does not create
    new bills at the bank.
    """
    if method not in Payment.Method.values:
        raise ServiceError(_("Choose a payment method."), code="bad_method")
    provider_impl = get_provider(provider)
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        if order.status == Order.Status.PAID:
            raise ConflictError(_("This order is already paid."), code="already_paid")
        if order.status != Order.Status.PENDING or order.expires_at < timezone.now():
            raise ConflictError(_("This order has expired; please start a new one."), code="order_expired")
        attempts = list(order.payments.all())
        for attempt in attempts:
            if attempt.state == Payment.State.PENDING and attempt.method == method and attempt.provider == provider_impl.identifier:
                return attempt
        local_id = max((a.local_id for a in attempts), default=0) + 1
        payment = Payment.objects.create(
            order=order, local_id=local_id, provider=provider_impl.identifier, method=method, amount=order.total
        )
        audit.record("levy.payment.created", payment, data={"method": method, "provider": provider_impl.identifier, "amount": payment.amount})
    try:
        instructions = provider_impl.create_charge(
            merchant_reference=payment.merchant_reference,
            amount=payment.amount,
            method=method,
            notify_url=notify_url,
            return_url=return_url,
            email=order.email,
        )
    except ProviderError as exc:
        with transaction.atomic():
            Payment.objects.filter(pk=payment.pk, state=Payment.State.CREATED).update(state=Payment.State.FAILED, error=str(exc)[:300])
            audit.record("levy.payment.failed", payment, data={"error": str(exc)[:300]})
        raise ServiceUnavailable(_("The payment service is not reachable right now. Please try again in a minute."),
                                 code="provider_unavailable", retry_after=60) from exc
    info = {
        "qris": instructions.qris,
        "va_number": instructions.va_number,
        "redirect_url": instructions.redirect_url,
        "expires_at": instructions.expires_at,
    }
    # One statement; a notification that already confirmed the payment keeps its state.
    Payment.objects.filter(pk=payment.pk).update(
        provider_reference=instructions.provider_reference, info=info,
        state=Case(When(state=Payment.State.CREATED, then=Value(Payment.State.PENDING)), default=F("state")),
    )
    payment.provider_reference, payment.info = instructions.provider_reference, info
    if payment.state == Payment.State.CREATED:
        payment.state = Payment.State.PENDING
    return payment


def record_counter_payment(order: Order, *, approval_code: str, by) -> Payment:
    """A card payment taken on a counter EDC terminal, recorded by the bank officer."""
    permissions.require_unless_system(by, "levy.add_counterpayment", order)
    approval_code = (approval_code or "").strip()
    if not approval_code.isalnum() or not 4 <= len(approval_code) <= 20:
        raise ServiceError(_("Enter the approval code printed on the EDC receipt."), field="approval_code")
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if locked.status == Order.Status.PAID:
            raise ConflictError(_("This order is already paid."), code="already_paid")
        local_id = (locked.payments.order_by("-local_id").values_list("local_id", flat=True).first() or 0) + 1
        payment = Payment.objects.create(
            order=locked, local_id=local_id, provider="edc", method=Payment.Method.CARD, amount=locked.total,
            provider_reference=f"EDC-{approval_code}-{locked.code}", state=Payment.State.PENDING,
        )
        audit.record("levy.payment.created", payment, actor=by, data={"method": "card", "provider": "edc", "amount": payment.amount})
        _confirm(payment, ProviderStatus(payment.provider_reference, payment.merchant_reference, "paid", payment.amount))
    return payment


def _payment_for(provider: str, provider_reference: str, merchant_reference: str) -> Payment | None:
    payments = Payment.objects.select_related("order")  # merchant_reference names the order
    payment = payments.filter(provider=provider, provider_reference=provider_reference).first()
    if payment is None and "-P" in merchant_reference:
        code, _sep, local_id = merchant_reference.rpartition("-P")
        if local_id.isdigit():
            payment = payments.filter(provider=provider, order__code=code, local_id=int(local_id)).first()
    return payment


def handle_notification(provider_id: str, headers: dict, body: bytes) -> str:
    """Process one provider notification; safe to call any number of times for the same event.

    1. verify the signature or token (NotificationRejected otherwise);
    2. re-query the provider (never trust the notification's own claim);
    3. record it once per (provider, event) and apply the provider's status to the payment.
    """
    provider = get_provider(provider_id)
    headers = {k.lower(): v for k, v in headers.items()}
    try:
        event = provider.parse_notification(headers, body)
    except NotificationRejected:
        levy_metrics.count_notification(provider.identifier, "rejected")
        raise
    except (ValueError, KeyError, TypeError) as exc:
        levy_metrics.count_notification(provider.identifier, "rejected")
        raise NotificationRejected(f"unreadable notification: {exc.__class__.__name__}") from exc
    payment = _payment_for(provider.identifier, event.provider_reference, event.merchant_reference)
    status = None
    if payment is not None:
        status = provider.query_status(provider_reference=payment.provider_reference or event.provider_reference,
                                       merchant_reference=payment.merchant_reference)
    dedupe_key = event.dedupe_key[:200]
    with transaction.atomic():
        # Stored once per (provider, event): a repeat leaves the row and only counts it (below).
        ProviderNotification.objects.bulk_create([ProviderNotification(
            provider=provider.identifier, dedupe_key=dedupe_key, provider_reference=event.provider_reference,
            body=body.decode("utf-8", "replace")[:20000], times_received=0,
        )], ignore_conflicts=True)
        if payment is None:
            outcome = "unknown payment"
        else:
            outcome = apply_provider_status(payment.pk, status)
        ProviderNotification.objects.filter(provider=provider.identifier, dedupe_key=dedupe_key).update(
            outcome=outcome, times_received=F("times_received") + 1)
    levy_metrics.count_notification(provider.identifier, outcome)
    return outcome


def refresh_payment(payment: Payment) -> str:
    """Ask the provider for the payment's status now (used by the return page and sweeps)."""
    if not payment.provider_reference:
        return "no provider reference"
    status = get_provider(payment.provider).query_status(
        provider_reference=payment.provider_reference, merchant_reference=payment.merchant_reference
    )
    return apply_provider_status(payment.pk, status)


def apply_provider_status(payment_id: int, status: ProviderStatus) -> str:
    # Batched: the audit chain is locked only at the very end (paying is the hot path).
    # No savepoint of its own inside a notification's transaction: a failure undoes both.
    with transaction.atomic(savepoint=False), audit.batched():
        payment = Payment.objects.select_for_update().select_related("order").get(pk=payment_id)
        if status.status == "paid":
            return _confirm(payment, status)
        if status.status in ("expired", "failed") and payment.state in (Payment.State.CREATED, Payment.State.PENDING):
            payment.state = Payment.State.FAILED if status.status == "failed" else Payment.State.CANCELED
            payment.error = f"provider reports {status.status}"
            payment.save(update_fields=["state", "error"])
            audit.record("levy.payment.failed", payment, data={"provider_status": status.status})
            return f"payment {status.status}"
        return f"no change ({status.status})"


def _confirm(payment: Payment, status: ProviderStatus) -> str:
    """Inside a transaction holding the payment lock."""
    if payment.state in (Payment.State.CONFIRMED, Payment.State.REFUNDED):
        return "already confirmed"
    if status.amount != payment.amount:
        payment.error = f"provider reports {status.amount}, expected {payment.amount}"
        payment.save(update_fields=["error"])
        audit.record("levy.payment.amount_mismatch", payment, data={"reported": status.amount, "expected": payment.amount})
        return "amount mismatch (flagged)"
    # Locked with the payment (apply_provider_status selects both rows FOR UPDATE).
    order = payment.order
    payment.state = Payment.State.CONFIRMED
    payment.confirmed_at = timezone.now()
    payment.error = ""
    payment.save(update_fields=["state", "confirmed_at", "error"])
    audit.record("levy.payment.confirmed", payment, data={"amount": payment.amount, "provider_reference": payment.provider_reference})
    if order.status == Order.Status.PAID:
        # Paid twice (two tabs, two methods): the later payment goes back in full.
        refund = Refund.objects.create(
            payment=payment, amount=payment.amount, reason=policy.RefundReason.DUPLICATE_PAYMENT,
            note=_("Order %(code)s was already paid.") % {"code": order.code},
        )
        audit.record("levy.refund.created", refund, data={"reason": refund.reason, "amount": refund.amount, "automatic": True})
        queues._enqueue_refund(refund.pk)
        return "duplicate payment (refund created)"
    order.status = Order.Status.PAID
    order.paid_at = payment.confirmed_at
    audit.record("levy.order.paid", order, data={"payment": payment.local_id})
    if order.endpoint_id and not order.sandbox:
        _book_commission(order, payment)
        webhooks.emit(order.endpoint_id, "order.paid", lambda: partner_order_view(order, payment))
    # Vouchers are issued in the same transaction as the payment (one commit, one audit-chain
    # lock). Should that fail, the payment still stands and the task — or, if the queue is
    # down too, the repair sweep — issues them later.
    try:
        with transaction.atomic():
            _issue_locked(order, paying=payment, also_save=["status", "paid_at"])
    except Exception:
        logger.exception("issuing vouchers for %s failed; queued for retry", order.code)
        order.vouchers_issued_at = None
        order.save(update_fields=["status", "paid_at"])
        order_id = order.pk
        transaction.on_commit(lambda: queues._enqueue_voucher_issue(order_id))
    return "confirmed"


def pay_sandbox_order(order: Order) -> Order:
    """Pay a partner's sandbox order at the bank simulator (its payer-side endpoint) and apply
    the simulator's answer at once; the simulator's signed notification follows as usual."""
    from django.conf import settings

    if not order.sandbox:
        raise ConflictError(_("Only sandbox orders can be paid this way."), code="not_sandbox")
    payment = order.payments.filter(state=Payment.State.PENDING).order_by("-local_id").first()
    if payment is None:
        raise ConflictError(_("This order has no payment waiting."), code="no_pending_payment")
    provider = get_provider(settings.LEVY_SANDBOX_PROVIDER)
    try:
        provider.simulate_payment(payment.provider_reference)
    except ProviderError as exc:
        raise ServiceUnavailable(_("The bank simulator is not reachable right now."), code="provider_unavailable") from exc
    refresh_payment(payment)
    order.refresh_from_db()
    return order
