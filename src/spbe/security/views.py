"""Researcher portal (/security/), the staff triage console and security.txt."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from spbe.core import permissions, ratelimit
from spbe.core.services import ServiceError
from spbe.core.views import console_view

from . import services, taxonomy
from .models import Environment, Report, Researcher, ScopeEntry, Severity


def security_txt(request):
    return HttpResponse(services.security_txt(settings.SITE_URL), content_type="text/plain; charset=utf-8")


def policy(request):
    scope = ScopeEntry.objects.select_related("website", "application", "agency").order_by("agency__name")
    return render(request, "security/policy.html", {"scope": scope, "leaders": services.leaderboard(10)})


class RegisterForm(forms.Form):
    display_name = forms.CharField(max_length=100, label=gettext_lazy("Name shown on the leaderboard"))
    kind = forms.ChoiceField(choices=Researcher.Kind.choices, label=gettext_lazy("I take part as"))
    cohort = forms.ModelChoiceField(queryset=None, required=False, label=gettext_lazy("Practicum cohort (students)"))
    student_number = forms.CharField(max_length=30, required=False, label=gettext_lazy("Student number (NIM)"))
    agreed = forms.BooleanField(label=gettext_lazy("I have read the disclosure policy and will follow it"))

    def __init__(self, *args, **kwargs):
        from django.utils import timezone

        from .models import Cohort

        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["cohort"].queryset = Cohort.objects.filter(starts__lte=today, ends__gte=today).select_related("university")
        for field in self.fields.values():
            if not isinstance(field.widget, forms.CheckboxInput):
                field.widget.attrs["class"] = "form-select" if isinstance(field.widget, forms.Select) else "form-control"


class SignupForm(RegisterForm):
    email = forms.EmailField(max_length=254, label=gettext_lazy("Email address"),
                             help_text=gettext_lazy("We send a link to choose your password here; it is also your user name."))
    field_order = ["email", "display_name", "kind", "cohort", "student_number", "agreed"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs.update({"class": "form-control", "autocomplete": "email"})
        self.order_fields(self.field_order)


@require_http_methods(["GET", "POST"])
def signup(request):
    """Sign-up for people without an account (the public, students): account and researcher
    profile at once, password chosen through the link e-mailed to them."""
    if request.user.is_authenticated:
        return redirect("security:register")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if ratelimit.limited(request, f"security-signup:{ratelimit.client_ip(request)}", limit=5, window=3600):
            messages.error(request, _("Too many sign-ups from this network; please try again in an hour."))
        else:
            try:
                data = form.cleaned_data
                services.sign_up_researcher(email=data["email"], display_name=data["display_name"], kind=data["kind"],
                                            cohort=data["cohort"], student_number=data["student_number"], agreed=data["agreed"])
            except ServiceError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                return render(request, "security/signup_sent.html", {"email": form.cleaned_data["email"]})
    return render(request, "security/signup.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def register(request):
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            data = form.cleaned_data
            services.register_researcher(request.user, display_name=data["display_name"], kind=data["kind"], cohort=data["cohort"],
                                         student_number=data["student_number"], agreed=data["agreed"])
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            return redirect("security:report-new")
    return render(request, "security/register.html", {"form": form})


class ReportForm(forms.Form):
    scope = forms.ModelChoiceField(queryset=ScopeEntry.objects.filter(in_scope=True), label=gettext_lazy("System"))
    title = forms.CharField(max_length=200, label=gettext_lazy("Title"))
    vuln_type = forms.ChoiceField(choices=[(t.code, t.name) for t in taxonomy.TYPES], label=gettext_lazy("Type"))
    affected_url = forms.CharField(max_length=1000, required=False, label=gettext_lazy("Affected URL"))
    cvss_vector = forms.CharField(max_length=200, required=False, label=gettext_lazy("CVSS vector (4.0 or 3.1, optional)"))
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label=gettext_lazy("Description"))
    steps = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label=gettext_lazy("Steps to reproduce"))
    impact = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, label=gettext_lazy("Impact"))
    files = forms.FileField(required=False, label=gettext_lazy("Attachments (PNG, JPEG, PDF, TXT, MP4; up to 5 × 10 MB)"),
                            widget=forms.ClearableFileInput(attrs={"allow_multiple_selected": True}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select" if isinstance(field.widget, forms.Select) else "form-control"


def _researcher(request) -> Researcher | None:
    return Researcher.objects.filter(user=request.user).first()


@login_required
@require_http_methods(["GET", "POST"])
def report_new(request):
    researcher = _researcher(request)
    if researcher is None:
        return redirect("security:register")
    form = ReportForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if ratelimit.limited(request, f"security-report:{request.user.pk}", limit=5):
            messages.error(request, _("Too many requests. Please wait and try again."))
        elif form.is_valid():
            files = [(f.name, f.read()) for f in request.FILES.getlist("files")[:6] if f.size <= 11 * 1024 * 1024]
            data = form.cleaned_data
            try:
                report = services.submit_report(researcher, scope=data["scope"], title=data["title"], vuln_type=data["vuln_type"],
                                                description=data["description"], steps=data["steps"], impact=data["impact"],
                                                affected_url=data["affected_url"], cvss_vector=data["cvss_vector"], files=files)
            except ServiceError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("Report received. You will see every reply here."))
                return redirect("security:report-detail", code=report.code)
    return render(request, "security/report_new.html", {"form": form})


@login_required
def my_reports(request):
    researcher = _researcher(request)
    reports = researcher.reports.all() if researcher else []
    points = sum(p.points for p in researcher.points.all()) if researcher else 0
    return render(request, "security/my_reports.html", {"reports": reports, "points": points, "researcher": researcher})


@login_required
@require_http_methods(["GET", "POST"])
def report_detail(request, code: str):
    report = services.report_for(request.user, code)
    is_reporter = report.researcher.user_id == request.user.pk
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "comment":
                services.comment(report, by=request.user, text=request.POST.get("text", ""), internal=request.POST.get("internal") == "on")
            elif action == "publish_request":
                services.request_publication(report, by=request.user)
            elif action == "fixed":
                services.mark_fixed(report, by=request.user, note=request.POST.get("text", ""))
            elif action == "publish":
                services.approve_publication(report, by=request.user)
            elif action == "certificate":
                certificate = services.issue_certificate(report.researcher, by=request.user)
                messages.success(request, _("Certificate issued: %(url)s") % {"url": request.build_absolute_uri(f"/security/certificates/{certificate.code}/")})
            elif action == "triage":
                duplicate = Report.objects.filter(code=request.POST.get("duplicate_of", "").strip()).first()
                services.triage(report, to=request.POST.get("to", ""), by=request.user, note=request.POST.get("text", ""),
                                close_reason=request.POST.get("close_reason", ""), duplicate_of=duplicate,
                                severity=request.POST.get("severity", ""))
            else:
                raise ServiceError(_("Unknown action."))
        except ServiceError as exc:
            messages.error(request, exc.message)
        except PermissionDenied:
            messages.error(request, _("You do not have permission to do this."))
        return redirect("security:report-detail", code=report.code)
    return render(request, "security/report_detail.html", {
        "report": report, "events": services.visible_events(report, request.user), "is_reporter": is_reporter,
        "can_triage": permissions.has_perm(request.user, "security.triage_report", report),
        "can_fix": permissions.has_perm(request.user, "security.fix_report", report),
        "can_publish": permissions.has_perm(request.user, "security.publish_report", report),
        "statuses": Report.Status.choices, "close_reasons": Report.CloseReason.choices,
    })


@login_required
def attachment(request, code: str, attachment_id: int):
    report = services.report_for(request.user, code)
    item = report.attachments.filter(pk=attachment_id).first()
    if item is None:
        raise Http404
    response = HttpResponse(services.attachment_bytes(item, request.user), content_type=item.content_type)
    response["Content-Disposition"] = f'attachment; filename="{item.original_name}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response


def leaderboard(request):
    return render(request, "security/leaderboard.html", {"leaders": services.leaderboard(100)})


@console_view
def console_list(request):
    permissions.require(request.user, "security.view_report")
    reports = services.visible_reports(request.user)
    status = request.GET.get("status", "")
    if status:
        reports = reports.filter(status=status)
    return render(request, "security/console_list.html", {"reports": reports[:500], "status": status, "statuses": Report.Status.choices})


# --- ITSA, SOC, certificates, grades ----------------------------------------------------------

from datetime import date  # noqa: E402

from django.http import FileResponse  # noqa: E402

from spbe.core.views import scoped_object_or_404  # noqa: E402

from .models import Assessment, Certificate, ChecklistItem, Cohort, Finding  # noqa: E402


@console_view
@require_http_methods(["GET", "POST"])
def itsa_list(request):
    permissions.require(request.user, "security.view_assessment")
    from spbe.inventory.models import Application

    if request.method == "POST":
        application = scoped_object_or_404(request.user, "security.add_assessment", Application.objects.all(), pk=request.POST.get("application"))
        try:
            assessment = services.request_assessment(
                application, asvs_level=int(request.POST.get("asvs_level", "2")), environment=request.POST.get("environment", "staging"),
                window_start=date.fromisoformat(request.POST.get("window_start", "")), window_end=date.fromisoformat(request.POST.get("window_end", "")),
                testers=request.POST.get("testers", ""), by=request.user, production_risk_accepted=request.POST.get("risk") == "on")
        except ValueError:
            messages.error(request, _("Enter the testing window as dates."))
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            return redirect("security:itsa-detail", assessment_id=assessment.pk)
        return redirect("security:itsa-list")
    assessments = permissions.scope_queryset(request.user, "security.view_assessment", Assessment.objects.select_related("application", "agency"))
    applications = permissions.scope_queryset(request.user, "security.add_assessment", Application.objects.filter(is_active=True))
    return render(request, "security/itsa_list.html", {"assessments": assessments[:200], "applications": applications,
                                                       "environments": Environment.choices})


@console_view
@require_http_methods(["GET", "POST"])
def itsa_detail(request, assessment_id: int):
    assessment = scoped_object_or_404(request.user, "security.view_assessment", Assessment.objects.select_related("application", "agency"), pk=assessment_id)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "check":
                item = ChecklistItem.objects.get(assessment=assessment, pk=request.POST.get("item"))
                services.record_check(item, result=request.POST.get("result", ""), evidence=request.POST.get("evidence", ""), by=request.user)
            elif action == "finding":
                services.add_finding(assessment, title=request.POST.get("title", ""), description=request.POST.get("description", ""),
                                     cvss_vector=request.POST.get("cvss_vector", ""), severity=request.POST.get("severity", ""),
                                     requirement=request.POST.get("requirement", ""), recommendation=request.POST.get("recommendation", ""),
                                     by=request.user)
            elif action == "finding_status":
                finding = Finding.objects.get(assessment=assessment, pk=request.POST.get("finding"))
                expires = request.POST.get("expires")
                services.set_finding_status(finding, to=request.POST.get("to", ""), by=request.user, reason=request.POST.get("reason", ""),
                                            expires=date.fromisoformat(expires) if expires else None)
            elif action == "close":
                services.close_assessment(assessment, by=request.user)
            else:
                raise ServiceError(_("Unknown action."))
        except (ServiceError, ValueError, ChecklistItem.DoesNotExist, Finding.DoesNotExist) as exc:
            messages.error(request, getattr(exc, "message", _("Check the form.")))
        except PermissionDenied:
            messages.error(request, _("You do not have permission to do this."))
        return redirect("security:itsa-detail", assessment_id=assessment.pk)
    return render(request, "security/itsa_detail.html", {
        "assessment": assessment, "checklist": assessment.checklist.all(), "findings": assessment.findings.all(),
        "gate": services.go_live_gate(assessment), "results": ChecklistItem.Result.choices, "statuses": Finding.Status.choices,
        "severities": [(value, label) for value, label in Severity.choices if value != Severity.NONE][::-1],
        "can_assess": permissions.has_perm(request.user, "security.assess_assessment", assessment),
    })


@console_view
def itsa_pdf(request, assessment_id: int):
    from .pdf import assessment_pdf

    assessment = scoped_object_or_404(request.user, "security.view_assessment", Assessment.objects.select_related("application", "agency"), pk=assessment_id)
    response = HttpResponse(assessment_pdf(assessment, services.go_live_gate(assessment)), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="itsa-{assessment.pk}.pdf"'
    return response


@console_view
def soc(request):
    permissions.require(request.user, "security.view_securityalert")
    summary = services.soc_summary(request.user)
    levels = [(value, label) for value, label in Severity.choices if value != Severity.NONE][::-1]  # critical first
    return render(request, "security/soc.html", {
        "summary": summary, "levels": levels,
        "badges": [(value, label, summary["by_severity"][value]) for value, label in levels if value in summary["by_severity"]],
        "days": [(day, [counts.get(value, 0) for value, _label in levels]) for day, counts in summary["per_day"]],
    })


def certificate(request, code: str):
    item = Certificate.objects.filter(code=code).select_related("researcher__cohort__university").first()
    if item is None:
        raise Http404
    return render(request, "security/certificate.html", {"certificate": item})


def certificate_pdf(request, code: str):
    from .pdf import certificate_pdf as render_pdf

    item = Certificate.objects.filter(code=code).select_related("researcher").first()
    if item is None:
        raise Http404
    url = request.build_absolute_uri(f"/security/certificates/{item.code}/")
    return FileResponse(iter([render_pdf(item, url)]), content_type="application/pdf", filename=f"sertifikat-{item.code}.pdf")


GRADE_COLUMNS = ["student_number", "name", "reports", "accepted_or_better", "resolved", "spam_or_not_applicable",
                 "points", "suggested_grade"]


def _cohort(request, cohort_id: int) -> Cohort:
    cohort = services.visible_cohorts(request.user).filter(pk=cohort_id).first()
    if cohort is None:
        raise Http404
    return cohort


@login_required
def cohort_list(request):
    return render(request, "security/cohort_list.html", {"cohorts": services.visible_cohorts(request.user)})


@login_required
def cohort_detail(request, cohort_id: int):
    cohort = _cohort(request, cohort_id)
    return render(request, "security/cohort_detail.html",
                  {"cohort": cohort, "rows": services.cohort_grades(cohort, by=request.user)})


@login_required
def cohort_grades(request, cohort_id: int):
    import csv
    import io

    cohort = _cohort(request, cohort_id)
    rows = services.cohort_grades(cohort, by=request.user, exported=True)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=GRADE_COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="nilai-praktikum-{cohort.pk}.csv"'
    return response
