"""Console pages for what surrounds a result: stage deadlines, recommendations and their
follow-up, and the Berita Acara of the interview and the field visit."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from spbe.core import permissions
from spbe.core.models import Agency, User
from spbe.core.services import ServiceError
from spbe.core.views import console_view, scoped_object_or_404

from . import services
from .models import Recommendation, Stage, StageMinutes
from .views import _period


def _date(value: str, field: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ServiceError(_("Enter the date as shown by the date picker."), field=field) from None


def _int(value, field: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ServiceError(_("Enter a whole number."), field=field) from None


@console_view
@require_POST
def stage_deadline(request, period_id: int, stage: str):
    period = _period(request, period_id)
    if stage not in Stage.values:
        raise Http404
    try:
        services.set_stage_deadline(period, stage, _date(request.POST.get("due_date", ""), "due_date"), by=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Deadline saved."))
    return redirect("evaluation:period-detail", period_id=period.pk)


def _signers(period):
    """People who may sign TTE documents of the institution (the Berita Acara's signers)."""
    return [u for u in User.objects.filter(memberships__agency__institution=period.institution, memberships__is_active=True)
            .distinct().order_by("full_name") if permissions.has_perm(u, "esign.sign_document")]


@console_view
@require_http_methods(["GET", "POST"])
def followup(request, period_id: int):
    period = _period(request, period_id)
    user = request.user
    can_manage = permissions.has_perm(user, "evaluation.change_evaluationperiod", period)
    if request.method == "POST":
        try:
            message = _handle_post(request, period, can_manage)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, message)
            return redirect("evaluation:followup", period_id=period.pk)
    recommendations = list(services.visible_recommendations(user, period))
    for item in recommendations:
        item.can_follow_up = permissions.has_perm(user, "evaluation.change_recommendation", item)
    minutes = {m.stage: m for m in period.minutes.select_related("document")}
    stages = [{"stage": s, "label": Stage(s).label, "minutes": minutes.get(s),
               "status": services.minutes_status(minutes[s]) if s in minutes else None,
               "started": period.windows.filter(stage=s).exclude(status="pending").exists()}
              for s in period.stages() if s in (Stage.INTERVIEW, Stage.FIELD_VISIT)]
    return render(request, "evaluation/followup.html", {
        "period": period, "recommendations": recommendations, "can_manage": can_manage, "stages": stages,
        "statuses": Recommendation.Status.choices, "sources": Recommendation.Source.choices,
        "agencies": Agency.objects.filter(institution=period.institution, is_active=True).order_by("name"),
        "own_agencies": [m.agency for m in permissions.current_memberships(user)
                         if permissions.has_perm(user, "esign.add_document", m.agency)],
        "signers": _signers(period) if can_manage else [], "posted": request.POST if request.method == "POST" else None,
        "years": range(period.year, period.year + 6),
    })


def _handle_post(request, period, can_manage) -> str:
    action, post, user = request.POST.get("action"), request.POST, request.user
    if action == "add_recommendation":
        agency = Agency.objects.filter(pk=post.get("agency") or 0).first()
        indicator = _int(post["indicator"], "indicator") if post.get("indicator") else None
        services.add_recommendation(period, text=post.get("text", ""), agency=agency, indicator=indicator,
                                    target_year=_int(post.get("target_year"), "target_year"), source=post.get("source", ""), by=user)
        return _("Recommendation added.")
    if action == "follow_up":
        item = scoped_object_or_404(user, "evaluation.view_recommendation", period.recommendations.all(), pk=post.get("id") or 0)
        services.follow_up(item, status=post.get("status", ""), note=post.get("note", ""), evidence_url=post.get("evidence_url", ""),
                           by=user)
        return _("Follow-up saved.")
    if action == "from_plan":
        plan = services.gap_plan(period, post.get("target", ""), cycles=_int(post.get("cycles", 1), "cycles")).as_dict(
            services.methodology_for(period))
        count = services.recommendations_from_plan(period, plan, by=user)
        return _("%(count)s recommendations drafted from the plan.") % {"count": count}
    if action == "write_minutes":
        services.write_minutes(period, stage=post.get("stage", ""), held_on=_date(post.get("held_on", ""), "held_on") or date.today(),
                               place=post.get("place", ""), participants=post.get("participants", ""),
                               summary=post.get("summary", ""), by=user)
        return _("Berita Acara saved.")
    if action == "sign_minutes":
        if not can_manage:
            raise PermissionDenied
        minutes = period.minutes.filter(stage=post.get("stage", "")).first()
        if minutes is None:
            raise ServiceError(_("Write the Berita Acara first."))
        agency = Agency.objects.filter(pk=post.get("agency") or 0).first()
        if agency is None:
            raise ServiceError(_("Choose the unit the Berita Acara is issued by."), field="agency")
        signers = [u for u in _signers(period) if str(u.pk) in post.getlist("signers")]
        services.send_minutes_for_signature(minutes, agency=agency, signers=signers, by=user)
        return _("The Berita Acara was sent for signature.")
    raise ServiceError(_("Unknown action."))


@console_view
def minutes_pdf(request, period_id: int, stage: str):
    period = _period(request, period_id)
    minutes = scoped_object_or_404(request.user, "evaluation.view_stageminutes", StageMinutes.objects.filter(period=period),
                                   stage=stage)
    response = HttpResponse(services.minutes_pdf(minutes), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="berita-acara-{stage}-{period.year}.pdf"'
    return response


@console_view
@require_http_methods(["GET", "POST"])
def answers_excel(request, period_id: int):
    """GET: the answer template of the user's indicators; POST: the filled template back."""
    period = _period(request, period_id)
    if not permissions.has_perm(request.user, "evaluation.change_response"):
        raise PermissionDenied
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise ServiceError(_("Choose the filled answer workbook."), field="file")
            changed = services.import_answers(request.user, period, upload.read())
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("%(count)s answers saved from the workbook.") % {"count": changed})
        return redirect("evaluation:period-detail", period_id=period.pk)
    response = HttpResponse(services.answers_workbook(request.user, period),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="jawaban-spbe-{period.year}.xlsx"'
    return response
