"""The evaluation cycle: periods, assignments, answers, bukti dukung, stages and scores.

Every write checks rights through ``spbe.core.permissions``, keeps its own history row where
the history matters (answers, scores) and records an audit event, in one transaction.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from spbe.audit import services as audit
from spbe.core import permissions
from spbe.core.services import ConflictError, ServiceError

from .. import evidence as evidence_checks
from ..gap import plan_to_target
from ..index import InputError, Result, compute_from_levels, survey_level
from ..methodology import Methodology, MethodologyError, load, parse
from ..models import (
    EXTERNAL_STAGES,
    STAGE_ORDER,
    EvaluationPeriod,
    Evidence,
    Response,
    ResponseChange,
    ScoreChange,
    Stage,
    StageScore,
    StageWindow,
)


DEFAULT_METHODOLOGY = "permenpanrb-59-2020"


# --- methodology ----------------------------------------------------------------------


@lru_cache(maxsize=64)
def _parse_snapshot(period_id: int, code: str, inactive: tuple[int, ...]) -> Methodology:
    period = EvaluationPeriod.objects.only("methodology_snapshot").get(pk=period_id)
    return parse({**period.methodology_snapshot, "inactive": list(inactive)})


def methodology_for(period: EvaluationPeriod) -> Methodology:
    """The period's frozen copy, so later edits of the data file never change its arithmetic. The
    switched-off indicators, as the given row holds them, are part of the cache key: a row read
    after another process switched one never gets the old parse."""
    return _parse_snapshot(period.pk, period.methodology_code, tuple(period.methodology_snapshot.get("inactive", ())))


# --- periods and stages ---------------------------------------------------------------


@transaction.atomic
def create_period(
    *,
    institution,
    year: int,
    kind: str,
    default_agency,
    methodology_code: str = DEFAULT_METHODOLOGY,
    title: str = "",
    include_field_visit: bool = False,
    by=None,
) -> EvaluationPeriod:
    if by is not None and not permissions.has_perm(by, "evaluation.add_evaluationperiod", default_agency):
        raise PermissionDenied("evaluation.add_evaluationperiod")
    if default_agency.institution_id != institution.pk:
        raise ServiceError(_("The default OPD must belong to the institution."), field="default_agency")
    if kind not in EvaluationPeriod.Kind.values:
        raise ServiceError(_("Unknown period kind."), field="kind")
    if EvaluationPeriod.objects.filter(institution=institution, year=year).exists():
        raise ConflictError(_("This institution already has an evaluation period for %(year)s.") % {"year": year})
    try:
        methodology = load(methodology_code)
    except MethodologyError as exc:
        raise ServiceError(str(exc), field="methodology_code") from exc
    period = EvaluationPeriod(
        institution=institution,
        year=year,
        kind=kind,
        title=title or _("SPBE %(kind)s %(year)s") % {"kind": EvaluationPeriod.Kind(kind).label, "year": year},
        methodology_code=methodology.code,
        methodology_snapshot=methodology.raw,
        include_field_visit=include_field_visit,
    )
    period.full_clean(exclude=["methodology_snapshot"])
    period.save()
    for stage in period.stages():
        StageWindow.objects.create(period=period, stage=stage)
    Response.objects.bulk_create(
        Response(period=period, indicator=indicator.number, agency=default_agency) for indicator in methodology.indicators
    )
    from .followup import carry_over

    carry_over(period)  # open recommendations of the previous period continue here
    audit.record(
        "evaluation.period.created",
        period,
        agency=default_agency,
        data={"year": year, "kind": kind, "methodology": methodology.code, "indicators": len(methodology.indicators)},
    )
    return period


def _window(period: EvaluationPeriod, stage: str) -> StageWindow:
    window = period.windows.filter(stage=stage).first()
    if window is None:
        raise ServiceError(_("This period has no %(stage)s stage.") % {"stage": Stage(stage).label})
    return window


def stage_is_open(period: EvaluationPeriod, stage: str) -> bool:
    return period.windows.filter(stage=stage, status=StageWindow.Status.OPEN).exists()


@transaction.atomic
def open_stage(period: EvaluationPeriod, stage: str, *, by=None) -> StageWindow:
    permissions.require_unless_system(by, "evaluation.change_evaluationperiod", period)
    window = _window(period, stage)
    if window.status != StageWindow.Status.PENDING:
        raise ConflictError(_("This stage has already been opened."))
    earlier = period.stages()[: period.stages().index(stage)]
    not_closed = period.windows.filter(stage__in=earlier).exclude(status=StageWindow.Status.CLOSED)
    if not_closed.exists():
        raise ConflictError(_("Close the earlier stages first."))
    window.status = StageWindow.Status.OPEN
    window.opened_at = timezone.now()
    window.save()
    audit.record("evaluation.stage.opened", period, agency=None, data={"stage": stage})
    return window


@transaction.atomic
def close_stage(period: EvaluationPeriod, stage: str, *, by=None) -> StageWindow:
    """Close a stage; from then on its levels are read-only."""
    permissions.require_unless_system(by, "evaluation.change_evaluationperiod", period)
    window = StageWindow.objects.select_for_update().get(pk=_window(period, stage).pk)
    if window.status != StageWindow.Status.OPEN:
        raise ConflictError(_("Only an open stage can be closed."))
    if stage == Stage.SELF_ASSESSMENT:
        pending = list(
            period.responses.filter(indicator__in=active_indicators(period))
            .exclude(status=Response.Status.APPROVED).values_list("indicator", flat=True)
        )
        if pending:
            raise ConflictError(
                _("Every indicator must be approved before the self-assessment closes. Not yet approved: %(list)s")
                % {"list": ", ".join(map(str, pending))}
            )
    window.status = StageWindow.Status.CLOSED
    window.closed_at = timezone.now()
    window.closed_by = by
    window.save()
    result = period_result(period, stage)
    audit.record(
        "evaluation.stage.closed",
        period,
        agency=None,
        data={"stage": stage, "index": result.index_display if result else None},
    )
    return window


@transaction.atomic
def add_external_assessor(period: EvaluationPeriod, user, *, by=None) -> None:
    permissions.require_unless_system(by, "evaluation.change_evaluationperiod", period)
    from spbe.core.roles import Role

    if not user.memberships.filter(role=Role.EXTERNAL_ASSESSOR, is_active=True).exists():
        raise ServiceError(_("The user is not an external assessor."), field="user")
    period.external_assessors.add(user)
    audit.record("evaluation.period.assessor_added", period, agency=None, data={"assessor": user.username})


# --- assignments and answers ----------------------------------------------------------


@transaction.atomic
def assign_indicator(response: Response, *, agency, pic=None, application=None, by=None) -> Response:
    permissions.require_unless_system(by, "evaluation.change_evaluationperiod", response.period)
    # Re-read under lock: the caller's copy may be stale and must not overwrite the answer.
    response = Response.objects.select_for_update().select_related("period").get(pk=response.pk)
    if agency.institution_id != response.period.institution_id:
        raise ServiceError(_("The OPD belongs to another institution."), field="agency")
    if pic is not None and not pic.memberships.filter(agency=agency, is_active=True).exists():
        raise ServiceError(_("The person in charge has no role in that OPD."), field="pic")
    indicator = methodology_for(response.period).indicator(response.indicator)
    if application is not None:
        if not indicator.chosen_from_applications:
            raise ServiceError(_("Only sectoral service indicators are tied to an application."), field="application")
        if application.agency.institution_id != response.period.institution_id:
            raise ServiceError(_("The application belongs to another institution."), field="application")
    before = {"agency": response.agency_id, "pic": response.pic_id, "application": response.application_id}
    response.agency = agency
    response.pic = pic
    response.application = application
    response.save(update_fields=["agency", "pic", "application", "updated_at"])
    audit.record(
        "evaluation.response.assigned",
        response,
        data={"before": before, "after": {"agency": agency.pk, "pic": getattr(pic, "pk", None),
                                          "application": getattr(application, "pk", None)}},
    )
    return response


def _locked(response: Response) -> Response:
    """The current row, locked: decisions use it, never the caller's possibly stale copy."""
    return Response.objects.select_for_update().select_related("period").get(pk=response.pk)


