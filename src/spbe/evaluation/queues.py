"""SPBE evaluation work for "Tugas saya": indicator answers to write or revise while the
self-assessment is open, answers to review, and indicators an external assessor has not scored
in an open assessment stage (each with the stage deadline), and recommendations the user's OPD
has to follow up."""

from __future__ import annotations

from datetime import date

from django.db.models import Min
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from spbe.core import permissions
from spbe.core.workqueue import Task

from .models import EXTERNAL_STAGES, Recommendation, Response, Stage, StageScore, StageWindow

GROUP = _("SPBE")


def _open_windows(stage_filter):
    return StageWindow.objects.filter(status=StageWindow.Status.OPEN, **stage_filter).select_related("period")


def _assessed(period):
    """The period's responses for indicators it assesses (the 2024 instrument may switch some off)."""
    from . import services

    return period.responses.filter(indicator__in=services.active_indicators(period))


def tasks(user) -> list[Task]:
    result = []
    for window in _open_windows({"stage": Stage.SELF_ASSESSMENT}):
        period, url = window.period, reverse("evaluation:period-detail", args=[window.period_id])
        if permissions.has_perm(user, "evaluation.change_response"):
            to_write = permissions.scope_queryset(user, "evaluation.change_response", _assessed(period).filter(
                status__in=[Response.Status.DRAFT, Response.Status.RETURNED]))
            result.append(Task(_("Indicator answers to complete or revise — %(period)s") % {"period": period.title},
                               to_write.count(), url, GROUP, window.due_date))
        if permissions.has_perm(user, "evaluation.review_response"):
            to_review = permissions.scope_queryset(user, "evaluation.review_response", _assessed(period).filter(
                status=Response.Status.SUBMITTED))
            result.append(Task(_("Indicator answers to review — %(period)s") % {"period": period.title}, to_review.count(), url,
                               GROUP, window.due_date))
    for window in _open_windows({"stage__in": list(EXTERNAL_STAGES), "period__external_assessors": user}):
        period = window.period
        scored = StageScore.objects.filter(response__period=period, stage=window.stage).values("response_id")
        waiting = _assessed(period).exclude(pk__in=scored).count()
        result.append(Task(_("Indicators to score: %(stage)s — %(period)s") % {"stage": window.get_stage_display(), "period": period.title},
                           waiting, reverse("evaluation:period-detail", args=[period.pk]), GROUP, window.due_date))
    if permissions.has_perm(user, "evaluation.change_recommendation"):
        open_ones = permissions.scope_queryset(user, "evaluation.change_recommendation", Recommendation.objects.filter(
            status__in=[Recommendation.Status.OPEN, Recommendation.Status.IN_PROGRESS]))
        latest = open_ones.order_by("-period__year").values_list("period_id", flat=True).first()
        if latest:
            open_ones = open_ones.filter(period_id=latest)  # carried-over copies replace the older ones
            first_year = open_ones.aggregate(first=Min("target_year"))["first"]
            result.append(Task(_("SPBE recommendations to follow up"), open_ones.count(),
                               reverse("evaluation:followup", args=[latest]), GROUP, date(first_year, 12, 31) if first_year else None))
    return result
