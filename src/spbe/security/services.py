"""Every write of the disclosure programme: scope, researchers, reports and their lifecycle,
points, publication. Reports are private: a researcher sees their own, the owning OPD and the
security triagers see the OPD's, a supervisor sees their cohort's (``apps.py`` registers those
rules with the one permission layer)."""

from __future__ import annotations

import secrets
from datetime import timedelta

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from spbe.audit import services as audit
from spbe.core import permissions
from spbe.core.services import ConflictError, ServiceError

from . import attachments, scoring, taxonomy
from .models import Cohort, PointsEntry, Report, ReportAttachment, ReportEvent, Researcher, ScopeEntry

S = Report.Status
# Points per outcome (HackerOne's published reputation deltas, a ready-made model for students).
POINTS = {"resolved": 7, "not_applicable": -5, "spam": -10, "informative": 0, "duplicate": 0, "out_of_scope": -2}
ALLOWED = {  # triager transitions
    S.NEW: {S.TRIAGE, S.CLOSED},
    S.TRIAGE: {S.NEEDS_INFO, S.ACCEPTED, S.CLOSED},
    S.NEEDS_INFO: {S.TRIAGE, S.CLOSED},
    S.ACCEPTED: {S.CLOSED},
    S.FIXED: {S.RETEST},
    S.RETEST: {S.RESOLVED, S.ACCEPTED},
}


def _fernet() -> Fernet:
    import base64
    import hashlib

    key = getattr(settings, "SECURITY_DATA_KEY", "") or base64.urlsafe_b64encode(
        hashlib.sha256(("spbe-security-attachments:" + settings.SECRET_KEY).encode()).digest()).decode()
    return Fernet(key.encode())


# --- scope and researchers ------------------------------------------------------------


@transaction.atomic
def sync_scope(by=None) -> int:
    """Every active registered website and application becomes a scope entry (in scope by
    default); OPDs may then take entries out of scope."""
    from spbe.inventory import services as inventory

    websites, applications = inventory.active_public_assets()
    created = 0
    for site in websites:
        _entry, made = ScopeEntry.objects.get_or_create(website=site, defaults={"agency": site.agency})
        created += made
    for app in applications:
        _entry, made = ScopeEntry.objects.get_or_create(application=app, defaults={"agency": app.agency})
        created += made
    if created:
        audit.record("security.scope.synced", None, actor=by, data={"created": created})
    return created


@transaction.atomic
def set_in_scope(entry: ScopeEntry, in_scope: bool, *, notes: str = "", by) -> ScopeEntry:
    permissions.require(by, "security.change_scopeentry", entry)
    entry = ScopeEntry.objects.select_for_update().get(pk=entry.pk)
    entry.in_scope, entry.notes = in_scope, notes[:300]
    entry.save(update_fields=["in_scope", "notes"])
    audit.record("security.scope.changed", entry, actor=by, data={"in_scope": in_scope, "notes": notes[:300]})
    return entry


@transaction.atomic
def register_researcher(user, *, display_name: str, kind: str = "public", cohort: Cohort | None = None,
                        student_number: str = "", agreed: bool) -> Researcher:
    if not agreed:
        raise ServiceError(_("Read and accept the disclosure policy first."), field="agreed")
    if Researcher.objects.filter(user=user).exists():
        raise ConflictError(_("You are already registered."), code="already_registered")
    if kind == Researcher.Kind.STUDENT:
        if cohort is None or not student_number.strip():
            raise ServiceError(_("Students join through their practicum cohort with their student number."), field="cohort")
        if not cohort.starts <= timezone.localdate() <= cohort.ends:
            raise ServiceError(_("This practicum cohort is not running now."), field="cohort")
    researcher = Researcher.objects.create(user=user, kind=kind, display_name=display_name.strip()[:100] or user.username,
                                           cohort=cohort, student_number=student_number.strip()[:30], agreed_policy_at=timezone.now())
    audit.record("security.researcher.registered", researcher, actor=user, data={"kind": kind, "cohort": cohort.pk if cohort else None})
    return researcher


# --- reports ---------------------------------------------------------------------------


def _limit(researcher: Researcher) -> None:
    """At most 10 reports a day per researcher (spam control)."""
    since = timezone.now() - timedelta(days=1)
    if Report.objects.filter(researcher=researcher, created_at__gte=since).count() >= getattr(settings, "SECURITY_REPORTS_PER_DAY", 10):
        raise ServiceError(_("You have sent many reports today; please wait before sending more."), code="rate_limited")