def _check_answer_editable(response: Response) -> None:
    if not stage_is_open(response.period, Stage.SELF_ASSESSMENT):
        raise ConflictError(_("The self-assessment stage is not open; answers are read-only."))
    if response.status not in (Response.Status.DRAFT, Response.Status.RETURNED):
        raise ConflictError(_("This answer has been submitted; it can change only if the reviewer returns it."))


def _log_response(response: Response, by, note: str = "") -> None:
    ResponseChange.objects.create(
        response=response,
        level=response.level,
        explanation=response.explanation,
        status=response.status,
        note=note,
        changed_by=by,
    )


@transaction.atomic
def save_answer(response: Response, *, level: int | None, explanation: str, by=None) -> Response:
    response = _locked(response)
    permissions.require_unless_system(by, "evaluation.change_response", response)
    _check_answer_editable(response)
    methodology = methodology_for(response.period)
    if level is not None and not methodology.min_level <= int(level) <= methodology.max_level:
        raise ServiceError(
            _("The level must be between %(min)s and %(max)s.") % {"min": methodology.min_level, "max": methodology.max_level},
            field="level",
        )
    before = {"level": response.level, "explanation": response.explanation}
    response.level = int(level) if level is not None else None
    response.explanation = explanation.strip()
    response.save()
    _log_response(response, by)
    audit.record(
        "evaluation.response.saved",
        response,
        data={"before": before, "after": {"level": response.level, "explanation": response.explanation}},
    )
    return response


