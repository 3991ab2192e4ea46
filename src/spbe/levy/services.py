"""Every write of the levy module: orders, payments, notifications, vouchers, refunds,
exemptions, checkpoint scans, partner endpoints, commission and reconciliation.

Rules of the house:

* money-moving state changes lock the row (``select_for_update``) and re-read it, so a
  replayed or concurrent notification finds the work already done;
* calls to a payment provider happen outside database transactions (a slow bank must not
  hold locks) and every answer is re-checked against the provider's status API;
* "paid but no voucher" is an invariant the repair sweep restores (``repair_missing_vouchers``);
* every state change of value is in the audit log; ``by=None`` means the system or a
  member of the public, and skips the rights check.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import secrets
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Case, Count, F, Sum, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from spbe.audit import services as audit
from spbe.core import context, permissions
from spbe.core.models import Institution
from spbe.core.services import ConflictError, ServiceError

from . import codec, documents, policy, protect
from .models import (
    ArrivalCount,
    Channel,
    CheckpointScan,
    CommissionEntry,
    CommissionStatement,
    Endpoint,
    EndpointKey,
    Exemption,
    ExemptionDocument,
    IdempotencyRecord,
    Order,
    Payment,
    ProviderNotification,
    Refund,
    SettlementBatch,
    SettlementLine,
    SigningKey,
    Traveller,
    Voucher,
)
from .providers import NotificationRejected, ProviderError, get_provider
from .providers.base import ProviderStatus

CODE_ALPHABET = codec.REFERENCE_ALPHABET
logger = logging.getLogger("spbe.levy")
_INSTITUTION: dict[str, Institution] = {}  # institutions are never deleted (PROTECT), so caching by code is safe


def levy_institution() -> Institution:
    cached = _INSTITUTION.get(settings.LEVY_INSTITUTION_CODE)
    if cached is not None:
        return cached
    institution = Institution.objects.filter(code=settings.LEVY_INSTITUTION_CODE).first()
    if institution is not None:
        code = settings.LEVY_INSTITUTION_CODE
        transaction.on_commit(lambda: _INSTITUTION.__setitem__(code, institution))
    if institution is None:
        raise ServiceError(_("The levy is not configured: no institution %(code)s.") % {"code": settings.LEVY_INSTITUTION_CODE})
    return institution


def clear_caches() -> None:
    """Forget cached institution and signing key (tests roll back rows without signals)."""
    _INSTITUTION.clear()
    _ACTIVE_KEY.clear()


def _random_code(length: int) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def _unique_code(model, field: str, prefix: str, length: int) -> str:
    for _attempt in range(20):
        code = prefix + _random_code(length)
        if not model.objects.filter(**{field: code}).exists():
            return code
    raise RuntimeError("could not find a free code")  # 31^8 codes: only a broken RNG gets here


def _today() -> date:
    return timezone.localdate()


# --- travellers and orders ------------------------------------------------------------


@dataclass(frozen=True)
class TravellerInput:
    full_name: str
    nationality: str  # ISO alpha-2
    passport: str
    arrival_date: date


def _check_travellers(travellers: list[TravellerInput], today: date) -> list[TravellerInput]:
    from .countries import is_foreign_nationality

    if not travellers:
        raise ServiceError(_("Add at least one traveller."), code="no_travellers")
    if len(travellers) > settings.LEVY_MAX_TRAVELLERS_PER_ORDER:
        raise ServiceError(
            _("One order can hold at most %(n)s travellers.") % {"n": settings.LEVY_MAX_TRAVELLERS_PER_ORDER},
            code="too_many_travellers",
        )
    cleaned, seen = [], set()
    for position, t in enumerate(travellers, start=1):
        name = " ".join((t.full_name or "").split())
        number = protect.normalize_passport(t.passport)
        nationality = (t.nationality or "").upper()
        where = {"n": position}
        if not name or len(name) > 100:
            raise ServiceError(_("Traveller %(n)s: enter the name as written in the passport.") % where, code="bad_name", field=f"{position}.full_name")
        if not is_foreign_nationality(nationality):
            raise ServiceError(_("Traveller %(n)s: choose the nationality shown in the passport.") % where, code="bad_nationality", field=f"{position}.nationality")
        if not protect.is_plausible_passport(number):
            raise ServiceError(
                _("Traveller %(n)s: a passport number has 5 to 15 letters and digits.") % where, code="bad_passport", field=f"{position}.passport"
            )
        if t.arrival_date is None or t.arrival_date < today - timedelta(days=settings.LEVY_VOUCHER_VALID_DAYS):
            raise ServiceError(_("Traveller %(n)s: the arrival date is too far in the past.") % where, code="bad_arrival", field=f"{position}.arrival_date")
        if t.arrival_date > today + timedelta(days=365):
            raise ServiceError(_("Traveller %(n)s: the arrival date is more than a year ahead.") % where, code="bad_arrival", field=f"{position}.arrival_date")
        key = (nationality, number)
        if key in seen:
            raise ServiceError(_("Traveller %(n)s appears twice in this order.") % where, code="duplicate_traveller", field=f"{position}.passport")
        seen.add(key)
        cleaned.append(TravellerInput(name, nationality, number, t.arrival_date))
    return cleaned


def covering_voucher(passport_hash: str, on: date, *, exclude_order_id: int | None = None) -> Voucher | None:
    """A valid, unrevoked voucher (paid or exempt) for this passport covering ``on``."""
    qs = Voucher.objects.filter(passport_hash=passport_hash, revoked_at__isnull=True, valid_from__lte=on, valid_until__gte=on)
    if exclude_order_id is not None:
        qs = qs.exclude(traveller__order_id=exclude_order_id)
    return qs.order_by("valid_until").last()


def coverage(nationality: str, passport: str, on: date | None = None) -> dict:
    """Minimal answer to "is this traveller covered?" (yes/no, kind and validity only)."""
    on = on or _today()
    voucher = covering_voucher(protect.passport_hash(nationality, passport), on)
    if voucher is None:
        return {"covered": False, "kind": None, "valid_until": None}
    return {"covered": True, "kind": voucher.kind, "valid_until": voucher.valid_until.isoformat()}


@transaction.atomic
def create_order(
    *,
    email: str,
    travellers: list[TravellerInput],
    channel: str = Channel.WEB,
    endpoint: Endpoint | None = None,
    language: str = "en",
    by=None,
    today: date | None = None,
) -> Order:
    """A pending order for 1..N travellers. Travellers already covered are refused (409)."""
    today = today or _today()
    cleaned = _check_travellers(travellers, today)
    if channel == Channel.ENDPOINT and (endpoint is None or endpoint.status != Endpoint.Status.APPROVED):
        raise ServiceError(_("This endpoint is not approved to collect the levy."), code="endpoint_not_approved")
    try:
        unit = policy.tariff_on(today)
    except ValueError as exc:
        raise ServiceError(_("The levy is not in force on this date."), code="no_tariff") from exc
    covered = []
    for position, t in enumerate(cleaned, start=1):
        voucher = covering_voucher(protect.passport_hash(t.nationality, t.passport), t.arrival_date)
        if voucher is not None:
            covered.append({"traveller": position, "valid_until": voucher.valid_until.isoformat(), "kind": voucher.kind})
    if covered:
        error = ConflictError(
            _("Traveller %(n)s is already covered by a voucher valid until %(date)s; remove them from this order.")
            % {"n": covered[0]["traveller"], "date": covered[0]["valid_until"]},
            code="already_covered",
        )
        error.details = covered
        raise error
    order = Order.objects.create(
        institution=levy_institution(),
        code="LB" + _random_code(8),  # unique constraint guards the (31^8) space
        channel=channel,
        endpoint=endpoint,
        email=email.strip().lower(),
        language=language[:10],
        unit_amount=unit,
        total=unit * len(cleaned),
        expires_at=timezone.now() + timedelta(hours=settings.LEVY_ORDER_TTL_HOURS),
    )
    Traveller.objects.bulk_create(
        [
            Traveller(
                order=order,
                position=position,
                full_name=t.full_name,
                nationality=t.nationality,
                passport_hash=protect.passport_hash(t.nationality, t.passport),
                passport_encrypted=protect.encrypt(t.passport),
                passport_hint=protect.mask_passport(t.passport),
                arrival_date=t.arrival_date,
            )
            for position, t in enumerate(cleaned, start=1)
        ]
    )
    audit.record(
        "levy.order.created", order, actor=by,
        data={"channel": channel, "endpoint": endpoint.code if endpoint else None, "travellers": len(cleaned), "total": order.total},
    )
    return order


def find_order(code: str, email: str) -> Order | None:
    """The order with this code and email (both must match; used by "find my voucher")."""
    code = (code or "").strip().upper()
    return Order.objects.filter(code=code, email=(email or "").strip().lower()).first()


def voucher_status(order: Order) -> dict:
    """Public status of an order's vouchers: no passport data, names only."""
    rows = []
    for traveller in order.travellers.select_related("voucher"):
        voucher = getattr(traveller, "voucher", None)
        rows.append(
            {
                "traveller": traveller.position,
                "name": traveller.full_name,
                "reference": voucher.reference if voucher else None,
                "status": ("revoked" if voucher.revoked_at else "valid") if voucher else
                          ("already_covered" if traveller.covered_by_existing_id else "not_issued"),
                "valid_from": voucher.valid_from.isoformat() if voucher else None,
                "valid_until": voucher.valid_until.isoformat() if voucher else None,
            }
        )
    return {"order": order.code, "status": order.status, "vouchers": rows}


