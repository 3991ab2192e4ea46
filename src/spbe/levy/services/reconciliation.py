"""Reconciliation against the bank's settlement file, and arrival counts."""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from spbe.audit import services as audit
from spbe.core import permissions
from spbe.core.services import ConflictError, ServiceError

from ..models import (
    ArrivalCount,
    Payment,
    Refund,
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


def _match_line(provider: str, number: int, row: dict, seen_payments: set[int]) -> SettlementLine:
    """One settlement line against our payment: one state (the first problem), every problem
    named in the detail. Marks the payment settled when the bank paid it out."""
    line = SettlementLine(line_number=number, provider_reference=row["provider_reference"].strip()[:100],
                          merchant_reference=row["merchant_reference"].strip()[:100])
    try:
        line.amount, line.fee, line.net = (_whole_rupiah(row[c]) for c in ("amount", "fee", "net"))
    except (ArithmeticError, ValueError):
        line.state, line.detail = SettlementLine.State.INVALID, _("Amount, fee or net is not a whole number of rupiah.")
        return line
    payment = _payment_for(provider, line.provider_reference, line.merchant_reference)
    if payment is None:
        line.state, line.detail = SettlementLine.State.NO_MATCH, _("No payment with this reference.")
        return line
    line.payment = payment
    if line.amount < 0:
        # A chargeback: the bank takes money back (card dispute). Not a settlement of the payment.
        seen_payments.add(payment.pk)
        line.state = SettlementLine.State.CHARGEBACK
        line.detail = _("The bank took back Rp %(amount)s; check the voucher and the dispute.") % {"amount": _rupiah(-line.amount)}
        return line
    if payment.pk in seen_payments or payment.settled_at is not None:
        line.state, line.detail = SettlementLine.State.ALREADY, _("This payment is settled twice.")
        return line
    seen_payments.add(payment.pk)
    if payment.state not in (Payment.State.CONFIRMED, Payment.State.REFUNDED):
        line.state, line.detail = SettlementLine.State.NOT_CONFIRMED, _("The payment is %(state)s here.") % {"state": payment.get_state_display()}
        return line
    problems: list[tuple[str, str]] = []
    if payment.amount != line.amount:
        problems.append((SettlementLine.State.AMOUNT_MISMATCH, _("Bank amount Rp %(bank)s, platform Rp %(ours)s.") % {
            "bank": _rupiah(line.amount), "ours": _rupiah(payment.amount)}))
    if line.fee != settings.LEVY_BANK_FEE:
        problems.append((SettlementLine.State.FEE_MISMATCH, _("Fee Rp %(fee)s, agreed Rp %(agreed)s.") % {
            "fee": _rupiah(line.fee), "agreed": _rupiah(settings.LEVY_BANK_FEE)}))
    if line.net != line.amount - line.fee:
        problems.append((SettlementLine.State.NET_MISMATCH, _("Net Rp %(net)s is not amount minus fee (Rp %(expected)s).") % {
            "net": _rupiah(line.net), "expected": _rupiah(line.amount - line.fee)}))
    refunded = payment.refunds.filter(state=Refund.State.DONE).aggregate(s=Sum("amount"))["s"] or 0
    if refunded:
        kind = _("in full") if refunded >= payment.amount else _("in part")
        problems.append((SettlementLine.State.REFUNDED, _("Refunded %(kind)s here (Rp %(amount)s): expect the debit on a later file.") % {
            "kind": kind, "amount": _rupiah(refunded)}))
    if problems:
        line.state = problems[0][0]
        line.detail = " ".join(text for _state, text in problems)[:300]
    else:
        line.state = SettlementLine.State.MATCHED
    if line.state in (SettlementLine.State.MATCHED, SettlementLine.State.REFUNDED, SettlementLine.State.FEE_MISMATCH):
        # The bank paid this payment's money out: it is settled (a fee dispute is about the fee).
        Payment.objects.filter(pk=payment.pk).update(settled_at=timezone.now())
    return line


def _rupiah(value: int) -> str:
    return f"{value:,}".replace(",", ".")


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
    lines = [_match_line(provider, number, row, seen_payments) for number, row in enumerate(rows, start=2)]
    for line in lines:
        line.batch = batch
    SettlementLine.objects.bulk_create(lines)
    tz = timezone.get_current_timezone()
    day_start = datetime(day.year, day.month, day.day, tzinfo=tz)
    # Confirmed here that day and on no line of the file. A payment on a flagged line is
    # reported there only, so every problem is counted once.
    unsettled = list(
        Payment.objects.filter(provider=provider, state=Payment.State.CONFIRMED, settled_at__isnull=True,
                               confirmed_at__gte=day_start, confirmed_at__lt=day_start + timedelta(days=1))
        .exclude(pk__in=seen_payments).exclude(order__sandbox=True).values_list("order__code", "local_id")
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
