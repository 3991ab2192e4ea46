"""Security work for "Tugas saya": vulnerability reports to triage, reports the OPD must fix,
and ITSA findings whose fix deadline is near or past."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Min
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from spbe.core import permissions
from spbe.core.workqueue import Task

from . import services
from .models import Finding, Report

GROUP = _("Security")
FINDING_WARNING_DAYS = 14


def tasks(user) -> list[Task]:
    result = []
    reports = reverse("security:console-list")
    if permissions.has_perm(user, "security.triage_report"):
        waiting = services.visible_reports(user).filter(status__in=[Report.Status.NEW, Report.Status.TRIAGE])
        result.append(Task(_("Vulnerability reports to triage"), waiting.count(), reports + "?status=new", GROUP))
    if permissions.has_perm(user, "security.fix_report"):
        to_fix = services.visible_reports(user).filter(status=Report.Status.ACCEPTED)
        due = to_fix.aggregate(first=Min("fix_deadline"))["first"]
        result.append(Task(_("Accepted vulnerability reports to fix"), to_fix.count(), reports + "?status=accepted", GROUP, due))
    if permissions.has_perm(user, "security.view_assessment"):
        soon = timezone.localdate() + timedelta(days=FINDING_WARNING_DAYS)
        findings = permissions.scope_queryset(user, "security.view_assessment", Finding.objects.filter(
            status__in=[Finding.Status.OPEN, Finding.Status.REOPENED], deadline__lte=soon))
        due = findings.aggregate(first=Min("deadline"))["first"]
        result.append(Task(_("ITSA findings due within two weeks or overdue"), findings.count(), reverse("security:itsa-list"), GROUP, due))
    return result
