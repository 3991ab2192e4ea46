"""Judol-scanner figures for /metrics, read from the database at scrape time."""

from spbe.core.metrics import gauge


def collect():
    from django.db.models import Count

    from .models import Finding, ScanRun

    yield gauge("spbe_judol_scans", "Website scans by status.", ["status"],
                ScanRun.objects.values_list("status").annotate(n=Count("id")).order_by())
    yield gauge("spbe_judol_findings_active", "Judol findings not yet closed, by severity.", ["severity"],
                Finding.objects.filter(status__in=Finding.ACTIVE).values_list("severity")
                .annotate(n=Count("id")).order_by())