@transaction.atomic
def expire_orders(now: datetime | None = None) -> int:
    now = now or timezone.now()
    count = 0
    for order in Order.objects.select_for_update().filter(status=Order.Status.PENDING, expires_at__lt=now):
        order.status = Order.Status.EXPIRED
        order.save(update_fields=["status"])
        audit.record("levy.order.expired", order)
        count += 1
    return count


# --- payments -------------------------------------------------------------------------


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
        raise ServiceError(_("The payment service is not reachable right now. Please try again in a minute."), code="provider_unavailable") from exc
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
    payment = Payment.objects.filter(provider=provider, provider_reference=provider_reference).first()
    if payment is None and "-P" in merchant_reference:
        code, _sep, local_id = merchant_reference.rpartition("-P")
        if local_id.isdigit():
            payment = Payment.objects.filter(provider=provider, order__code=code, local_id=int(local_id)).first()
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
    except (ValueError, KeyError, TypeError) as exc:
        raise NotificationRejected(f"unreadable notification: {exc.__class__.__name__}") from exc
    payment = _payment_for(provider.identifier, event.provider_reference, event.merchant_reference)
    status = None
    if payment is not None:
        status = provider.query_status(provider_reference=payment.provider_reference or event.provider_reference,
                                       merchant_reference=payment.merchant_reference)
    with transaction.atomic():
        try:
            with transaction.atomic():
                ProviderNotification.objects.create(
                    provider=provider.identifier, dedupe_key=event.dedupe_key[:200],
                    provider_reference=event.provider_reference, body=body.decode("utf-8", "replace")[:20000],
                )
        except IntegrityError:
            ProviderNotification.objects.filter(provider=provider.identifier, dedupe_key=event.dedupe_key[:200]).update(
                times_received=F("times_received") + 1
            )
        if payment is None:
            outcome = "unknown payment"
        else:
            outcome = apply_provider_status(payment.pk, status)
        ProviderNotification.objects.filter(provider=provider.identifier, dedupe_key=event.dedupe_key[:200]).update(outcome=outcome)
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
    with transaction.atomic():
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
        _enqueue_refund(refund.pk)
        return "duplicate payment (refund created)"
    order.status = Order.Status.PAID
    order.paid_at = payment.confirmed_at
    audit.record("levy.order.paid", order, data={"payment": payment.local_id})
    if order.endpoint_id:
        _book_commission(order, payment)
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
        transaction.on_commit(lambda: _enqueue_voucher_issue(order_id))
    return "confirmed"