def survey_answer_level(response: Response, *, benefit: str, cost: str) -> tuple[int, str]:
    """A satisfaction indicator's level from its survey means, and the line that records how
    it was obtained (kept in the explanation, so the assessor sees the survey behind it)."""
    methodology = methodology_for(response.period)
    indicator = methodology.indicator(response.indicator)
    if indicator.value_source != "survey":
        raise ServiceError(_("This indicator is answered with a level, not a survey."), field="level")
    try:
        level = survey_level(methodology, benefit.strip().replace(",", "."), cost.strip().replace(",", "."))
    except InputError:
        raise ServiceError(_("Give both survey means as numbers from 1 to 5, such as 4,2."), field="survey_benefit") from None
    note = _("Survey: benefits %(benefit)s − costs and risks %(cost)s → level %(level)s.") % {
        "benefit": benefit.strip(), "cost": cost.strip(), "level": level}
    return level, note


@transaction.atomic
def submit_answer(response: Response, *, by=None) -> Response:
    response = _locked(response)
    permissions.require_unless_system(by, "evaluation.change_response", response)
    _check_answer_editable(response)
    problems = []
    if response.level is None:
        problems.append(_("choose a level"))
    if len(response.explanation) < 20:
        problems.append(_("write an explanation (facts, analysis and why this level) of at least 20 characters"))
    if not response.evidence.exists():
        problems.append(_("add at least one piece of bukti dukung"))
    indicator = methodology_for(response.period).indicator(response.indicator)
    if indicator.chosen_from_applications and response.application_id is None:
        problems.append(_("ask the coordinator to choose the application assessed"))
    if problems:
        raise ServiceError(_("Before submitting: %(list)s.") % {"list": "; ".join(problems)})
    response.status = Response.Status.SUBMITTED
    response.save()
    _log_response(response, by, note="submitted")
    audit.record("evaluation.response.submitted", response, data={"level": response.level})
    return response


@transaction.atomic
def review_answer(response: Response, *, approve: bool, comment: str = "", by=None) -> Response:
    response = _locked(response)
    permissions.require_unless_system(by, "evaluation.review_response", response)
    if not stage_is_open(response.period, Stage.SELF_ASSESSMENT):
        raise ConflictError(_("The self-assessment stage is not open; answers are read-only."))
    if response.status != Response.Status.SUBMITTED:
        raise ConflictError(_("Only a submitted answer can be reviewed."))
    if not approve and not comment.strip():
        raise ServiceError(_("Say what must be revised when returning an answer."), field="comment")
    response.status = Response.Status.APPROVED if approve else Response.Status.RETURNED
    response.review_comment = comment.strip()
    response.save()
    _log_response(response, by, note=("approved" if approve else "returned") + (f": {comment}" if comment else ""))
    if approve:
        _set_score(response, Stage.SELF_ASSESSMENT, response.level, comment, by)
    audit.record(
        "evaluation.response.approved" if approve else "evaluation.response.returned",
        response,
        data={"level": response.level, "comment": comment},
    )
    return response


# --- bukti dukung ---------------------------------------------------------------------


@transaction.atomic
def add_evidence_file(response: Response, *, name: str, data: bytes, title: str = "", by=None) -> Evidence:
    response = _locked(response)
    permissions.require_unless_system(by, "evaluation.add_evidence", response)
    _check_answer_editable(response)
    try:
        checked = evidence_checks.check_upload(name, data)
    except evidence_checks.EvidenceRejected as exc:
        raise ServiceError(str(exc), field="file") from exc
    if response.evidence.filter(sha256=checked.sha256).exists():
        raise ConflictError(_("This file is already attached to the indicator."), field="file")
    item = Evidence(
        response=response,
        kind=Evidence.Kind.FILE,
        title=(title or name)[:200],
        original_name=name[:255],
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        searchable=checked.searchable,
        uploaded_by=by,
    )
    item.file.save(f"{checked.sha256[:8]}.{checked.extension}", ContentFile(data), save=False)
    item.save()
    audit.record(
        "evaluation.evidence.added",
        item,
        data={"indicator": response.indicator, "name": name, "sha256": checked.sha256, "size": checked.size},
    )
    return item


