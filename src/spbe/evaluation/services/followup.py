"""After and around a result: stage deadlines with reminders to the OPDs that still owe answers,
per-OPD progress, and recommendations followed up and carried into the next period."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from spbe.audit import services as audit
from spbe.core import permissions
from spbe.core.services import ServiceError

from ..models import EvaluationPeriod, Recommendation, Response, Stage, StageWindow
from .cycle import active_indicators, visible_responses

REMINDER_DAYS = 7  # reminders start this many days before a stage deadline and continue after it


# --- deadlines and reminders ------------------------------------------------------------------


@transaction.atomic
def set_stage_deadline(period: EvaluationPeriod, stage: str, due_date: date | None, *, by) -> StageWindow:
    permissions.require(by, "evaluation.change_evaluationperiod", period)
    window = StageWindow.objects.select_for_update().filter(period=period, stage=stage).first()
    if window is None:
        raise ServiceError(_("This period has no such stage."), field="stage")
    if window.status == StageWindow.Status.CLOSED:
        raise ServiceError(_("The stage is closed; its deadline can no longer change."), field="due_date")
    if due_date is not None and due_date.year < period.year - 1:
        raise ServiceError(_("The deadline cannot fall before the year preceding the period."), field="due_date")
    previous = window.due_date
    window.due_date, window.reminded_on = due_date, None
    window.save(update_fields=["due_date", "reminded_on"])
    audit.record("evaluation.stage.deadline", period, actor=by,
                 data={"stage": stage, "before": previous.isoformat() if previous else None,
                       "after": due_date.isoformat() if due_date else None})
    return window


def owed_answers(period: EvaluationPeriod) -> dict:
    """Per OPD, the indicators it still has to answer or correct in the self-assessment."""
    owed = defaultdict(list)
    for response in (period.responses.filter(indicator__in=active_indicators(period),
                                             status__in=[Response.Status.DRAFT, Response.Status.RETURNED])
                     .select_related("agency", "pic").order_by("indicator")):
        owed[response.agency].append(response)
    return owed


def send_reminders(today: date | None = None) -> int:
    """E-mail every OPD that owes self-assessment answers when the deadline is near or past
    (once a day per stage). Returns the number of OPDs reminded."""
    from spbe.core.tasks import send_notification_email

    today = today or timezone.localdate()
    reminded = 0
    windows = StageWindow.objects.filter(stage=Stage.SELF_ASSESSMENT, status=StageWindow.Status.OPEN,
                                         due_date__isnull=False, due_date__lte=today + timedelta(days=REMINDER_DAYS))
    for window in windows.exclude(reminded_on=today).select_related("period"):
        period = window.period
        for agency, responses in owed_answers(period).items():
            recipients = sorted({agency.email, *(r.pic.email for r in responses if r.pic and r.pic.email)} - {""})
            if not recipients:
                continue
            late = window.due_date < today
            numbers = ", ".join(str(r.indicator) for r in responses)
            subject = (_("Overdue: SPBE self-assessment answers for %(period)s") if late
                       else _("Reminder: SPBE self-assessment answers for %(period)s")) % {"period": period.title}
            body = _("%(agency)s still has to answer or correct indicators %(numbers)s of %(period)s. The deadline is "
                     "%(due)s. Open %(url)s to answer.") % {
                "agency": agency.name, "numbers": numbers, "period": period.title,
                "due": formats.date_format(window.due_date, "DATE_FORMAT"),
                "url": settings.SITE_URL.rstrip("/") + f"/console/evaluation/{period.pk}/?agency={agency.pk}"}
            send_notification_email.enqueue(recipients, str(subject), str(body))
            audit.record("evaluation.reminder.sent", period, agency=agency,
                         data={"indicators": [r.indicator for r in responses], "late": late, "recipients": len(recipients)})
            reminded += 1
        StageWindow.objects.filter(pk=window.pk).update(reminded_on=today)
    return reminded


def progress_by_agency(user, period: EvaluationPeriod) -> list[dict]:
    """One row per OPD: assigned indicators and how many are unanswered, submitted, returned,
    approved — what the user may see of the period."""
    S = Response.Status
    rows = (visible_responses(user, period).order_by().values("agency_id", "agency__name")
            .annotate(total=Count("id"), draft=Count("id", filter=Q(status=S.DRAFT)),
                      submitted=Count("id", filter=Q(status=S.SUBMITTED)), returned=Count("id", filter=Q(status=S.RETURNED)),
                      approved=Count("id", filter=Q(status=S.APPROVED))))
    result = [{"agency_id": r["agency_id"], "agency": r["agency__name"], **{k: r[k] for k in ("total", "draft", "submitted", "returned", "approved")},
               "percent": round(100 * r["approved"] / r["total"]) if r["total"] else 0} for r in rows]
    return sorted(result, key=lambda r: (r["percent"], r["agency"]))


# --- recommendations ------------------------------------------------------------------------------


def _check_recommendation(period, agency, target_year, text):
    if not text.strip():
        raise ServiceError(_("Write the recommendation."), field="text")
    if agency is None or agency.institution_id != period.institution_id:
        raise ServiceError(_("Choose an OPD of the institution."), field="agency")
    if not period.year <= target_year <= period.year + 5:
        raise ServiceError(_("The target year is between %(first)s and %(last)s.") % {"first": period.year, "last": period.year + 5},
                           field="target_year")


@transaction.atomic
def add_recommendation(period: EvaluationPeriod, *, text: str, agency, target_year: int, indicator: int | None = None,
                       source: str = Recommendation.Source.KEMENPANRB, by) -> Recommendation:
    permissions.require(by, "evaluation.change_evaluationperiod", period)
    _check_recommendation(period, agency, target_year, text)
    if indicator is not None and indicator not in active_indicators(period):
        raise ServiceError(_("This period has no indicator %(n)s.") % {"n": indicator}, field="indicator")
    if source not in Recommendation.Source.values:
        raise ServiceError(_("Choose where the recommendation comes from."), field="source")
    recommendation = Recommendation.objects.create(period=period, indicator=indicator, text=text.strip(), agency=agency,
                                                   target_year=target_year, source=source, created_by=by)
    audit.record("evaluation.recommendation.added", recommendation, actor=by, agency=agency,
                 data={"period": period.pk, "indicator": indicator, "target_year": target_year, "source": source})
    return recommendation


@transaction.atomic
def follow_up(recommendation: Recommendation, *, status: str, note: str = "", evidence_url: str = "", by) -> Recommendation:
    """The responsible OPD (or the coordinator) records what was done."""
    permissions.require(by, "evaluation.change_recommendation", recommendation)
    recommendation = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
    if status not in Recommendation.Status.values:
        raise ServiceError(_("Choose a status."), field="status")
    if status in (Recommendation.Status.DONE, Recommendation.Status.DROPPED) and not (note.strip() or evidence_url.strip()):
        raise ServiceError(_("Say what was done (or why not), or link the evidence."), field="note")
    if evidence_url.strip() and not evidence_url.strip().startswith(("https://", "http://")):
        raise ServiceError(_("The evidence link must start with https://."), field="evidence_url")
    before = recommendation.status
    recommendation.status = status
    if note.strip():
        stamp = formats.date_format(timezone.localdate(), "SHORT_DATE_FORMAT")
        recommendation.follow_up = (recommendation.follow_up + "\n" if recommendation.follow_up else "") + f"{stamp}: {note.strip()}"
    if evidence_url.strip():
        recommendation.evidence_url = evidence_url.strip()[:500]
    recommendation.save()
    audit.record("evaluation.recommendation.followed_up", recommendation, actor=by, agency=recommendation.agency,
                 data={"from": before, "to": status, "note": note[:300]})
    return recommendation


def recommendations_from_plan(period: EvaluationPeriod, plan: dict, *, by) -> int:
    """One recommendation per planned step, for its OPD and year, with the official criterion."""
    owners = {r.indicator: r.agency for r in period.responses.select_related("agency")}
    created = 0
    for step in plan["steps"]:
        text = _("Raise indicator %(n)s (%(name)s) from level %(a)s to %(b)s: %(criterion)s") % {
            "n": step["indicator"], "name": step["name"], "a": step["from"], "b": step["to"], "criterion": step["requires"]}
        add_recommendation(period, text=text, agency=owners[step["indicator"]], target_year=period.year + step["cycle"],
                           indicator=step["indicator"], source=Recommendation.Source.GAP_PLAN, by=by)
        created += 1
    return created


def carry_over(period: EvaluationPeriod) -> int:
    """Open recommendations of the institution's previous period come into this one, linked
    to where they came from (called when a period is created)."""
    previous = (EvaluationPeriod.objects.filter(institution=period.institution, year__lt=period.year)
                .order_by("-year").first())
    if previous is None:
        return 0
    open_ones = previous.recommendations.filter(status__in=[Recommendation.Status.OPEN, Recommendation.Status.IN_PROGRESS])
    active = active_indicators(period)
    copies = [Recommendation(period=period, indicator=r.indicator if r.indicator in active else None, text=r.text,
                             agency=r.agency, target_year=max(r.target_year, period.year), source=r.source, status=r.status,
                             follow_up=r.follow_up, evidence_url=r.evidence_url, carried_from=r, created_by=r.created_by)
              for r in open_ones]
    Recommendation.objects.bulk_create(copies)
    if copies:
        audit.record("evaluation.recommendation.carried_over", period, data={"from_period": previous.pk, "count": len(copies)})
    return len(copies)


def visible_recommendations(user, period: EvaluationPeriod):
    return permissions.scope_queryset(user, "evaluation.view_recommendation",
                                      period.recommendations.select_related("agency", "carried_from__period"))