def _enqueue_voucher_issue(order_id: int) -> None:
    from .tasks import issue_order_vouchers

    issue_order_vouchers.enqueue(order_id)


def _enqueue_refund(refund_id: int) -> None:
    from .tasks import execute_refund_task

    transaction.on_commit(lambda: execute_refund_task.enqueue(refund_id))


# --- vouchers -------------------------------------------------------------------------


@lru_cache(maxsize=8)
def _private_key(key_id: int, encrypted: str) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(protect.decrypt(encrypted)))


_ACTIVE_KEY: dict = {}
ACTIVE_KEY_CACHE_SECONDS = 60  # after a rotation other processes sign with the old key (still valid) this long


def active_signing_key() -> SigningKey:
    cached = _ACTIVE_KEY.get("key")
    if cached is not None and _ACTIVE_KEY["until"] > time.monotonic():
        return cached
    key = SigningKey.objects.filter(retired_at__isnull=True).order_by("-number").first() or rotate_signing_key()
    # Cache only once committed: a key made in a transaction that rolls back must not linger.
    transaction.on_commit(lambda: _ACTIVE_KEY.update(key=key, until=time.monotonic() + ACTIVE_KEY_CACHE_SECONDS))
    return key


@transaction.atomic
def rotate_signing_key(by=None) -> SigningKey:
    """A new key for new vouchers; old keys stay published so issued vouchers still verify."""
    permissions.require_unless_system(by, "levy.add_signingkey")
    last = SigningKey.objects.select_for_update().order_by("-number").first()
    number = (last.number if last else 0) + 1
    if number > 255:
        raise ServiceError(_("All 255 key numbers are used."))
    private = Ed25519PrivateKey.generate()
    from cryptography.hazmat.primitives import serialization

    raw_private = private.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    raw_public = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    SigningKey.objects.filter(retired_at__isnull=True).update(retired_at=timezone.now())
    key = SigningKey.objects.create(number=number, public_key=raw_public.hex(), private_key_encrypted=protect.encrypt(raw_private.hex()))
    _ACTIVE_KEY.clear()
    audit.record("levy.signing_key.created", key, actor=by, data={"number": number, "public_key": key.public_key})
    return key


def public_keys() -> dict[int, Ed25519PublicKey]:
    return {k.number: Ed25519PublicKey.from_public_bytes(bytes.fromhex(k.public_key)) for k in SigningKey.objects.all()}


def _sign_voucher(*, reference, kind, valid_from, valid_until, nationality, name, passport_check) -> tuple[str, SigningKey]:
    key = active_signing_key()
    claims = codec.VoucherClaims(
        key_number=key.number, kind=kind, reference=reference, valid_from=valid_from, valid_until=valid_until,
        passport_check=passport_check, nationality=nationality, name=name,
    )
    return codec.sign(claims, _private_key(key.pk, key.private_key_encrypted)), key


def _new_voucher(*, institution_id, kind, traveller=None, exemption=None, passport_hash, passport, nationality, name,
                 valid_from, valid_until) -> Voucher:
    # 31^8 references: a collision is vanishingly rare and the unique constraint refuses it
    # (the transaction then fails and the task or sweep issues again with a new reference).
    reference = _random_code(codec.REFERENCE_LENGTH)
    code, key = _sign_voucher(
        reference=reference, kind=kind, valid_from=valid_from, valid_until=valid_until, nationality=nationality,
        name=name, passport_check=protect.passport_check_bytes(nationality, passport),
    )
    return Voucher.objects.create(
        institution_id=institution_id, reference=reference, kind=kind, traveller=traveller, exemption=exemption,
        passport_hash=passport_hash, full_name=name, nationality=nationality, code=code, key=key,
        valid_from=valid_from, valid_until=valid_until,
    )


def issue_vouchers(order_id: int) -> int:
    """Issue the vouchers of a paid order; idempotent (returns how many were created now)."""
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order_id)
        if order.status != Order.Status.PAID or order.vouchers_issued_at is not None:
            return 0
        return _issue_locked(order)


def _issue_locked(order: Order, paying: Payment | None = None, also_save: list[str] | None = None) -> int:
    """Inside a transaction holding the order's row lock. ``also_save``: order fields the
    caller changed, written in the same UPDATE."""
    created = 0
    for traveller in order.travellers.select_related("voucher").all():
        if hasattr(traveller, "voucher"):
            continue
        existing = covering_voucher(traveller.passport_hash, traveller.arrival_date, exclude_order_id=order.pk)
        if existing is not None:
            # Covered meanwhile (another order or an exemption): pay this traveller back.
            paying = paying or order.payments.filter(state=Payment.State.CONFIRMED).order_by("confirmed_at").first()
            traveller.covered_by_existing = existing
            traveller.save(update_fields=["covered_by_existing"])
            refund = Refund.objects.create(
                payment=paying, amount=order.unit_amount, reason=policy.RefundReason.ALREADY_COVERED,
                note=_("Traveller %(n)s already holds voucher %(ref)s.") % {"n": traveller.position, "ref": existing.reference},
            )
            audit.record("levy.refund.created", refund, data={"reason": refund.reason, "amount": refund.amount, "automatic": True})
            _enqueue_refund(refund.pk)
            continue
        valid_from, valid_until = policy.validity_for_arrival(traveller.arrival_date)
        voucher = _new_voucher(
            institution_id=order.institution_id, kind=Voucher.Kind.PAID, traveller=traveller,
            passport_hash=traveller.passport_hash, passport=protect.decrypt(traveller.passport_encrypted),
            nationality=traveller.nationality, name=traveller.full_name, valid_from=valid_from, valid_until=valid_until,
        )
        audit.record("levy.voucher.issued", voucher, data={"order": order.code, "traveller": traveller.position})
        created += 1
    order.vouchers_issued_at = timezone.now()
    order.save(update_fields=["vouchers_issued_at", *(also_save or [])])
    order_id = order.pk
    transaction.on_commit(lambda: _enqueue_voucher_mail(order_id))
    return created


def _enqueue_voucher_mail(order_id: int) -> None:
    from .tasks import send_order_vouchers

    send_order_vouchers.enqueue(order_id)