@transaction.atomic
def add_evidence_link(response: Response, *, url: str, title: str, by=None) -> Evidence:
    response = _locked(response)
    permissions.require_unless_system(by, "evaluation.add_evidence", response)
    _check_answer_editable(response)
    from django.core.validators import URLValidator
    from django.core.exceptions import ValidationError

    url = url.strip()
    try:
        URLValidator(schemes=["https", "http"])(url)
    except ValidationError:
        raise ServiceError(_("Enter a full link starting with https://"), field="url") from None
    if not title.strip():
        raise ServiceError(_("Give the link a title that matches its content."), field="title")
    item = Evidence.objects.create(
        response=response, kind=Evidence.Kind.LINK, title=title.strip()[:200], url=url, uploaded_by=by
    )
    audit.record("evaluation.evidence.added", item, data={"indicator": response.indicator, "url": url})
    return item


@transaction.atomic
def remove_evidence(item: Evidence, *, by=None) -> None:
    permissions.require_unless_system(by, "evaluation.delete_evidence", item)
    _check_answer_editable(item.response)
    audit.record(
        "evaluation.evidence.removed",
        item,
        data={"indicator": item.response.indicator, "title": item.title, "sha256": item.sha256, "url": item.url},
    )
    stored = item.file.name if item.file else None
    item.delete()
    if stored:
        transaction.on_commit(lambda: item.file.storage.delete(stored))


# --- stage scores ---------------------------------------------------------------------


def _set_score(response: Response, stage: str, level: int, comment: str, by) -> StageScore:
    existing = StageScore.objects.filter(response=response, stage=stage).first()
    previous = existing.level if existing else None
    score, _ = StageScore.objects.update_or_create(
        response=response, stage=stage, defaults={"level": level, "comment": comment, "assessor": by}
    )
    ScoreChange.objects.create(
        response=response, stage=stage, previous_level=previous, level=level, comment=comment, changed_by=by
    )
    return score


@transaction.atomic
def record_stage_score(response: Response, *, stage: str, level: int, comment: str = "", by=None) -> StageScore:
    """An external assessor's level for one indicator at the document, interview or visit stage."""
    response = _locked(response)
    permissions.require_unless_system(by, "evaluation.change_stagescore", response)
    if stage not in EXTERNAL_STAGES:
        raise ServiceError(_("Self-assessment levels come from approved answers."), field="stage")
    if stage not in response.period.stages():
        raise ServiceError(_("This period has no %(stage)s stage.") % {"stage": Stage(stage).label}, field="stage")
    if not stage_is_open(response.period, stage):
        raise ConflictError(_("The %(stage)s stage is not open; its levels are read-only.") % {"stage": Stage(stage).label})
    methodology = methodology_for(response.period)
    if level in (None, ""):
        raise ServiceError(_("Choose a level."), field="level")  # never a default: one click must not record level 1
    try:
        level = int(level)
    except (TypeError, ValueError):
        raise ServiceError(_("The level must be a whole number."), field="level") from None
    if not methodology.min_level <= level <= methodology.max_level:
        raise ServiceError(
            _("The level must be between %(min)s and %(max)s.") % {"min": methodology.min_level, "max": methodology.max_level},
            field="level",
        )
    score = _set_score(response, stage, level, comment.strip(), by)
    audit.record(
        "evaluation.score.recorded", response, data={"stage": stage, "level": level, "comment": comment.strip()}
    )
    return score


# --- results --------------------------------------------------------------------------


def active_indicators(period: EvaluationPeriod) -> set[int]:
    """The indicators the period assesses (the 2024 instrument may switch some off)."""
    return {i.number for i in methodology_for(period).indicators}


