"""Signed vouchers: signing keys, issue, e-mail, revocation, offline verification."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from spbe.audit import services as audit
from spbe.core import permissions
from spbe.core.services import ServiceError

from .. import codec, policy, protect
from ..models import (
    CheckpointScan,
    Order,
    Payment,
    Refund,
    SigningKey,
    Voucher,
)

from . import queues, webhooks
from .common import ACTIVE_KEY_CACHE_SECONDS, _ACTIVE_KEY, _random_code, _today
from .orders import covering_voucher, find_order, voucher_status
from .common import utc_timestamp


@lru_cache(maxsize=8)
def _private_key(key_id: int, encrypted: str) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(protect.decrypt(encrypted)))


def active_signing_key() -> SigningKey:
    cached = _ACTIVE_KEY.get("key")
    if cached is not None and _ACTIVE_KEY["until"] > time.monotonic():
        return cached
    key = _on_first_use(lambda: SigningKey.objects.filter(retired_at__isnull=True, sandbox=False).first(),
                        lambda: _make_first_key(sandbox=False))
    # Cache only once committed: a key made in a transaction that rolls back must not linger.
    transaction.on_commit(lambda: _ACTIVE_KEY.update(key=key, until=time.monotonic() + ACTIVE_KEY_CACHE_SECONDS))
    return key


def _on_first_use(find, make) -> SigningKey:
    """The key ``find`` returns, else the one ``make`` creates. Workers of a fresh install may
    make it at the same moment: the one-active-key constraint (or the key number) refuses the
    loser, which then reads the winner's key, or tries again."""
    for _attempt in range(3):
        key = find()
        if key is not None:
            return key
        try:
            with transaction.atomic():
                return make()
        except IntegrityError:
            continue
    return find()


def _new_key_material() -> tuple[str, str]:
    """A fresh Ed25519 key: (public key hex, private key hex encrypted at rest)."""
    from cryptography.hazmat.primitives import serialization

    private = Ed25519PrivateKey.generate()
    raw_private = private.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    raw_public = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return raw_public.hex(), protect.encrypt(raw_private.hex())


@transaction.atomic
def rotate_signing_key(by=None) -> SigningKey:
    """A new key for new vouchers; old keys stay published so issued vouchers still verify."""
    permissions.require_unless_system(by, "levy.add_signingkey")
    # Locking the newest key serialises rotations (an admin path, never run inside a payment).
    last = SigningKey.objects.select_for_update().order_by("-number").first()
    SigningKey.objects.filter(retired_at__isnull=True, sandbox=False).update(retired_at=timezone.now())
    key = _create_key((last.number if last else 0) + 1, sandbox=False, by=by)
    _ACTIVE_KEY.clear()
    return key


def public_keys() -> dict[int, Ed25519PublicKey]:
    """The keys scanners trust: never the sandbox key."""
    return {k.number: Ed25519PublicKey.from_public_bytes(bytes.fromhex(k.public_key)) for k in SigningKey.objects.filter(sandbox=False)}


def sandbox_signing_key() -> SigningKey:
    """The key of partners' test vouchers (made on first use, with the next free number)."""
    return _on_first_use(lambda: SigningKey.objects.filter(sandbox=True, retired_at__isnull=True).first(),
                         lambda: _make_first_key(sandbox=True))


def _make_first_key(*, sandbox: bool) -> SigningKey:
    """The first key of its kind, made inside whatever transaction needs it (paying an order).
    It locks no existing key row: a voucher insert elsewhere holds a key-share lock on the key it
    uses until commit, so a FOR UPDATE here would deadlock with it over the audit chain."""
    return _create_key((SigningKey.objects.aggregate(last=Max("number"))["last"] or 0) + 1, sandbox=sandbox)


def _create_key(number: int, *, sandbox: bool, by=None) -> SigningKey:
    if number > 255:
        raise ServiceError(_("All 255 key numbers are used."))
    public_key, private_key_encrypted = _new_key_material()
    key = SigningKey.objects.create(number=number, public_key=public_key, sandbox=sandbox,
                                    private_key_encrypted=private_key_encrypted)
    audit.record("levy.signing_key.created", key, actor=by, data={"number": number, "public_key": public_key, "sandbox": sandbox})
    return key


