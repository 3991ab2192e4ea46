"""Reconciliation against the bank's settlement file, and arrival counts."""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from spbe.audit import services as audit
from spbe.core import permissions
from spbe.core.services import ConflictError, ServiceError

from ..models import (
    ArrivalCount,
    Payment,
    SettlementBatch,
    SettlementLine,
)

from .common import levy_institution
from .payments import _payment_for


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
