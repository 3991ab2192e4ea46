"""Console pages for the evaluation cycle. Every write goes through ``services``."""

from __future__ import annotations

import io

from django.conf import settings
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
from spbe.inventory.models import Application

from . import charts, exports, services
from .api import evidence_file_response
from .index import InputError, compute_from_domains, parse_level_list
from .methodology import available, load, with_inactive
from .models import EvaluationPeriod, Evidence, PublishedIndex, Response, Stage, StageWindow


def _agency_filter(request) -> int | None:
    """The ``agency`` query parameter of the period page and its exports (ignored if not an id)."""
    raw = request.GET.get("agency", "")
    return int(raw) if raw.isdigit() and len(raw) < 18 else None


def _period(request, period_id: int) -> EvaluationPeriod:
    return scoped_object_or_404(
        request.user, "evaluation.view_evaluationperiod", EvaluationPeriod.objects.all(), pk=period_id
    )


@console_view
@require_http_methods(["GET", "POST"])
def period_list(request):
    periods = permissions.scope_queryset(
        request.user, "evaluation.view_evaluationperiod", EvaluationPeriod.objects.select_related("institution")
    )
    agencies = permissions.agencies_for(request.user, "evaluation.add_evaluationperiod")
    can_create = permissions.has_perm(request.user, "evaluation.add_evaluationperiod")
    error = None
    if request.method == "POST":
        if not can_create:
            raise PermissionDenied
        agency = agencies.filter(pk=request.POST.get("default_agency") or 0).first()
        try:
            if agency is None:
                raise ServiceError(_("Choose the OPD that answers until indicators are assigned."))
            year = int(request.POST.get("year", ""))
            period = services.create_period(
                institution=agency.institution,
                year=year,
                kind=request.POST.get("kind", ""),
                default_agency=agency,
                methodology_code=request.POST.get("methodology") or services.DEFAULT_METHODOLOGY,
                include_field_visit=bool(request.POST.get("include_field_visit")),
                by=request.user,
            )
        except ValueError:
            error = _("The year must be a number such as 2026.")
        except ServiceError as exc:
            error = exc.message
        else:
            messages.success(request, _("Evaluation period created."))
            return redirect("evaluation:period-detail", period_id=period.pk)
    return render(
        request,
        "evaluation/period_list.html",
        {"periods": periods, "agencies": agencies, "can_create": can_create, "error": error,
         "kinds": EvaluationPeriod.Kind.choices, "methodologies": available(), "form": request.POST},
    )


@console_view
def period_detail(request, period_id: int):
    period = _period(request, period_id)
    methodology = services.methodology_for(period)
    agency_filter = _agency_filter(request)
    responses = services.visible_responses(request.user, period, agency_filter)
    by_number = {r.indicator: r for r in responses}
    stages = period.stages()
    rows = []
    for indicator in methodology.indicators:
        response = by_number.get(indicator.number)
        if response is None:
            continue
        scores = {s.stage: s.level for s in response.scores.all()}
        rows.append({"indicator": indicator, "response": response, "levels": [scores.get(s) for s in stages]})
    results = [(Stage(s).label, result) for s, result in services.stage_results(period)]
    final = services.period_result(period)
    draft = services.draft_result(period) if final is None else None
    shown = final or draft
    radar = None
    if shown is not None:
        values = shown.domains if methodology.domains else shown.aspects
        radar = charts.radar(
            [g.name.replace(" SPBE", "") for g in methodology.groups],
            [(str(_("Index")), [float(values[g.number]) for g in methodology.groups])],
        )
    return render(
        request,
        "evaluation/period_detail.html",
        {
            "period": period,
            "windows": period.windows.order_by("id"),
            "stage_labels": [Stage(s).label for s in stages],
            "rows": rows,
            "results": results,
            "final": final,
            "draft": draft,
            "radar": radar,
            "can_manage": permissions.has_perm(request.user, "evaluation.change_evaluationperiod", period),
            # Only the OPDs whose indicators the user sees: the filter must not name the others.
            "agencies": Agency.objects.filter(
                pk__in=services.visible_responses(request.user, period).values("agency_id")).order_by("name"),
            "agency_filter": str(agency_filter or ""),
            "assessors": period.external_assessors.all(),
            "methodology": methodology,
            "switched_off": _switched_off(period, methodology),
            "progress": services.progress_by_agency(request.user, period),
            "can_answer_excel": services.stage_is_open(period, Stage.SELF_ASSESSMENT)
            and permissions.has_perm(request.user, "evaluation.change_response"),
        },
    )


def _switched_off(period, methodology) -> list:
    """The 2024 instrument's indicators not assessed in this period, with their names."""
    if not methodology.optional_indicators:
        return []
    full = with_inactive(methodology, ())
    return [full.indicator(n) for n in methodology.inactive]


