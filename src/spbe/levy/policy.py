"""The levy's rules that change by regulation: tariff, validity window, exemption categories.

Values come from settings (see ``LEVY_*`` in settings.py) so a new Pergub is a configuration
change, not a code change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ExemptionCategory(models.TextChoices):
    # a–e: the officer sees the document at the checkpoint; f–g (and Art. 4A) apply online.
    DIPLOMATIC = "a", _("Diplomatic or official visa")
    CREW = "b", _("Crew of a means of transport")
    KITAS_KITAP = "c", _("KITAS / KITAP stay permit")
    FAMILY_UNIFICATION = "d", _("Family-unification visa")
    STUDENT = "e", _("Student visa")
    GOLDEN_VISA = "f", _("Golden visa")
    OTHER_VISA = "g", _("Other visa (e.g. business visa)")


APPLY_ONLINE = {ExemptionCategory.GOLDEN_VISA, ExemptionCategory.OTHER_VISA}
SHOW_AT_CHECKPOINT = set(ExemptionCategory) - APPLY_ONLINE


class RefundReason(models.TextChoices):
    DUPLICATE_PAYMENT = "duplicate_payment", _("Duplicate payment")
    ALREADY_COVERED = "already_covered", _("Traveller already covered by another voucher")
    EXEMPTION_APPROVED = "exemption_approved", _("Exemption approved after payment")
    PAYMENT_ERROR = "payment_error", _("Payment error")
    DISCRETIONARY = "discretionary", _("Officer's decision")
    PARTNER_REQUEST = "partner_request", _("Requested by the partner")


@dataclass(frozen=True)
class Tariff:
    valid_from: date
    amount: int  # whole rupiah


def tariffs() -> list[Tariff]:
    rows = [Tariff(date.fromisoformat(t["from"]), int(t["amount"])) for t in settings.LEVY_TARIFFS]
    return sorted(rows, key=lambda t: t.valid_from)


def tariff_on(day: date) -> int:
    """The per-traveller amount for an order made on ``day``; ValueError before the levy began."""
    applicable = [t for t in tariffs() if t.valid_from <= day]
    if not applicable:
        raise ValueError(f"no levy tariff is in force on {day}")
    return applicable[-1].amount


def validity_for_arrival(arrival: date) -> tuple[date, date]:
    return (
        arrival - timedelta(days=settings.LEVY_VOUCHER_GRACE_DAYS_BEFORE),
        arrival + timedelta(days=settings.LEVY_VOUCHER_VALID_DAYS),
    )


def commission_rate() -> Decimal:
    return Decimal(settings.LEVY_ENDPOINT_COMMISSION)


def commission_on(amount: int, rate: Decimal | None = None) -> int:
    """Commission in whole rupiah, half-up (the statement shows whole rupiah only)."""
    rate = commission_rate() if rate is None else rate
    return int((Decimal(amount) * rate).quantize(Decimal(1), rounding="ROUND_HALF_UP"))
