"""SPBE evaluation work for "Tugas saya": indicator answers to write or revise while the
self-assessment is open, answers to review, and indicators an external assessor has not scored
in an open assessment stage."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from spbe.core import permissions
from spbe.core.workqueue import Task

from .models import EXTERNAL_STAGES, Response, Stage, StageScore, StageWindow

GROUP = _("SPBE")


def _open_windows(stage_filter):
    return StageWindow.objects.filter(status=StageWindow.Status.OPEN, **stage_filter).select_related("period")


def tasks(user) -> list[Task]:
    result = []
    for window in _open_windows({"stage": Stage.SELF_ASSESSMENT}):
        period, url = window.period, reverse("evaluation:period-detail", args=[window.period_id])
        if permissions.has_perm(user, "evaluation.change_response"):
            to_write = permissions.scope_queryset(user, "evaluation.change_response", period.responses.filter(
                status__in=[Response.Status.DRAFT, Response.Status.RETURNED]))
            result.append(Task(_("Indicator answers to complete or revise — %(period)s") % {"period": period.title},
                               to_write.count(), url, GROUP))
        if permissions.has_perm(user, "evaluation.review_response"):
            to_review = permissions.scope_queryset(user, "evaluation.review_response", period.responses.filter(
                status=Response.Status.SUBMITTED))
            result.append(Task(_("Indicator answers to review — %(period)s") % {"period": period.title}, to_review.count(), url, GROUP))
    for window in _open_windows({"stage__in": list(EXTERNAL_STAGES), "period__external_assessors": user}):
        period = window.period
        scored = StageScore.objects.filter(response__period=period, stage=window.stage).values("response_id")
        waiting = period.responses.exclude(pk__in=scored).count()
        result.append(Task(_("Indicators to score: %(stage)s — %(period)s") % {"stage": window.get_stage_display(), "period": period.title},
                           waiting, reverse("evaluation:period-detail", args=[period.pk]), GROUP))
    return result