def repair_missing_vouchers(older_than_seconds: int = 60) -> int:
    """The "charged but no voucher" sweep: paid orders whose vouchers were never issued."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    repaired = 0
    for order_id in Order.objects.filter(
        status=Order.Status.PAID, vouchers_issued_at__isnull=True, paid_at__lte=cutoff
    ).values_list("pk", flat=True):
        if issue_vouchers(order_id):
            repaired += 1
    return repaired


def send_order_vouchers(order_id: int) -> bool:
    from django.core.mail import EmailMessage
    from django.template.loader import render_to_string
    from django.utils import translation

    from .pdf import vouchers_pdf

    order = Order.objects.get(pk=order_id)
    vouchers = list(Voucher.objects.filter(traveller__order=order, revoked_at__isnull=True).select_related("traveller"))
    if not vouchers:
        return False
    with translation.override(order.language):
        subject = _("Your Love Bali levy vouchers (%(code)s)") % {"code": order.code}
        body = render_to_string("levy/email/vouchers.txt", {"order": order, "vouchers": vouchers, "site_url": settings.SITE_URL})
        message = EmailMessage(subject, body, to=[order.email])
        message.attach(f"love-bali-{order.code}.pdf", vouchers_pdf(vouchers, order.language), "application/pdf")
        message.send()
    audit.record("levy.voucher.emailed", order, data={"vouchers": len(vouchers)})
    return True


def resend_vouchers(code: str, email: str) -> bool:
    """"Find my voucher": e-mail the vouchers again to the order's own address (never elsewhere)."""
    order = find_order(code, email)
    if order is None or order.status != Order.Status.PAID:
        return False
    _enqueue_voucher_mail(order.pk)
    return True


@transaction.atomic
def revoke_voucher(voucher: Voucher, reason: str, by=None) -> Voucher:
    permissions.require_unless_system(by, "levy.change_voucher", voucher)
    voucher = Voucher.objects.select_for_update().get(pk=voucher.pk)
    if voucher.revoked_at is None:
        voucher.revoked_at = timezone.now()
        voucher.revoke_reason = reason[:200]
        voucher.save(update_fields=["revoked_at", "revoke_reason"])
        audit.record("levy.voucher.revoked", voucher, actor=by, data={"reason": voucher.revoke_reason})
    return voucher


def revocation_list() -> dict:
    """Revoked references, signed with the active key so offline scanners can trust the copy."""
    references = sorted(Voucher.objects.filter(revoked_at__isnull=False).values_list("reference", flat=True))
    key = active_signing_key()
    issued_at = timezone.now().isoformat()
    message = json.dumps({"issued_at": issued_at, "references": references}, separators=(",", ":")).encode()
    signature = _private_key(key.pk, key.private_key_encrypted).sign(message)
    return {"issued_at": issued_at, "references": references, "key": key.number, "signature": signature.hex()}


@dataclass(frozen=True)
class Verification:
    result: str  # a CheckpointScan.Result value
    claims: codec.VoucherClaims | None
    voucher: Voucher | None
    message: str


def verify_code(text: str, today: date | None = None, keys: dict | None = None) -> Verification:
    """Server-side check of a scanned code: signature, then revocation, then dates."""
    today = today or _today()
    try:
        claims = codec.verify(text, keys if keys is not None else public_keys())
    except codec.VoucherCodeError as exc:
        return Verification(CheckpointScan.Result.INVALID, None, None, str(exc))
    voucher = Voucher.objects.filter(reference=claims.reference).first()
    if voucher is None:
        return Verification(CheckpointScan.Result.INVALID, claims, None, "signed but not in the registry")
    if voucher.revoked_at is not None:
        return Verification(CheckpointScan.Result.REVOKED, claims, voucher, voucher.revoke_reason)
    if today < claims.valid_from:
        return Verification(CheckpointScan.Result.NOT_YET_VALID, claims, voucher, "")
    if today > claims.valid_until:
        return Verification(CheckpointScan.Result.EXPIRED, claims, voucher, "")
    return Verification(CheckpointScan.Result.VALID, claims, voucher, "")


def public_name(verification: Verification) -> str:
    """The voucher holder's name as public checks show it (masked)."""
    return protect.mask_name(verification.claims.name) if verification.claims else ""


def verify_reference(reference: str, today: date | None = None) -> Verification:
    """Online check of a typed reference (when the QR cannot be scanned)."""
    voucher = Voucher.objects.filter(reference=(reference or "").strip().upper()).first()
    if voucher is None:
        return Verification(CheckpointScan.Result.INVALID, None, None, "unknown reference")
    return verify_code(voucher.code, today)


# --- refunds --------------------------------------------------------------------------


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
    _enqueue_refund(refund.pk)
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
    _enqueue_refund(refund.pk)


# --- exemptions -----------------------------------------------------------------------


def _add_working_days(start: date, days: int) -> date:
    current = start
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