@transaction.atomic
def submit_report(researcher: Researcher, *, scope: ScopeEntry, title: str, vuln_type: str, description: str, steps: str,
                  impact: str = "", affected_url: str = "", cvss_vector: str = "", files: list[tuple[str, bytes]] = ()) -> Report:
    _limit(researcher)
    scope = ScopeEntry.objects.select_related("website").get(pk=scope.pk)  # decide on the current row
    if not scope.in_scope:
        raise ServiceError(_("This system is out of scope: do not test it."), code="out_of_scope", field="scope")
    kind = taxonomy.BY_CODE.get(vuln_type)
    if kind is None:
        raise ServiceError(_("Choose the type of vulnerability."), field="vuln_type")
    if not title.strip() or len(description.strip()) < 20 or len(steps.strip()) < 20:
        raise ServiceError(_("Give a title, a description and the steps to reproduce (at least 20 characters each)."), field="description")
    if scope.website_id and affected_url and scope.website.domain not in affected_url:
        raise ServiceError(_("The affected URL is not on the chosen system."), code="out_of_scope", field="affected_url")
    if cvss_vector.strip():
        try:
            result = scoring.score(cvss_vector)
        except scoring.BadVector as exc:
            raise ServiceError(_("The CVSS vector is not valid: %(error)s") % {"error": exc}, field="cvss_vector") from exc
        version, vector, value, severity = result.version, result.vector, result.score, result.severity
    else:
        version, vector, value, severity = "", "", None, scoring.PRIORITY_SEVERITY[kind.priority]
    if len(files) > attachments.MAX_FILES:
        raise ServiceError(_("Attach at most %(n)s files.") % {"n": attachments.MAX_FILES}, field="files")
    try:
        checked = [attachments.check(name, data) for name, data in files]
    except attachments.AttachmentRejected as exc:
        raise ServiceError(str(exc), code="bad_attachment", field="files") from exc
    report = Report.objects.create(
        code="VR-" + secrets.token_hex(4).upper(), researcher=researcher, scope=scope, agency_id=scope.agency_id,
        title=title.strip()[:200], vuln_type=kind.code, cwe=kind.cwe, affected_url=affected_url[:1000], description=description,
        steps=steps, impact=impact, cvss_version=version, cvss_vector=vector, cvss_score=value, severity=severity,
    )
    for item in checked:
        ReportAttachment.objects.create(report=report, original_name=item.name, content_type=item.content_type, size=item.size,
                                        sha256=item.sha256, content_encrypted=_fernet().encrypt(item.data))
    ReportEvent.objects.create(report=report, author=researcher.user, kind="status", text=S.NEW)
    audit.record("security.report.submitted", report, actor=researcher.user,
                 data={"severity": severity, "cvss": vector, "type": kind.code, "attachments": len(checked)})
    return report


def _event(report, by, kind, text="", internal=False):
    ReportEvent.objects.create(report=report, author=by, kind=kind, text=text, internal=internal)


def _locked(report: Report) -> Report:
    return Report.objects.select_for_update().select_related("researcher").get(pk=report.pk)


def _award(report: Report, outcome: str) -> None:
    points = POINTS.get(outcome, 0)
    if points:
        PointsEntry.objects.create(researcher=report.researcher, report=report, points=points, reason=outcome)


@transaction.atomic
def triage(report: Report, *, to: str, by, note: str = "", close_reason: str = "", duplicate_of: Report | None = None,
           severity: str = "") -> Report:
    """Triager moves a report (new → triage → needs_info/accepted/closed; fixed → retest → resolved)."""
    permissions.require(by, "security.triage_report", report)
    report = _locked(report)
    if to not in ALLOWED.get(report.status, set()):
        raise ConflictError(_("A report cannot go from %(a)s to %(b)s.") % {"a": report.get_status_display(), "b": to}, code="bad_transition")
    if to == S.CLOSED:
        if close_reason not in Report.CloseReason.values:
            raise ServiceError(_("Choose why the report is closed."), field="close_reason")
        if close_reason == Report.CloseReason.DUPLICATE:
            if duplicate_of is None or duplicate_of.pk == report.pk or duplicate_of.agency_id != report.agency_id:
                raise ServiceError(_("Link the original report of the same OPD."), field="duplicate_of")
            report.duplicate_of = duplicate_of
        report.close_reason = close_reason
        _award(report, close_reason)
    if to == S.ACCEPTED:
        if severity and severity in scoring.FIX_DAYS:
            report.severity = severity
        report.fix_deadline = timezone.localdate() + timedelta(days=scoring.FIX_DAYS[report.severity])
        _event(report, by, "deadline", report.fix_deadline.isoformat())
    if to == S.RESOLVED:
        _award(report, "resolved")
    previous = report.status
    report.status = to
    report.save()
    _event(report, by, "status", to + (f": {close_reason}" if close_reason else ""))
    if note.strip():
        _event(report, by, "comment", note)
    audit.record("security.report.status", report, actor=by, data={"from": previous, "to": to, "close_reason": close_reason})
    return report


