"""Orders and their travellers: validation, coverage by an existing voucher, expiry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from spbe.audit import services as audit
from spbe.core import permissions
from spbe.core.services import ConflictError, ServiceError

from .. import policy, protect
from ..models import (
    Channel,
    Endpoint,
    Order,
    Traveller,
    Voucher,
)

from .common import _random_code, _today, levy_institution


@dataclass(frozen=True)
class TravellerInput:
    full_name: str
    nationality: str  # ISO alpha-2
    passport: str
    arrival_date: date


def _check_travellers(travellers: list[TravellerInput], today: date) -> list[TravellerInput]:
    from ..countries import is_foreign_nationality

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


def covering_voucher(passport_hash: str, on: date, *, exclude_order_id: int | None = None, sandbox: bool = False) -> Voucher | None:
    """A valid, unrevoked voucher (paid or exempt) for this passport covering ``on``. Sandbox
    vouchers cover sandbox orders only, and never a real traveller."""
    qs = Voucher.objects.filter(passport_hash=passport_hash, revoked_at__isnull=True, valid_from__lte=on, valid_until__gte=on,
                                sandbox=sandbox)
    if exclude_order_id is not None:
        qs = qs.exclude(traveller__order_id=exclude_order_id)
    return qs.order_by("valid_until").last()


def coverage(nationality: str, passport: str, on: date | None = None, *, sandbox: bool = False) -> dict:
    """Minimal answer to "is this traveller covered?" (yes/no, kind and validity only)."""
    on = on or _today()
    voucher = covering_voucher(protect.passport_hash(nationality, passport), on, sandbox=sandbox)
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
    sandbox: bool = False,
) -> Order:
    """A pending order for 1..N travellers. Travellers already covered are refused (409).
    ``sandbox``: a partner's test order (see EndpointKey.sandbox)."""
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
        voucher = covering_voucher(protect.passport_hash(t.nationality, t.passport), t.arrival_date, sandbox=sandbox)
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
        sandbox=sandbox,
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


@transaction.atomic
def cancel_order(order: Order, *, reason: str = "", by=None) -> Order:
    """Cancel an unpaid order (the guest changed plans before paying). A payment that still
    arrives later is confirmed as usual: money is never ignored."""
    order = Order.objects.select_for_update().get(pk=order.pk)
    if by is not None:
        permissions.require(by, "levy.change_order", order)
    if order.status == Order.Status.CANCELED:
        return order
    if order.status != Order.Status.PENDING:
        raise ConflictError(_("Only an unpaid order can be cancelled; ask for a refund instead."), code="order_not_pending")
    order.status = Order.Status.CANCELED
    order.save(update_fields=["status"])
    audit.record("levy.order.canceled", order, actor=by, data={"reason": reason[:200]})
    return order