@transaction.atomic
def set_indicator_active(period: EvaluationPeriod, number: int, active: bool, *, by, reason: str = "") -> EvaluationPeriod:
    """Switch an indicator of an instrument that allows it (2024) off or back on. Its answer,
    evidence and levels are kept; while off they count nowhere."""
    permissions.require(by, "evaluation.change_evaluationperiod", period)
    given, period = period, EvaluationPeriod.objects.select_for_update().get(pk=period.pk)
    snapshot = dict(period.methodology_snapshot)
    if not snapshot.get("optional_indicators"):
        raise ServiceError(_("This methodology assesses every indicator; none can be switched off."), field="indicator")
    inactive = set(snapshot.get("inactive", ()))
    inactive = inactive - {number} if active else inactive | {number}
    try:
        parse({**snapshot, "inactive": sorted(inactive)})
    except MethodologyError as exc:
        raise ServiceError(_("This indicator cannot be switched off: %(error)s") % {"error": exc}, field="indicator") from exc
    if not active and not reason.strip():
        raise ServiceError(_("Say why the indicator is not assessed (the instruction or letter)."), field="reason")
    snapshot["inactive"] = sorted(inactive)
    period.methodology_snapshot = given.methodology_snapshot = snapshot  # the caller's row follows
    period.save(update_fields=["methodology_snapshot"])
    audit.record("evaluation.indicator.activated" if active else "evaluation.indicator.deactivated", period, actor=by,
                 data={"indicator": number, "reason": reason[:300], "inactive": snapshot["inactive"]})
    return period


def levels_at(period: EvaluationPeriod, stage: str | None = None) -> dict[int, int]:
    """Levels as of ``stage`` (default: the latest): each indicator takes its latest scored stage."""
    stages = period.stages()
    upto = stages if stage is None else stages[: stages.index(stage) + 1]
    rank = {s: STAGE_ORDER.index(s) for s in upto}
    best: dict[int, tuple[int, int]] = {}
    for indicator, score_stage, level in StageScore.objects.filter(
        response__period=period, stage__in=upto
    ).values_list("response__indicator", "stage", "level"):
        if indicator not in best or rank[score_stage] > best[indicator][0]:
            best[indicator] = (rank[score_stage], level)
    active = active_indicators(period)
    return {indicator: level for indicator, (_, level) in best.items() if indicator in active}


def visible_responses(user, period: EvaluationPeriod, agency_id: int | None = None):
    """The indicators of ``period`` that ``user`` may see (optionally of one OPD): the period page
    and its exports show exactly these rows."""
    responses = permissions.scope_queryset(
        user, "evaluation.view_response",
        period.responses.filter(indicator__in=active_indicators(period))
        .select_related("agency", "pic").prefetch_related("scores"),
    )
    if agency_id is not None:
        responses = responses.filter(agency_id=agency_id)
    return responses


def stage_results(period: EvaluationPeriod) -> list[tuple[str, Result | None]]:
    """(stage, index as of that stage) for each stage. A stage that has not started, or in which
    nobody has recorded a level yet, has no index of its own ("not assessed yet"): carrying the
    previous stage's levels forward would show an assessors' result that no assessor gave."""
    started = set(period.windows.exclude(status=StageWindow.Status.PENDING).values_list("stage", flat=True))
    scored = set(StageScore.objects.filter(response__period=period).values_list("stage", flat=True).distinct())
    return [(stage, period_result(period, stage) if stage in started and stage in scored else None)
            for stage in period.stages()]


def period_result(period: EvaluationPeriod, stage: str | None = None) -> Result | None:
    """The index as of a stage, or None while some indicator has no level yet."""
    levels = levels_at(period, stage)
    methodology = methodology_for(period)
    if len(levels) < len(methodology.indicators):
        return None
    return compute_from_levels(methodology, levels)


def draft_result(period: EvaluationPeriod) -> Result | None:
    """What the index would be from the OPDs' current answers (before review)."""
    methodology = methodology_for(period)
    levels = dict(period.responses.exclude(level=None).filter(indicator__in=active_indicators(period))
                  .values_list("indicator", "level"))
    if len(levels) < len(methodology.indicators):
        return None
    return compute_from_levels(methodology, levels)


def gap_plan(period: EvaluationPeriod, target: str, *, cycles: int = 1, cap: int = 1):
    result = period_result(period) or draft_result(period)
    if result is None:
        raise ServiceError(_("Every indicator needs a level before a plan can be made."))
    try:
        return plan_to_target(methodology_for(period), result.levels, target, cycles=cycles, cap=cap)
    except InputError as exc:
        from ..input_messages import describe

        raise ServiceError(describe(exc), field="target") from exc


def plan_by_agency(period: EvaluationPeriod, plan: dict) -> list[dict]:
    """The plan's steps grouped by the OPD responsible for each indicator, each step with its
    evaluation year: what the coordinator hands to each OPD."""
    owners = dict(period.responses.values_list("indicator", "agency__name"))
    groups: dict[str, list] = {}
    for step in plan["steps"]:
        step = {**step, "year": period.year + step["cycle"]}
        groups.setdefault(owners.get(step["indicator"], "—"), []).append(step)
    return [{"agency": name, "steps": steps, "effort": sum(Decimal(s["effort"]) for s in steps)}
            for name, steps in sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))]