@transaction.atomic
def mark_fixed(report: Report, *, by, note: str = "") -> Report:
    """The owning OPD says it is fixed; the triager then retests."""
    permissions.require(by, "security.fix_report", report)
    report = _locked(report)
    if report.status != S.ACCEPTED:
        raise ConflictError(_("Only accepted reports can be marked fixed."), code="bad_transition")
    report.status = S.FIXED
    report.save(update_fields=["status", "updated_at"])
    _event(report, by, "status", S.FIXED)
    if note.strip():
        _event(report, by, "comment", note, internal=True)
    audit.record("security.report.fixed", report, actor=by)
    return report


@transaction.atomic
def comment(report: Report, *, by, text: str, internal: bool = False) -> ReportEvent:
    report = _locked(report)
    is_researcher = report.researcher.user_id == by.pk
    if not is_researcher:
        permissions.require(by, "security.view_report", report)
    if is_researcher and internal:
        raise PermissionDenied("researchers cannot write internal notes")
    if not text.strip():
        raise ServiceError(_("Write something."), field="text")
    if is_researcher and report.status == S.NEEDS_INFO:
        report.status = S.TRIAGE  # the answer sends it back to the triager
        report.save(update_fields=["status", "updated_at"])
        _event(report, by, "status", S.TRIAGE)
    event = ReportEvent.objects.create(report=report, author=by, kind="comment", text=text[:10000], internal=internal)
    audit.record("security.report.comment", report, actor=by, data={"internal": internal})
    return event


def attachment_bytes(attachment: ReportAttachment, by) -> bytes:
    report = attachment.report
    if report.researcher.user_id != by.pk:
        permissions.require(by, "security.view_report", report)
    audit.record("security.report.attachment_viewed", report, actor=by, data={"attachment": attachment.pk})
    return _fernet().decrypt(bytes(attachment.content_encrypted))


@transaction.atomic
def request_publication(report: Report, *, by) -> Report:
    report = _locked(report)
    if report.researcher.user_id != by.pk:
        raise PermissionDenied("only the reporter asks for publication")
    if report.status != S.RESOLVED:
        raise ConflictError(_("A report can be published only after the fix is confirmed."), code="not_resolved")
    report.publish_requested = True
    report.save(update_fields=["publish_requested", "updated_at"])
    audit.record("security.report.publication_requested", report, actor=by)
    return report


@transaction.atomic
def approve_publication(report: Report, *, by) -> Report:
    permissions.require(by, "security.publish_report", report)
    report = _locked(report)
    if report.status != S.RESOLVED or not report.publish_requested:
        raise ConflictError(_("Publication needs a resolved report and the reporter's request."), code="not_publishable")
    report.published_at = timezone.now()
    report.save(update_fields=["published_at", "updated_at"])
    _event(report, by, "published")
    audit.record("security.report.published", report, actor=by)
    return report


# --- reading --------------------------------------------------------------------------


def visible_reports(user):
    """Reports this user may read: own (researcher), the OPD's, triagers', supervisors'."""
    return permissions.scope_queryset(user, "security.view_report", Report.objects.select_related("researcher", "agency", "scope")).distinct()


def visible_events(report: Report, user):
    """The reporter never sees internal notes (even when they also work for an OPD)."""
    events = report.events.select_related("author")
    return events.filter(internal=False) if report.researcher.user_id == user.pk else events


def leaderboard(limit: int = 20) -> list[dict]:
    """Points from fixed findings only (resolved reports), public and students together."""
    rows = (PointsEntry.objects.filter(reason="resolved").values("researcher__display_name", "researcher__kind",
                                                                   "researcher__cohort__university__name")
            .annotate(total=Sum("points")).order_by("-total")[:limit])
    return [{"name": r["researcher__display_name"], "kind": r["researcher__kind"],
             "university": r["researcher__cohort__university__name"], "points": r["total"]} for r in rows]


def security_txt(site_url: str) -> str:
    """RFC 9116, regenerated on every request so Expires is always ahead (180 days)."""
    expires = (timezone.now() + timedelta(days=180)).replace(microsecond=0)
    base = site_url.rstrip("/")
    lines = [
        f"Contact: mailto:{getattr(settings, 'SECURITY_CONTACT_EMAIL', 'csirt@baliprov.go.id')}",
        f"Contact: {base}/security/report/",
        f"Expires: {expires.isoformat().replace('+00:00', 'Z')}",
        f"Policy: {base}/security/",
        f"Acknowledgments: {base}/security/leaderboard/",
        "Preferred-Languages: id, en",
        f"Canonical: {base}/.well-known/security.txt",
    ]
    return "\n".join(lines) + "\n"
