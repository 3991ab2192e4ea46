"""/api/v1/evaluation: methodologies, the calculator, periods, answers, bukti dukung, scores."""

from datetime import datetime

from django.http import FileResponse, Http404
from ninja import Query, Field, File, Form, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from spbe.core import permissions
from spbe.core.apiutils import BoundedPagination, get_scoped_or_404
from spbe.core.models import Agency, Institution, User
from spbe.core.services import ServiceError
from spbe.inventory.models import Application

from . import services
from .index import InputError, compute_from_aspects, compute_from_domains, compute_from_levels
from .methodology import MethodologyError, available, load
from .models import EvaluationPeriod, Evidence, Response, Stage

router = Router(tags=["evaluation"])


class ComputeIn(Schema):
    methodology: str = "permenpanrb-59-2020"
    levels: list[int] | None = Field(None, description="levels in indicator order")
    aspects: list[str] | None = Field(None, description="aspect values in aspect order (e.g. the 2018–2019 results)")
    domains: list[str] | None = Field(None, description="domain values in domain order")


class PeriodIn(Schema):
    institution_id: int
    year: int = Field(..., ge=2018, le=2100)
    kind: EvaluationPeriod.Kind
    default_agency_id: int
    methodology: str = "permenpanrb-59-2020"
    title: str = Field("", max_length=200)
    include_field_visit: bool = False


class StageOut(Schema):
    stage: str
    status: str
    opened_at: datetime | None
    closed_at: datetime | None


class PeriodOut(Schema):
    id: int
    institution_id: int
    year: int
    kind: str
    title: str
    methodology: str = Field(..., alias="methodology_code")
    stages: list[StageOut]

    @staticmethod
    def resolve_stages(obj):
        return obj.windows.all()


class ResponseOut(Schema):
    id: int
    indicator: int
    agency_id: int
    pic_id: int | None
    application_id: int | None
    level: int | None
    explanation: str
    status: str
    review_comment: str
    scores: dict[str, int]

    @staticmethod
    def resolve_scores(obj):
        return {s.stage: s.level for s in obj.scores.all()}


class AnswerIn(Schema):
    level: int | None = Field(None, ge=1, le=5)
    explanation: str = Field("", max_length=20000)


class ReviewIn(Schema):
    approve: bool
    comment: str = Field("", max_length=5000)


class AssignIn(Schema):
    agency_id: int
    pic_username: str | None = None
    application_id: int | None = None


class ScoreIn(Schema):
    level: int = Field(..., ge=1, le=5)
    comment: str = Field("", max_length=5000)


class EvidenceOut(Schema):
    id: int
    kind: str
    title: str
    original_name: str
    content_type: str
    size: int
    sha256: str
    searchable: bool | None
    url: str
    uploaded_at: datetime


class LinkIn(Schema):
    url: str = Field(..., max_length=500)
    title: str = Field(..., max_length=200)


def _period(request, period_id: int, perm: str = "evaluation.view_evaluationperiod") -> EvaluationPeriod:
    return get_scoped_or_404(request, perm, EvaluationPeriod.objects.prefetch_related("windows"), pk=period_id)


def _response(request, response_id: int) -> Response:
    return get_scoped_or_404(
        request, "evaluation.view_response", Response.objects.select_related("period").prefetch_related("scores"),
        pk=response_id,
    )


def _result_dict(result):
    return result.as_dict() if result is not None else None


@router.get("/methodologies", auth=None, summary="Available methodologies (data files)")
def list_methodologies(request):
    return [{"code": code, "name": load(code).name, "indicators": len(load(code).indicators), "domains": len(load(code).domains),
             "aspects": len(load(code).aspects), "status": load(code).status, "years": list(load(code).years)} for code in available()]


@router.get("/methodologies/{code}", auth=None)
def get_methodology(request, code: str):
    try:
        return load(code).raw
    except MethodologyError as exc:
        raise Http404 from exc