@transaction.atomic
def submit_exemption(
    *, category: str, full_name: str, nationality: str, passport: str, email: str, arrival_date: date,
    departure_date: date, reason: str, files: list[tuple[str, bytes]], language: str = "en", today: date | None = None,
) -> Exemption:
    today = today or _today()
    if category not in policy.APPLY_ONLINE:
        raise ServiceError(
            _("Holders of this kind of visa do not apply: show the document to the officer at the checkpoint."), code="no_application_needed", field="category"
        )
    (traveller,) = _check_travellers([TravellerInput(full_name, nationality, passport, arrival_date)], today)
    if arrival_date < today + timedelta(days=settings.LEVY_EXEMPTION_LEAD_DAYS):
        raise ServiceError(
            _("Apply at least %(days)s days before arrival.") % {"days": settings.LEVY_EXEMPTION_LEAD_DAYS}, code="too_late", field="arrival_date"
        )
    if departure_date is None or departure_date < arrival_date:
        raise ServiceError(_("The departure date must be after the arrival date."), code="bad_departure", field="departure_date")
    if not files:
        raise ServiceError(_("Attach a copy of the passport and the visa."), code="no_documents", field="documents")
    if len(files) > documents.MAX_FILES:
        raise ServiceError(_("Attach at most %(n)s files.") % {"n": documents.MAX_FILES}, code="too_many_documents", field="documents")
    try:
        checked = [documents.check(name, data) for name, data in files]
    except documents.DocumentRejected as exc:
        raise ServiceError(str(exc), code="bad_document", field="documents") from exc
    exemption = Exemption.objects.create(
        institution=levy_institution(), code=_unique_code(Exemption, "code", "EX", 8), category=category,
        full_name=traveller.full_name, nationality=traveller.nationality,
        passport_hash=protect.passport_hash(traveller.nationality, traveller.passport),
        passport_encrypted=protect.encrypt(traveller.passport), passport_hint=protect.mask_passport(traveller.passport),
        email=email.strip().lower(), language=language[:10], arrival_date=arrival_date, departure_date=departure_date,
        reason=reason[:5000], decide_by=_add_working_days(today, settings.LEVY_EXEMPTION_DECISION_DAYS),
    )
    for doc in checked:
        ExemptionDocument.objects.create(
            exemption=exemption, original_name=doc.name, content_type=doc.content_type, size=doc.size, sha256=doc.sha256,
            content_encrypted=protect.fernet().encrypt(doc.data),
        )
    audit.record("levy.exemption.submitted", exemption, data={"category": category, "documents": len(checked)})
    return exemption


def exemption_document(document: ExemptionDocument, by) -> bytes:
    permissions.require(by, "levy.review_exemption", document.exemption)
    audit.record("levy.exemption.document_viewed", document.exemption, actor=by, data={"document": document.pk})
    return protect.fernet().decrypt(bytes(document.content_encrypted))


@transaction.atomic
def decide_exemption(exemption: Exemption, *, approve: bool, note: str, by) -> Exemption:
    permissions.require_unless_system(by, "levy.review_exemption", exemption)
    exemption = Exemption.objects.select_for_update().get(pk=exemption.pk)
    if exemption.status != Exemption.Status.SUBMITTED:
        raise ConflictError(_("This application has already been decided."), code="already_decided")
    if not approve and not note.strip():
        raise ServiceError(_("Give the reason for the rejection; the applicant will read it."), field="note")
    exemption.status = Exemption.Status.APPROVED if approve else Exemption.Status.REJECTED
    exemption.decided_at = timezone.now()
    exemption.decided_by = by
    exemption.decision_note = note
    exemption.save(update_fields=["status", "decided_at", "decided_by", "decision_note"])
    audit.record("levy.exemption.decided", exemption, actor=by, data={"approved": approve})
    if approve:
        valid_from, _until = policy.validity_for_arrival(exemption.arrival_date)
        # Paid before the exemption came through: pay that voucher back and revoke it.
        for paid in Voucher.objects.filter(passport_hash=exemption.passport_hash, kind=Voucher.Kind.PAID, revoked_at__isnull=True,
                                           valid_until__gte=exemption.arrival_date).select_related("traveller__order"):
            payment = paid.traveller.order.payments.filter(state=Payment.State.CONFIRMED).first()
            if payment is not None:
                refund = Refund.objects.create(payment=payment, amount=paid.traveller.order.unit_amount,
                                               reason=policy.RefundReason.EXEMPTION_APPROVED, note=exemption.code)
                audit.record("levy.refund.created", refund, data={"reason": refund.reason, "amount": refund.amount, "automatic": True})
                _enqueue_refund(refund.pk)
            revoke_voucher(paid, f"exemption {exemption.code} approved")
        voucher = _new_voucher(
            institution_id=exemption.institution_id, kind=Voucher.Kind.EXEMPT, exemption=exemption,
            passport_hash=exemption.passport_hash, passport=protect.decrypt(exemption.passport_encrypted),
            nationality=exemption.nationality, name=exemption.full_name, valid_from=valid_from, valid_until=exemption.departure_date,
        )
        audit.record("levy.voucher.issued", voucher, data={"exemption": exemption.code})
    exemption_id = exemption.pk
    transaction.on_commit(lambda: _enqueue_exemption_mail(exemption_id))
    return exemption


def _enqueue_exemption_mail(exemption_id: int) -> None:
    from .tasks import send_exemption_decision

    send_exemption_decision.enqueue(exemption_id)


def send_exemption_decision(exemption_id: int) -> None:
    from django.core.mail import EmailMessage
    from django.template.loader import render_to_string
    from django.utils import translation

    from .pdf import vouchers_pdf

    exemption = Exemption.objects.get(pk=exemption_id)
    voucher = getattr(exemption, "voucher", None)
    with translation.override(exemption.language):
        subject = _("Your Love Bali exemption application %(code)s") % {"code": exemption.code}
        body = render_to_string("levy/email/exemption.txt", {"exemption": exemption, "voucher": voucher})
        message = EmailMessage(subject, body, to=[exemption.email])
        if voucher is not None:
            message.attach(f"love-bali-{exemption.code}.pdf", vouchers_pdf([voucher], exemption.language), "application/pdf")
        message.send()


# --- checkpoint -----------------------------------------------------------------------