def _sign_voucher(*, reference, kind, valid_from, valid_until, nationality, name, passport_check,
                  sandbox: bool = False) -> tuple[str, SigningKey]:
    key = sandbox_signing_key() if sandbox else active_signing_key()
    claims = codec.VoucherClaims(
        key_number=key.number, kind=kind, reference=reference, valid_from=valid_from, valid_until=valid_until,
        passport_check=passport_check, nationality=nationality, name=name,
    )
    return codec.sign(claims, _private_key(key.pk, key.private_key_encrypted)), key


def _new_voucher(*, institution_id, kind, traveller=None, exemption=None, passport_hash, passport, nationality, name,
                 valid_from, valid_until, sandbox: bool = False) -> Voucher:
    # 31^8 references: a collision is vanishingly rare and the unique constraint refuses it
    # (the transaction then fails and the task or sweep issues again with a new reference).
    reference = _random_code(codec.REFERENCE_LENGTH)
    code, key = _sign_voucher(
        reference=reference, kind=kind, valid_from=valid_from, valid_until=valid_until, nationality=nationality,
        name=name, passport_check=protect.passport_check_bytes(nationality, passport), sandbox=sandbox,
    )
    return Voucher.objects.create(
        institution_id=institution_id, reference=reference, kind=kind, traveller=traveller, exemption=exemption,
        passport_hash=passport_hash, full_name=name, nationality=nationality, code=code, key=key,
        valid_from=valid_from, valid_until=valid_until, sandbox=sandbox,
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
        existing = covering_voucher(traveller.passport_hash, traveller.arrival_date, exclude_order_id=order.pk, sandbox=order.sandbox)
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
            queues._enqueue_refund(refund.pk)
            continue
        valid_from, valid_until = policy.validity_for_arrival(traveller.arrival_date)
        voucher = _new_voucher(
            institution_id=order.institution_id, kind=Voucher.Kind.PAID, traveller=traveller,
            passport_hash=traveller.passport_hash, passport=protect.decrypt(traveller.passport_encrypted),
            nationality=traveller.nationality, name=traveller.full_name, valid_from=valid_from, valid_until=valid_until,
            sandbox=order.sandbox,
        )
        audit.record("levy.voucher.issued", voucher, data={"order": order.code, "traveller": traveller.position})
        created += 1
    order.vouchers_issued_at = timezone.now()
    order.save(update_fields=["vouchers_issued_at", *(also_save or [])])
    order_id = order.pk
    transaction.on_commit(lambda: queues._enqueue_voucher_mail(order_id))
    if created and order.endpoint_id:
        webhooks.emit(order.endpoint_id, "voucher.issued",
                      lambda: {"order": order.code, "vouchers": voucher_status(order)["vouchers"]})
    return created


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


def guest_vouchers_pdf(order: Order | None, language: str = "") -> bytes | None:
    """The order's valid vouchers as one printable PDF (a page each, with the QR), for the front
    desk; None while the order has none. The caller has checked the partner may see the order."""
    from ..pdf import vouchers_pdf

    if order is None:
        return None
    vouchers = list(Voucher.objects.filter(traveller__order=order, revoked_at__isnull=True).select_related("traveller"))
    return vouchers_pdf(vouchers, language or order.language) if vouchers else None


def send_order_vouchers(order_id: int) -> bool:
    from django.core.mail import EmailMessage
    from django.template.loader import render_to_string
    from django.utils import translation

    from ..pdf import vouchers_pdf

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
    queues._enqueue_voucher_mail(order.pk)
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
        order = voucher.traveller.order if voucher.traveller_id else None
        if order is not None and order.endpoint_id:
            webhooks.emit(order.endpoint_id, "voucher.revoked", {
                "order": order.code, "reference": voucher.reference, "reason": voucher.revoke_reason,
                "revoked_at": utc_timestamp(voucher.revoked_at)})
    return voucher


def revocation_list() -> dict:
    """Revoked references, signed with the active key so offline scanners can trust the copy."""
    references = sorted(Voucher.objects.filter(revoked_at__isnull=False, sandbox=False).values_list("reference", flat=True))
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
    if voucher is None or voucher.sandbox:
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
    voucher = Voucher.objects.filter(reference=(reference or "").strip().upper(), sandbox=False).first()
    if voucher is None:
        return Verification(CheckpointScan.Result.INVALID, None, None, "unknown reference")
    return verify_code(voucher.code, today)
