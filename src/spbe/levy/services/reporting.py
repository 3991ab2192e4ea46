"""Figures for the levy dashboards."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Count, Sum
from django.db.models.functions import TruncDate


from ..models import (
    ArrivalCount,
    Order,
    Refund,
    Voucher,
)


def figures(start: date, end: date) -> dict:
    """Revenue, channels and compliance between two dates (inclusive), for dashboards."""
    # Partners' sandbox orders are tests: outside every figure.
    paid = Order.objects.filter(status=Order.Status.PAID, sandbox=False, paid_at__date__gte=start, paid_at__date__lte=end)
    by_day = {row["day"]: row for row in paid.annotate(day=TruncDate("paid_at")).values("day").annotate(revenue=Sum("total"), orders=Count("id"))}
    by_channel = list(paid.values("channel").annotate(revenue=Sum("total"), orders=Count("id")).order_by("-revenue"))
    covered_by_day = dict(
        Voucher.objects.filter(kind=Voucher.Kind.PAID, sandbox=False, traveller__arrival_date__gte=start, traveller__arrival_date__lte=end)
        .values_list("traveller__arrival_date").annotate(n=Count("id")).values_list("traveller__arrival_date", "n")
    )
    arrivals = dict(ArrivalCount.objects.filter(day__gte=start, day__lte=end).values_list("day", "arrivals"))
    refunds = Refund.objects.filter(state=Refund.State.DONE, payment__order__sandbox=False, done_at__date__gte=start, done_at__date__lte=end).aggregate(s=Sum("amount"))["s"] or 0
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
        "open_refunds": Refund.objects.exclude(state__in=[Refund.State.DONE, Refund.State.CANCELED]).filter(payment__order__sandbox=False).count(),
        "missing_vouchers": Order.objects.filter(status=Order.Status.PAID, sandbox=False, vouchers_issued_at__isnull=True).count(),
    }