@router.post("/compute", auth=None, summary="Compute an index from levels, aspect values or domain values (exact)")
def compute(request, payload: ComputeIn):
    try:
        methodology = load(payload.methodology)
        if [payload.levels, payload.aspects, payload.domains].count(None) != 2:
            raise InputError("give exactly one of levels, aspects or domains")
        if payload.aspects is not None:
            result = compute_from_aspects(methodology, payload.aspects)
        elif payload.levels is not None:
            numbers = [i.number for i in methodology.indicators]
            if len(payload.levels) != len(numbers):
                raise InputError(f"{len(numbers)} indicator levels are needed, got {len(payload.levels)}")
            result = compute_from_levels(methodology, dict(zip(numbers, payload.levels, strict=True)))
        else:
            result = compute_from_domains(methodology, payload.domains)
    except (InputError, MethodologyError) as exc:
        raise ServiceError(str(exc)) from exc
    return result.as_dict(language=request.LANGUAGE_CODE)


@router.get("/periods", response=list[PeriodOut])
@paginate(BoundedPagination)
def list_periods(request):
    return permissions.scope_queryset(
        request.user, "evaluation.view_evaluationperiod", EvaluationPeriod.objects.prefetch_related("windows")
    )


@router.post("/periods", response={201: PeriodOut})
def create_period(request, payload: PeriodIn):
    institution = Institution.objects.filter(pk=payload.institution_id).first()
    agency = get_scoped_or_404(request, "core.view_agency", Agency.objects.all(), pk=payload.default_agency_id)
    if institution is None:
        raise Http404
    period = services.create_period(
        institution=institution, year=payload.year, kind=payload.kind.value, default_agency=agency,
        methodology_code=payload.methodology, title=payload.title, include_field_visit=payload.include_field_visit,
        by=request.user,
    )
    return Status(201, period)


@router.get("/periods/{period_id}", response=PeriodOut)
def get_period(request, period_id: int):
    return _period(request, period_id)


@router.get("/periods/{period_id}/result", summary="Index per stage and the current (final) one")
def period_result(request, period_id: int):
    period = _period(request, period_id)
    return {
        "stages": {stage: _result_dict(services.period_result(period, stage)) for stage in period.stages()},
        "final": _result_dict(services.period_result(period)),
        "draft": _result_dict(services.draft_result(period)),
    }


@router.post("/periods/{period_id}/stages/{stage}/open", response=StageOut)
def open_stage(request, period_id: int, stage: Stage):
    return services.open_stage(_period(request, period_id), stage.value, by=request.user)


@router.post("/periods/{period_id}/stages/{stage}/close", response=StageOut)
def close_stage(request, period_id: int, stage: Stage):
    return services.close_stage(_period(request, period_id), stage.value, by=request.user)


class AssessorIn(Schema):
    username: str = Field(..., min_length=1, max_length=150)


@router.post("/periods/{period_id}/assessors", response={204: None}, summary="Name an external assessor")
def add_assessor(request, period_id: int, payload: AssessorIn):
    period = _period(request, period_id)
    user = User.objects.filter(username=payload.username, is_active=True).first()
    if user is None:
        raise ServiceError("Unknown user.", field="username")
    services.add_external_assessor(period, user, by=request.user)
    return Status(204, None)


@router.get("/periods/{period_id}/gap", summary="Fewest level increases to reach a target index or predicate")
def gap(request, period_id: int, target: str, cycles: int = Query(1, ge=1, le=10), cap: int = Query(1, ge=1, le=4)):
    """A plan over ``cycles`` evaluation years, at most ``cap`` levels per indicator per year."""
    period = _period(request, period_id)
    plan = services.gap_plan(period, target, cycles=cycles, cap=cap).as_dict(services.methodology_for(period))
    plan["by_agency"] = [{"agency": g["agency"], "effort": str(g["effort"]), "indicators": [s["indicator"] for s in g["steps"]]}
                         for g in services.plan_by_agency(period, plan)]
    return plan