def record_scans(officer, scans: list[dict], *, checkpoint: str, device: str = "") -> dict:
    """Store scans uploaded by a checkpoint device; a nonce seen before is skipped.

    The server re-verifies every code itself: what the device decided offline is kept only
    as ``offline`` context, the recorded result is the server's.
    """
    permissions.require(officer, "levy.add_checkpointscan")
    accepted, duplicates, results = 0, 0, []
    institution = levy_institution()
    keys = public_keys()  # once per upload, not once per scan
    for scan in scans:
        nonce = str(scan.get("nonce") or "")[:64]
        if len(nonce) < 8:
            raise ServiceError(_("Every scan needs a nonce of at least 8 characters."), field="nonce")
        code, reference = str(scan.get("code") or ""), str(scan.get("reference") or "")
        category = str(scan.get("exemption_category") or "")
        scanned_at = scan.get("scanned_at") or timezone.now()
        if category:
            if category not in {c.value for c in policy.SHOW_AT_CHECKPOINT}:
                raise ServiceError(_("Unknown exemption category."), field="exemption_category")
            verification = Verification(CheckpointScan.Result.EXEMPT_DOCUMENT, None, None, "")
        elif code:
            verification = verify_code(code, timezone.localdate(scanned_at) if isinstance(scanned_at, datetime) else None, keys)
        elif reference:
            verification = verify_reference(reference)
        else:
            verification = Verification(CheckpointScan.Result.NOT_PAID, None, None, "")
        try:
            with transaction.atomic():
                CheckpointScan.objects.create(
                    institution=institution, nonce=nonce, officer=officer, checkpoint=checkpoint[:100], device=device[:100],
                    reference=(verification.claims.reference if verification.claims else reference[:8]),
                    voucher=verification.voucher, result=verification.result, exemption_category=category,
                    scanned_at=scanned_at, offline=bool(scan.get("offline")),
                )
        except IntegrityError:
            duplicates += 1
            results.append({"nonce": nonce, "duplicate": True})
            continue
        accepted += 1
        results.append({"nonce": nonce, "result": verification.result})
    if accepted:
        audit.record("levy.checkpoint.scans_uploaded", None, actor=officer, data={"checkpoint": checkpoint[:100], "accepted": accepted, "duplicates": duplicates})
    return {"accepted": accepted, "duplicates": duplicates, "results": results}


def lookup_passport(by, nationality: str, passport: str) -> list[dict]:
    """Officer lookup: every voucher and application for a passport. Audited (personal data)."""
    permissions.require(by, "levy.lookup_passport")
    number = protect.normalize_passport(passport)
    digest = protect.passport_hash(nationality, number)
    audit.record("levy.passport.lookup", None, actor=by, data={"nationality": nationality.upper(), "passport": protect.mask_passport(number)})
    rows = []
    for voucher in Voucher.objects.filter(passport_hash=digest).select_related("traveller__order", "exemption"):
        rows.append({
            "kind": voucher.kind, "reference": voucher.reference, "name": voucher.full_name,
            "valid_from": voucher.valid_from, "valid_until": voucher.valid_until,
            "revoked": voucher.revoked_at is not None, "order": voucher.traveller.order.code if voucher.traveller else None,
            "exemption": voucher.exemption.code if voucher.exemption else None,
        })
    for exemption in Exemption.objects.filter(passport_hash=digest).exclude(status=Exemption.Status.APPROVED):
        rows.append({"kind": "application", "reference": exemption.code, "name": exemption.full_name, "status": exemption.status})
    for traveller in Traveller.objects.filter(passport_hash=digest, order__status=Order.Status.PENDING).select_related("order"):
        rows.append({"kind": "unpaid_order", "reference": traveller.order.code, "name": traveller.full_name})
    return rows


# --- Love Bali Endpoints (partners) ---------------------------------------------------


@transaction.atomic
def register_endpoint(*, name, legal_name, nib, kind, address, website, contact_name, contact_email, webhook_url="") -> Endpoint:
    if kind not in Endpoint.Kind.values:
        raise ServiceError(_("Choose the kind of business."), field="kind")
    if not (nib or "").isdigit() or len(nib) != 13:
        raise ServiceError(_("The NIB has 13 digits."), field="nib")
    endpoint = Endpoint.objects.create(
        institution=levy_institution(), code=_unique_code(Endpoint, "code", "EP", 6), name=name.strip(), legal_name=legal_name.strip(),
        nib=nib, kind=kind, address=address.strip(), website=_domain(website), contact_name=contact_name.strip(),
        contact_email=contact_email.strip().lower(), webhook_url=webhook_url, commission_rate=policy.commission_rate(),
    )
    audit.record("levy.endpoint.registered", endpoint, data={"kind": kind, "nib": nib})
    return endpoint


def _domain(text: str) -> str:
    text = (text or "").strip().lower()
    for prefix in ("https://", "http://"):
        text = text.removeprefix(prefix)
    return text.split("/")[0].removeprefix("www.")


@transaction.atomic
def decide_endpoint(endpoint: Endpoint, *, status: str, note: str = "", pks_number: str = "", by) -> Endpoint:
    permissions.require(by, "levy.review_endpoint", endpoint)
    endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    if status not in (Endpoint.Status.APPROVED, Endpoint.Status.REJECTED, Endpoint.Status.SUSPENDED):
        raise ServiceError(_("Unknown decision."), field="status")
    if status == Endpoint.Status.APPROVED and not (pks_number or endpoint.pks_number):
        raise ServiceError(_("Enter the cooperation agreement (PKS) number before approving."), field="pks_number")
    previous = endpoint.status
    endpoint.status = status
    endpoint.decision_note = note
    endpoint.pks_number = pks_number or endpoint.pks_number
    endpoint.decided_at = timezone.now()
    endpoint.decided_by = by
    endpoint.save()
    if status != Endpoint.Status.APPROVED:
        endpoint.keys.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
    audit.record("levy.endpoint.decided", endpoint, actor=by, data={"from": previous, "to": status, "pks": endpoint.pks_number})
    return endpoint


@transaction.atomic
def issue_endpoint_key(endpoint: Endpoint, *, label: str = "", by=None) -> tuple[EndpointKey, str]:
    """A new API key; the secret is returned once and stored only encrypted."""
    permissions.require_unless_system(by, "levy.review_endpoint", endpoint)
    endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    if endpoint.status != Endpoint.Status.APPROVED:
        raise ConflictError(_("Only approved endpoints get API keys."), code="endpoint_not_approved")
    secret = "lbs_" + secrets.token_urlsafe(32)
    key = EndpointKey.objects.create(
        endpoint=endpoint, key_id="lbk_" + secrets.token_hex(8), secret_encrypted=protect.encrypt(secret), label=label[:100]
    )
    audit.record("levy.endpoint.key_issued", endpoint, actor=by, data={"key_id": key.key_id, "label": key.label})
    return key, secret


@transaction.atomic
def revoke_endpoint_key(key: EndpointKey, by) -> None:
    permissions.require(by, "levy.review_endpoint", key.endpoint)
    EndpointKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    audit.record("levy.endpoint.key_revoked", key.endpoint, actor=by, data={"key_id": key.key_id})