@console_view
@require_POST
def indicator_switch(request, period_id: int):
    period = _period(request, period_id)
    try:
        number = int(request.POST.get("indicator", ""))
        services.set_indicator_active(period, number, request.POST.get("active") == "1", by=request.user,
                                      reason=request.POST.get("reason", ""))
    except ValueError:
        messages.error(request, _("Choose an indicator."))
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The indicators assessed in this period were changed."))
    return redirect("evaluation:period-detail", period_id=period.pk)


@console_view
@require_POST
def add_assessor(request, period_id: int):
    period = _period(request, period_id)
    user = User.objects.filter(username=request.POST.get("username", "").strip(), is_active=True).first()
    try:
        if user is None:
            raise ServiceError(_("No active user with that username."))
        services.add_external_assessor(period, user, by=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(name)s can now assess this period.") % {"name": user})
    return redirect("evaluation:period-detail", period_id=period.pk)


@console_view
@require_POST
def stage_action(request, period_id: int, stage: str, action: str):
    period = _period(request, period_id)
    if stage not in Stage.values or action not in ("open", "close"):
        raise Http404
    try:
        (services.open_stage if action == "open" else services.close_stage)(period, stage, by=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        label = Stage(stage).label
        messages.success(request, (_("%(stage)s opened.") if action == "open" else _("%(stage)s closed.")) % {"stage": label})
    return redirect("evaluation:period-detail", period_id=period.pk)


def _response_context(request, response: Response) -> dict:
    period = response.period
    methodology = services.methodology_for(period)
    indicator = methodology.indicator(response.indicator)
    user = request.user
    self_open = services.stage_is_open(period, Stage.SELF_ASSESSMENT)
    editable = self_open and response.status in (Response.Status.DRAFT, Response.Status.RETURNED)
    open_external = [
        w.stage for w in period.windows.filter(status=StageWindow.Status.OPEN) if w.stage != Stage.SELF_ASSESSMENT
    ]
    scores = {s.stage: s for s in response.scores.select_related("assessor")}
    return {
        "period": period,
        "response": response,
        "indicator": indicator,
        "scale": methodology.scales.get(indicator.scale, {}),
        "guidance": [{"level": level, "name": methodology.level_name(indicator, level),
                      "criterion": indicator.criteria.get(level, ""),
                      "alternative": indicator.criteria_alternative.get(level, ""),
                      "fulfilment": indicator.fulfilment.get(level, ""),
                      "evidence": indicator.evidence_by_level.get(level, ())}
                     for level in range(methodology.min_level, methodology.max_level + 1)],
        "methodology": methodology,
        "related": [methodology.indicator(n) for n in indicator.related],
        "evidence": permissions.scope_queryset(user, "evaluation.view_evidence", response.evidence.all()),
        "can_answer": editable and permissions.has_perm(user, "evaluation.change_response", response),
        "can_review": self_open and response.status == Response.Status.SUBMITTED
        and permissions.has_perm(user, "evaluation.review_response", response),
        "can_score": [(s, Stage(s).label) for s in open_external
                      if permissions.has_perm(user, "evaluation.change_stagescore", response)],
        "can_assign": permissions.has_perm(user, "evaluation.change_evaluationperiod", period),
        "stage_scores": [(Stage(s).label, scores.get(s)) for s in period.stages()],
        "history": list(response.changes.select_related("changed_by").order_by("-changed_at")[:20]),
        "score_history": list(response.score_changes.select_related("changed_by").order_by("-changed_at")[:20]),
        "agencies": Agency.objects.filter(institution=period.institution, is_active=True).order_by("path"),
        "people": User.objects.filter(memberships__agency=response.agency, memberships__is_active=True).distinct().order_by("full_name"),
        "applications": Application.objects.filter(agency__institution=period.institution, is_active=True)
        if indicator.chosen_from_applications else [],
        "levels": range(methodology.min_level, methodology.max_level + 1),
    }


@console_view
@require_http_methods(["GET", "POST"])
def response_detail(request, response_id: int):
    response = scoped_object_or_404(
        request.user, "evaluation.view_response", Response.objects.select_related("period", "agency"), pk=response_id
    )
    if request.method == "POST":
        try:
            message = _handle_response_post(request, response)
        except ServiceError as exc:
            messages.error(request, exc.message)
            context = _response_context(request, response)
            context["posted"] = request.POST  # keep what the user typed
            return render(request, "evaluation/response_detail.html", context, status=400)
        messages.success(request, message)
        return redirect("evaluation:response-detail", response_id=response.pk)
    return render(request, "evaluation/response_detail.html", _response_context(request, response))


def _level_from(post) -> int | None:
    raw = post.get("level", "")
    if raw == "":
        return None
    try:
        return int(raw)
    except ValueError:
        raise ServiceError(_("Choose a level from the list.")) from None


def _handle_response_post(request, response: Response) -> str:
    action = request.POST.get("action")
    user = request.user
    if action in ("save", "submit"):
        level, explanation = _level_from(request.POST), request.POST.get("explanation", "")
        if request.POST.get("survey_benefit") or request.POST.get("survey_cost"):
            level, note = services.survey_answer_level(response, benefit=request.POST.get("survey_benefit", ""),
                                                       cost=request.POST.get("survey_cost", ""))
            explanation = f"{note}\n{explanation}".strip()
        services.save_answer(response, level=level, explanation=explanation, by=user)
        if action == "submit":
            services.submit_answer(response, by=user)
            return _("Answer submitted for review.")
        return _("Answer saved.")
    if action == "add_file":
        upload = request.FILES.get("file")
        if upload is None:
            raise ServiceError(_("Choose a file to upload."))
        services.add_evidence_file(response, name=upload.name, data=upload.read(),
                                   title=request.POST.get("title", ""), by=user)
        return _("Bukti dukung added.")
    if action == "add_link":
        services.add_evidence_link(response, url=request.POST.get("url", ""), title=request.POST.get("title", ""),
                                   by=user)
        return _("Bukti dukung added.")
    if action == "remove_evidence":
        item = scoped_object_or_404(user, "evaluation.view_evidence", response.evidence.all(),
                                    pk=request.POST.get("evidence_id") or 0)
        services.remove_evidence(item, by=user)
        return _("Bukti dukung removed.")
    if action in ("approve", "return"):
        services.review_answer(response, approve=action == "approve", comment=request.POST.get("comment", ""), by=user)
        return _("Answer approved.") if action == "approve" else _("Answer returned for revision.")
    if action == "score":
        services.record_stage_score(response, stage=request.POST.get("stage", ""), level=request.POST.get("level"),
                                    comment=request.POST.get("comment", ""), by=user)
        return _("Level recorded.")
    if action == "assign":
        agency = Agency.objects.filter(pk=request.POST.get("agency") or 0).first()
        if agency is None:
            raise ServiceError(_("Choose an OPD."))
        pic = User.objects.filter(pk=request.POST.get("pic") or 0).first()
        application = Application.objects.filter(pk=request.POST.get("application") or 0).first()
        services.assign_indicator(response, agency=agency, pic=pic, application=application, by=user)
        return _("Indicator assigned.")
    raise ServiceError(_("Unknown action."))


@console_view
def evidence_download(request, evidence_id: int):
    item = scoped_object_or_404(request.user, "evaluation.view_evidence", Evidence.objects.all(), pk=evidence_id)
    if item.kind != Evidence.Kind.FILE:
        raise Http404
    return evidence_file_response(item)


@console_view
def gap_planner(request, period_id: int):
    period = _period(request, period_id)
    methodology = services.methodology_for(period)
    target = request.GET.get("target", methodology.predicates[0].name)
    cycles, cap = _bounded(request.GET.get("cycles"), 1, 1, 10), _bounded(request.GET.get("cap"), 1, 1, 4)
    plan = error = None
    try:
        plan = services.gap_plan(period, target, cycles=cycles, cap=cap).as_dict(methodology)
    except ServiceError as exc:
        error = exc.message
    if plan is not None and request.GET.get("format") == "xlsx":
        return _plan_xlsx(period, plan)
    return render(request, "evaluation/gap.html",
                  {"period": period, "target": target, "plan": plan, "error": error, "cycles": cycles, "cap": cap,
                   "by_agency": services.plan_by_agency(period, plan) if plan else [],
                   "predicates": methodology.predicates, "methodology": methodology})


def _bounded(value, default: int, low: int, high: int) -> int:
    try:
        return min(max(int(value), low), high)
    except (TypeError, ValueError):
        return default


def _plan_xlsx(period, plan) -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Plan")
    sheet.append([_("Gap planner"), period.title])
    sheet["A1"].font = Font(bold=True)
    sheet.append([_("From"), float(plan["start_index"]), _("To"), float(plan["end_index"])])
    sheet.append([])
    header = [_("Responsible OPD"), _("Year"), _("Indicator"), _("Name"), _("From"), _("To"), _("Index gain"), _("Effort"),
              _("What the next level requires")]
    sheet.append(header)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for group in services.plan_by_agency(period, plan):
        for step in group["steps"]:
            sheet.append([group["agency"], step["year"], step["indicator"], step["name"], step["from"], step["to"],
                          float(step["gain"]), float(step["effort"]), step["requires"]])
            sheet.cell(row=sheet.max_row, column=9).alignment = Alignment(wrap_text=True, vertical="top")
    for column, width in (("A", 36), ("D", 50), ("I", 80)):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="rencana-spbe-{period.year}.xlsx"'
    return response


@console_view
def export(request, period_id: int, fmt: str):
    """The period page as a file: the same rows (scope and OPD filter) and the same stage results."""
    period = _period(request, period_id)
    if fmt not in ("xlsx", "pdf"):
        raise Http404
    responses = services.visible_responses(request.user, period, _agency_filter(request)).prefetch_related("evidence")
    if fmt == "xlsx":
        response = HttpResponse(
            exports.to_xlsx(period, responses),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = HttpResponse(exports.to_pdf(period, responses), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="spbe-{period.year}.{fmt}"'
    return response


@console_view
@require_http_methods(["GET", "POST"])
def trend(request):
    if not permissions.has_perm(request.user, "evaluation.view_publishedindex"):
        raise PermissionDenied
    can_import = permissions.has_perm(request.user, "evaluation.add_publishedindex")
    if request.method == "POST":
        if not can_import:
            raise PermissionDenied
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise ServiceError(_("Choose a CSV file."))
            try:
                raw = upload.read()
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError:
                    text = raw.decode("cp1252")  # what Excel on Windows saves as "CSV"
            except UnicodeDecodeError:
                raise ServiceError(_("The file must be UTF-8 encoded CSV.")) from None
            imported = services.import_published_indices(text, by=request.user)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("%(count)s rows imported.") % {"count": imported.rows})
            for warning in imported.warnings:
                messages.warning(request, warning)
        return redirect("evaluation:trend")
    memberships = permissions.current_memberships(request.user)
    default_name = memberships[0].agency.institution.name if memberships else settings.SPBE_INSTITUTION_NAME
    institution = request.GET.get("institution") or default_name
    own = list(PublishedIndex.objects.filter(institution_name=institution).order_by("year"))
    # Periods run on the platform count too, for years without a published figure.
    published_years = {p.year for p in own}
    periods = permissions.scope_queryset(request.user, "evaluation.view_evaluationperiod",
                                         EvaluationPeriod.objects.filter(institution__name=institution))
    for period in periods:
        result = services.period_result(period)
        if result is not None and period.year not in published_years:
            own.append(PublishedIndex(institution_name=institution, year=period.year,
                                      index=result.index_display, predicate=result.predicate.name,
                                      source=_("Computed on this platform (%(stage)s)")
                                      % {"stage": period.title}))
    own.sort(key=lambda p: p.year)
    years = sorted(set(PublishedIndex.objects.values_list("year", flat=True)))
    year = int(request.GET.get("year") or (years[-1] if years else 0))
    comparison = PublishedIndex.objects.filter(year=year).order_by("-index")
    return render(request, "evaluation/trend.html", {
        "institution": institution,
        "institutions": PublishedIndex.objects.values_list("institution_name", flat=True).distinct().order_by(
            "institution_name"),
        "own": own,
        "chart": charts.trend([(p.year, float(p.index)) for p in own]),
        "comparison": comparison,
        "years": years,
        "year": year,
        "can_import": can_import,
    })


@console_view
def calculator(request):
    from .index import compute_from_aspects, compute_from_levels
    from .input_messages import describe
    from .methodology import MethodologyError

    result = error = None
    try:
        methodology = load(request.GET.get("methodology") or services.DEFAULT_METHODOLOGY)
    except MethodologyError:
        methodology, error = load(services.DEFAULT_METHODOLOGY), _("Choose a methodology from the list.")
    texts = {key: request.GET.get(key, "") for key in ("levels", "aspects", "domains")}
    try:
        if texts["levels"].strip():
            result = compute_from_levels(methodology, parse_level_list(methodology, texts["levels"].replace(";", ",")))
        elif texts["aspects"].strip():
            result = compute_from_aspects(methodology, _values(texts["aspects"]))
        elif texts["domains"].strip():
            result = compute_from_domains(methodology, _values(texts["domains"]))
    except InputError as exc:
        error = describe(exc)
    return render(request, "evaluation/calculator.html", {
        "methodology": methodology, "methodologies": [load(code) for code in available()],
        "result": result.as_dict(request.LANGUAGE_CODE) if result else None, "error": error, **texts,
    })


def _values(text: str) -> list[str]:
    """"4,60; 3,70" (Indonesian decimals, semicolons) or "4.60, 3.70"."""
    if ";" in text:
        return [v.strip().replace(",", ".") for v in text.split(";")]
    return [v.strip() for v in text.split(",")]


def public_index(request):
    """The public SPBE index page of this platform's institution (no sign-in)."""
    name = request.GET.get("institution") or settings.SPBE_INSTITUTION_NAME
    summary = services.public_summary(name)
    chart = charts.trend([(p.year, float(p.index)) for p in summary["rows"]], label=_("SPBE index by year")) if summary else ""
    return render(request, "evaluation/public_index.html", {"institution": name, "summary": summary, "chart": chart})