@router.get("/periods/{period_id}/responses", response=list[ResponseOut])
def list_responses(request, period_id: int, agency_id: int | None = None):
    period = _period(request, period_id)
    qs = permissions.scope_queryset(
        request.user, "evaluation.view_response", period.responses.prefetch_related("scores")
    )
    if agency_id is not None:
        qs = qs.filter(agency_id=agency_id)
    return qs.order_by("indicator")


@router.get("/responses/{response_id}", response=ResponseOut)
def get_response(request, response_id: int):
    return _response(request, response_id)


@router.put("/responses/{response_id}/answer", response=ResponseOut)
def save_answer(request, response_id: int, payload: AnswerIn):
    response = services.save_answer(
        _response(request, response_id), level=payload.level, explanation=payload.explanation, by=request.user
    )
    return _response(request, response.pk)


@router.post("/responses/{response_id}/submit", response=ResponseOut)
def submit_answer(request, response_id: int):
    services.submit_answer(_response(request, response_id), by=request.user)
    return _response(request, response_id)


@router.post("/responses/{response_id}/review", response=ResponseOut)
def review_answer(request, response_id: int, payload: ReviewIn):
    services.review_answer(_response(request, response_id), approve=payload.approve, comment=payload.comment,
                           by=request.user)
    return _response(request, response_id)


@router.post("/responses/{response_id}/assign", response=ResponseOut)
def assign(request, response_id: int, payload: AssignIn):
    response = _response(request, response_id)
    agency = get_scoped_or_404(request, "core.view_agency", Agency.objects.all(), pk=payload.agency_id)
    pic = User.objects.filter(username=payload.pic_username).first() if payload.pic_username else None
    if payload.pic_username and pic is None:
        raise ServiceError("Unknown user.", field="pic_username")
    application = Application.objects.filter(pk=payload.application_id).first() if payload.application_id else None
    services.assign_indicator(response, agency=agency, pic=pic, application=application, by=request.user)
    return _response(request, response_id)


@router.put("/responses/{response_id}/scores/{stage}", response=ResponseOut)
def record_score(request, response_id: int, stage: Stage, payload: ScoreIn):
    services.record_stage_score(
        _response(request, response_id), stage=stage.value, level=payload.level, comment=payload.comment,
        by=request.user,
    )
    return _response(request, response_id)


@router.get("/responses/{response_id}/evidence", response=list[EvidenceOut])
def list_evidence(request, response_id: int):
    response = _response(request, response_id)
    return permissions.scope_queryset(request.user, "evaluation.view_evidence", response.evidence.all())


@router.post("/responses/{response_id}/evidence/file", response={201: EvidenceOut})
def upload_evidence(request, response_id: int, file: File[UploadedFile], title: Form[str] = ""):
    item = services.add_evidence_file(
        _response(request, response_id), name=file.name, data=file.read(), title=title, by=request.user
    )
    return Status(201, item)


@router.post("/responses/{response_id}/evidence/link", response={201: EvidenceOut})
def add_link(request, response_id: int, payload: LinkIn):
    item = services.add_evidence_link(_response(request, response_id), url=payload.url, title=payload.title,
                                      by=request.user)
    return Status(201, item)


@router.get("/evidence/{evidence_id}/download")
def download_evidence(request, evidence_id: int):
    item = get_scoped_or_404(request, "evaluation.view_evidence", Evidence.objects.all(), pk=evidence_id)
    if item.kind != Evidence.Kind.FILE:
        raise Http404
    return evidence_file_response(item)


@router.delete("/evidence/{evidence_id}", response={204: None})
def delete_evidence(request, evidence_id: int):
    item = get_scoped_or_404(request, "evaluation.view_evidence", Evidence.objects.select_related("response"),
                             pk=evidence_id)
    services.remove_evidence(item, by=request.user)
    return Status(204, None)


def evidence_file_response(item: Evidence) -> FileResponse:
    response = FileResponse(item.file.open("rb"), as_attachment=True, filename=item.original_name or item.title,
                            content_type=item.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response


__all__ = ["router", "evidence_file_response"]