def registered_endpoint(query: str) -> Endpoint | None:
    """Public "is this a registered Love Bali Endpoint?" by code, website domain or exact name."""
    query = (query or "").strip()
    if len(query) < 3:
        return None
    approved = Endpoint.objects.filter(status=Endpoint.Status.APPROVED)
    return (
        approved.filter(code=query.upper()).first()
        or approved.filter(website=_domain(query)).exclude(website="").first()
        or approved.filter(name__iexact=query).first()
    )


def run_idempotent(endpoint: Endpoint, key: str, request_body: bytes, operation) -> tuple[int, dict]:
    """Run ``operation() -> (status, body)`` once per (endpoint, Idempotency-Key).

    A retry with the same key and body gets the stored answer; the same key with a different
    body is refused. The key row is inserted first, so concurrent retries wait on it.
    """
    if not key or len(key) > 100:
        raise ServiceError(_("Send an Idempotency-Key header (at most 100 characters)."), code="idempotency_key_required")
    digest = hashlib.sha256(request_body).hexdigest()
    with transaction.atomic():
        record, created = IdempotencyRecord.objects.select_for_update().get_or_create(
            endpoint=endpoint, key=key, defaults={"request_hash": digest}
        )
        if not created:
            if record.request_hash != digest:
                raise ConflictError(_("This Idempotency-Key was used with a different request."), code="idempotency_key_reused")
            if record.status_code is not None:
                return record.status_code, record.response
        try:
            status, body = operation()
        except ServiceError as exc:
            from spbe.core.apiutils import error_body

            details = [{"field": exc.field, "message": exc.message}] if exc.field else []
            status, body = exc.status, error_body(context.current(), exc.code, exc.message, details)
        record.status_code, record.response = status, body
        record.save(update_fields=["status_code", "response"])
        return status, body


def _book_commission(order: Order, payment: Payment) -> None:
    rate = order.endpoint.commission_rate
    CommissionEntry.objects.create(
        endpoint_id=order.endpoint_id, order=order, payment=payment, levy_amount=payment.amount, rate=rate,
        amount=policy.commission_on(payment.amount, Decimal(rate)), booked_at=payment.confirmed_at,
    )


def quarter_bounds(year: int, quarter: int) -> tuple[datetime, datetime]:
    if quarter not in (1, 2, 3, 4):
        raise ServiceError(_("The quarter is 1, 2, 3 or 4."), field="quarter")
    tz = timezone.get_current_timezone()
    start = datetime(year, 3 * quarter - 2, 1, tzinfo=tz)
    end = datetime(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1, tzinfo=tz)
    return start, end


@transaction.atomic
def build_commission_statement(endpoint: Endpoint, year: int, quarter: int, by=None) -> CommissionStatement:
    """Close a quarter for one endpoint: its entries are frozen into the statement."""
    permissions.require_unless_system(by, "levy.add_commissionstatement", endpoint)
    start, end = quarter_bounds(year, quarter)
    if end > timezone.now():
        raise ConflictError(_("A quarter can be closed only after it has ended."), code="quarter_open")
    if CommissionStatement.objects.filter(endpoint=endpoint, year=year, quarter=quarter).exists():
        raise ConflictError(_("The statement for this quarter already exists."), code="statement_exists")
    entries = CommissionEntry.objects.select_for_update().filter(endpoint=endpoint, statement__isnull=True, booked_at__lt=end)
    totals = entries.aggregate(levy=Sum("levy_amount"), commission=Sum("amount"))
    order_ids = set(entries.filter(refund__isnull=True).values_list("order_id", flat=True))
    statement = CommissionStatement.objects.create(
        endpoint=endpoint, year=year, quarter=quarter, orders=len(order_ids),
        travellers=Traveller.objects.filter(order_id__in=order_ids, covered_by_existing__isnull=True).count(),
        levy_total=totals["levy"] or 0, commission_total=totals["commission"] or 0, created_by=by,
    )
    entries.update(statement=statement)
    audit.record("levy.commission.statement", statement, actor=by,
                 data={"endpoint": endpoint.code, "year": year, "quarter": quarter, "commission": statement.commission_total})
    return statement


# --- reconciliation and figures -------------------------------------------------------

SETTLEMENT_COLUMNS = ["settlement_date", "provider_reference", "merchant_reference", "amount", "fee", "net"]


def _whole_rupiah(text: str) -> int:
    value = Decimal((text or "").strip().replace(",", ""))
    if value != value.to_integral_value():
        raise ValueError("not whole rupiah")
    return int(value)


@transaction.atomic
def import_settlement(file_name: str, data: bytes, *, provider: str | None = None, by=None) -> SettlementBatch:
    """Match a bank settlement CSV against confirmed payments; mismatches are flagged per line."""
    permissions.require_unless_system(by, "levy.add_settlementbatch")
    provider = provider or settings.LEVY_PAYMENT_PROVIDER
    institution = levy_institution()
    digest = hashlib.sha256(data).hexdigest()
    if SettlementBatch.objects.filter(institution=institution, sha256=digest).exists():
        raise ConflictError(_("This settlement file has already been imported."), code="already_imported")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ServiceError(_("The file is not UTF-8 text (CSV)."), code="bad_file") from exc
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in SETTLEMENT_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ServiceError(_("The CSV lacks the columns: %(cols)s.") % {"cols": ", ".join(missing)}, code="bad_columns")
    rows = list(reader)
    dates = set()
    for row in rows:
        try:
            dates.add(date.fromisoformat(row["settlement_date"].strip()))
        except ValueError:
            pass
    if len(dates) != 1:
        raise ServiceError(_("A settlement file must cover exactly one date."), code="bad_dates")
    (day,) = dates
    batch = SettlementBatch.objects.create(institution=institution, settlement_date=day, file_name=file_name[:200], sha256=digest, imported_by=by)
    seen_payments: set[int] = set()
    lines = []
    for number, row in enumerate(rows, start=2):
        line = SettlementLine(batch=batch, line_number=number, provider_reference=row["provider_reference"].strip()[:100],
                              merchant_reference=row["merchant_reference"].strip()[:100])
        try:
            line.amount, line.fee = _whole_rupiah(row["amount"]), _whole_rupiah(row["fee"])
        except (ArithmeticError, ValueError):
            line.state, line.detail = SettlementLine.State.INVALID, "amount or fee is not a whole number"
            lines.append(line)
            continue
        payment = _payment_for(provider, line.provider_reference, line.merchant_reference)
        if payment is None:
            line.state, line.detail = SettlementLine.State.NO_MATCH, "no payment with this reference"
        elif payment.pk in seen_payments or (payment.settled_at is not None):
            line.state, line.payment, line.detail = SettlementLine.State.ALREADY, payment, "payment settled twice"
        elif payment.state not in (Payment.State.CONFIRMED, Payment.State.REFUNDED):
            line.state, line.payment, line.detail = SettlementLine.State.NOT_CONFIRMED, payment, f"payment is {payment.state} here"
        elif payment.amount != line.amount:
            line.state, line.payment, line.detail = SettlementLine.State.AMOUNT_MISMATCH, payment, f"bank {line.amount}, platform {payment.amount}"
        else:
            line.state, line.payment = SettlementLine.State.MATCHED, payment
            Payment.objects.filter(pk=payment.pk).update(settled_at=timezone.now())
        if line.payment_id is not None:
            seen_payments.add(line.payment_id)
        lines.append(line)
    SettlementLine.objects.bulk_create(lines)
    tz = timezone.get_current_timezone()
    day_start = datetime(day.year, day.month, day.day, tzinfo=tz)
    unsettled = list(
        Payment.objects.filter(provider=provider, state=Payment.State.CONFIRMED, settled_at__isnull=True,
                               confirmed_at__gte=day_start, confirmed_at__lt=day_start + timedelta(days=1))
        .values_list("order__code", "local_id")
    )
    batch.lines = len(lines)
    batch.matched = sum(1 for line in lines if line.state == SettlementLine.State.MATCHED)
    batch.flagged = batch.lines - batch.matched + len(unsettled)
    batch.unsettled_payments = [f"{code}-P{local_id}" for code, local_id in unsettled]
    batch.save(update_fields=["lines", "matched", "flagged", "unsettled_payments"])
    audit.record("levy.settlement.imported", batch, actor=by,
                 data={"date": day.isoformat(), "lines": batch.lines, "matched": batch.matched, "flagged": batch.flagged})
    return batch


@transaction.atomic
def import_arrivals(data: bytes, *, source: str = "", by=None) -> int:
    """Upsert daily foreign-arrival counts from a CSV with columns day,arrivals."""
    permissions.require_unless_system(by, "levy.add_arrivalcount")
    institution = levy_institution()
    try:
        reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
    except UnicodeDecodeError as exc:
        raise ServiceError(_("The file is not UTF-8 text (CSV)."), code="bad_file") from exc
    if not {"day", "arrivals"} <= set(reader.fieldnames or []):
        raise ServiceError(_("The CSV lacks the columns: %(cols)s.") % {"cols": "day, arrivals"}, code="bad_columns")
    count = 0
    for number, row in enumerate(reader, start=2):
        try:
            day, arrivals = date.fromisoformat(row["day"].strip()), int(row["arrivals"])
            if arrivals < 0:
                raise ValueError
        except (ValueError, AttributeError) as exc:
            raise ServiceError(_("Line %(n)s: expected a date (YYYY-MM-DD) and a whole number.") % {"n": number}, code="bad_line") from exc
        ArrivalCount.objects.update_or_create(institution=institution, day=day, defaults={"arrivals": arrivals, "source": source[:100]})
        count += 1
    audit.record("levy.arrivals.imported", None, actor=by, data={"days": count, "source": source[:100]})
    return count


def figures(start: date, end: date) -> dict:
    """Revenue, channels and compliance between two dates (inclusive), for dashboards."""
    paid = Order.objects.filter(status=Order.Status.PAID, paid_at__date__gte=start, paid_at__date__lte=end)
    by_day = {row["day"]: row for row in paid.annotate(day=TruncDate("paid_at")).values("day").annotate(revenue=Sum("total"), orders=Count("id"))}
    by_channel = list(paid.values("channel").annotate(revenue=Sum("total"), orders=Count("id")).order_by("-revenue"))
    covered_by_day = dict(
        Voucher.objects.filter(kind=Voucher.Kind.PAID, traveller__arrival_date__gte=start, traveller__arrival_date__lte=end)
        .values_list("traveller__arrival_date").annotate(n=Count("id")).values_list("traveller__arrival_date", "n")
    )
    arrivals = dict(ArrivalCount.objects.filter(day__gte=start, day__lte=end).values_list("day", "arrivals"))
    refunds = Refund.objects.filter(state=Refund.State.DONE, done_at__date__gte=start, done_at__date__lte=end).aggregate(s=Sum("amount"))["s"] or 0
    days = []
    current = start
    while current <= end:
        row = by_day.get(current, {})
        days.append({
            "day": current, "revenue": row.get("revenue") or 0, "orders": row.get("orders") or 0,
            "covered": covered_by_day.get(current, 0), "arrivals": arrivals.get(current),
        })
        current += timedelta(days=1)
    total_arrivals = sum(d["arrivals"] for d in days if d["arrivals"] is not None)
    covered_with_counts = sum(d["covered"] for d in days if d["arrivals"] is not None)
    return {
        "days": days,
        "by_channel": by_channel,
        "revenue": sum(d["revenue"] for d in days),
        "refunded": refunds,
        "orders": sum(d["orders"] for d in days),
        "arrivals": total_arrivals,
        "compliance": (covered_with_counts / total_arrivals) if total_arrivals else None,
        "open_refunds": Refund.objects.exclude(state__in=[Refund.State.DONE, Refund.State.CANCELED]).count(),
        "missing_vouchers": Order.objects.filter(status=Order.Status.PAID, vouchers_issued_at__isnull=True).count(),
    }
