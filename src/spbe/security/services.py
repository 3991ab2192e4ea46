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
from spbe.core import keys, permissions
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
    return keys.fernet(settings.SECURITY_DATA_KEY, "spbe-security-attachments")


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


@transaction.atomic
def sign_up_researcher(*, email: str, display_name: str, kind: str = "public", cohort: Cohort | None = None,
                       student_number: str = "", agreed: bool) -> str:
    """A member of the public or a student signs up without an account: the account is made
    with no password and a one-time link to choose one goes to the address given, which proves
    it is theirs. Returns "created" or "existing"; for an address that already has an account
    nothing changes and that address is told how to sign in (the page says the same either
    way, so the form does not reveal who has an account)."""
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email
    from django.urls import reverse

    from spbe.core import services as core
    from spbe.core.models import User

    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ServiceError(_("Enter a valid email address."), code="bad_email", field="email") from exc
    if not agreed:
        raise ServiceError(_("Read and accept the disclosure policy first."), field="agreed")
    existing = User.objects.filter(username__iexact=email).first() or User.objects.filter(email__iexact=email).first()
    if existing is not None:
        link = core.password_setup_url(existing)
        body = _("Someone, perhaps you, asked to sign up as a security researcher with this address, which already has an "
                 "account (%(user)s). Sign in and open %(register)s to join the programme. If you forgot your password, "
                 "choose a new one here (the link works once): %(link)s") % {
            "user": existing.username, "register": settings.SITE_URL.rstrip("/") + reverse("security:register"), "link": link}
        _send(email, _("Vulnerability disclosure programme: your account"), body)
        audit.record("security.researcher.signup_existing", existing, actor=None, data={"email": email})
        return "existing"
    user = core.create_user(username=email, email=email, full_name=display_name.strip()[:150])
    register_researcher(user, display_name=display_name, kind=kind, cohort=cohort, student_number=student_number, agreed=agreed)
    body = _("Welcome to the vulnerability disclosure programme of %(institution)s. Choose your password here (the link "
             "works once): %(link)s — then sign in with the user name %(user)s and send your first report.") % {
        "institution": settings.SPBE_INSTITUTION_NAME, "link": core.password_setup_url(user), "user": user.username}
    _send(email, _("Vulnerability disclosure programme: choose your password"), body)
    return "created"


def _send(email: str, subject: str, body: str) -> None:
    from spbe.core.tasks import send_notification_email

    transaction.on_commit(lambda: send_notification_email.enqueue([email], str(subject), str(body)))


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


def is_handling_team(user, report: Report) -> bool:
    """The triage team and the owning OPD: the people who work on the report (and its internal
    notes). A reporter's supervisor reads the report as the student does, nothing more."""
    if report.researcher.user_id == getattr(user, "pk", None):
        return False
    return permissions.has_perm(user, "security.triage_report", report) or permissions.has_perm(
        user, "security.fix_report", report)


@transaction.atomic
def comment(report: Report, *, by, text: str, internal: bool = False) -> ReportEvent:
    report = _locked(report)
    is_researcher = report.researcher.user_id == by.pk
    if not is_researcher and not is_handling_team(by, report):
        raise PermissionDenied("only the reporter, the triage team and the owning OPD write on a report")
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


def report_for(user, code: str) -> Report:
    """One report the user may read, or Http404 (never 403: codes of others stay hidden)."""
    from django.http import Http404

    report = visible_reports(user).filter(code=code).first()
    if report is None:
        raise Http404
    return report


def visible_events(report: Report, user):
    """Internal notes only for the triage team and the owning OPD; never for the reporter (even
    when they also work for an OPD) nor for a supervisor."""
    events = report.events.select_related("author")
    return events if is_handling_team(user, report) else events.filter(internal=False)


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


# --- ITSA ------------------------------------------------------------------------------------

from .models import Assessment, Certificate, ChecklistItem, Finding, SecurityAlert, WazuhAgent  # noqa: E402


@transaction.atomic
def request_assessment(application, *, asvs_level: int, environment: str, window_start, window_end, testers: str, by,
                       production_risk_accepted: bool = False) -> Assessment:
    """An OPD asks for a pre-launch assessment; the checklist is generated for the ASVS level."""
    from . import asvs

    permissions.require(by, "security.add_assessment", application)
    if asvs_level not in (1, 2, 3):
        raise ServiceError(_("The ASVS level is 1, 2 or 3."), field="asvs_level")
    if window_end < window_start:
        raise ServiceError(_("The testing window ends before it starts."), field="window_end")
    if environment == "production" and not production_risk_accepted:
        raise ServiceError(_("Testing in production needs the owner's written acceptance of the risk."), field="environment")
    assessment = Assessment.objects.create(
        application=application, agency=application.agency, asvs_level=asvs_level, environment=environment, testers=testers[:300],
        window_start=window_start, window_end=window_end, requested_by=by,
        production_risk_accepted_by=by if environment == "production" else None,
    )
    ChecklistItem.objects.bulk_create([ChecklistItem(assessment=assessment, requirement=rid, chapter=chapter, level=level, text=text)
                                       for rid, chapter, level, text in asvs.items_for(asvs_level)])
    audit.record("security.itsa.requested", assessment, actor=by, data={"application": application.name, "level": asvs_level,
                                                                       "environment": environment})
    return assessment


@transaction.atomic
def record_check(item: ChecklistItem, *, result: str, evidence: str = "", by) -> ChecklistItem:
    permissions.require(by, "security.assess_assessment", item.assessment)
    if result not in ChecklistItem.Result.values:
        raise ServiceError(_("Unknown result."), field="result")
    item = ChecklistItem.objects.select_for_update().get(pk=item.pk)
    item.result, item.evidence = result, evidence[:5000]
    item.save(update_fields=["result", "evidence"])
    Assessment.objects.filter(pk=item.assessment_id, status=Assessment.Status.REQUESTED).update(status=Assessment.Status.TESTING)
    audit.record("security.itsa.check", item.assessment, actor=by, data={"requirement": item.requirement, "result": result})
    return item


@transaction.atomic
def add_finding(assessment: Assessment, *, title: str, description: str, by, cvss_vector: str = "", severity: str = "",
                cwe: int = 0, requirement: str = "", recommendation: str = "") -> Finding:
    permissions.require(by, "security.assess_assessment", assessment)
    if cvss_vector.strip():
        try:
            result = scoring.score(cvss_vector)
        except scoring.BadVector as exc:
            raise ServiceError(_("The CVSS vector is not valid: %(error)s") % {"error": exc}, field="cvss_vector") from exc
        cvss_vector, severity = result.vector, result.severity
    if severity not in scoring.FIX_DAYS:
        raise ServiceError(_("Give a CVSS vector or a severity."), field="severity")
    finding = Finding.objects.create(
        assessment=assessment, title=title[:200], description=description, recommendation=recommendation, severity=severity,
        cvss_vector=cvss_vector, cwe=cwe, requirement=requirement[:40],
        deadline=timezone.localdate() + timedelta(days=scoring.FIX_DAYS[severity]),
    )
    audit.record("security.itsa.finding", finding, actor=by, data={"severity": severity, "title": title[:200]})
    return finding


@transaction.atomic
def set_finding_status(finding: Finding, *, to: str, by, reason: str = "", expires=None) -> Finding:
    """fixed (by the OPD) → verified or reopened (by the assessor); risk acceptance with an expiry."""
    finding = Finding.objects.select_for_update().select_related("assessment").get(pk=finding.pk)
    F = Finding.Status
    if to == F.FIXED:
        permissions.require(by, "security.fix_report", finding.assessment)
        allowed = {F.OPEN, F.REOPENED}
    elif to in (F.VERIFIED, F.REOPENED):
        permissions.require(by, "security.assess_assessment", finding.assessment)
        allowed = {F.FIXED}
    elif to == F.RISK_ACCEPTED:
        permissions.require(by, "security.accept_risk", finding.assessment)
        allowed = {F.OPEN, F.REOPENED}
        if not reason.strip() or expires is None:
            raise ServiceError(_("A risk acceptance needs a reason and an expiry date."), field="reason")
        if not timezone.localdate() < expires <= timezone.localdate() + timedelta(days=180):
            raise ServiceError(_("A risk acceptance expires within 180 days."), field="expires")
        finding.risk_accepted_by, finding.risk_reason, finding.risk_expires = by, reason, expires
    else:
        raise ServiceError(_("Unknown status."), field="to")
    if finding.status not in allowed:
        raise ConflictError(_("A finding cannot go from %(a)s to %(b)s.") % {"a": finding.get_status_display(), "b": to}, code="bad_transition")
    previous = finding.status
    finding.status = to
    if to == F.REOPENED:  # the clock starts again
        finding.deadline = timezone.localdate() + timedelta(days=scoring.FIX_DAYS[finding.severity])
    finding.save()
    audit.record("security.itsa.finding_status", finding, actor=by, data={"from": previous, "to": to, "reason": reason[:300]})
    return finding


def go_live_gate(assessment: Assessment) -> dict:
    """Blocked while any Critical or High finding is open (risk acceptances count until they expire)."""
    today = timezone.localdate()
    blocking = []
    for finding in assessment.findings.filter(severity__in=["critical", "high"]):
        if finding.status == Finding.Status.VERIFIED:
            continue
        if finding.status == Finding.Status.RISK_ACCEPTED and finding.risk_expires and finding.risk_expires >= today:
            continue
        blocking.append(finding)
    pending = assessment.checklist.filter(result=ChecklistItem.Result.PENDING).count()
    return {"allowed": not blocking and pending == 0, "blocking_findings": blocking, "unchecked_items": pending}


@transaction.atomic
def close_assessment(assessment: Assessment, *, by) -> Assessment:
    permissions.require(by, "security.assess_assessment", assessment)
    gate = go_live_gate(assessment)
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    assessment.status = Assessment.Status.REPORTED
    assessment.save(update_fields=["status"])
    audit.record("security.itsa.reported", assessment, actor=by, data={
        "go_live": "allowed" if gate["allowed"] else "blocked", "blocking": [f.pk for f in gate["blocking_findings"]],
        "unchecked": gate["unchecked_items"]})
    return assessment


# --- Wazuh ----------------------------------------------------------------------------------


def ingest_alerts(documents: list[dict]) -> dict:
    """Store alerts from the webhook or a backfill; the alert's own id makes re-delivery harmless."""
    from django.db import IntegrityError

    from . import wazuh

    stored = duplicates = rejected = 0
    for document in documents:
        try:
            parsed = wazuh.parse(document)
        except (wazuh.UnknownFormat, ValueError, TypeError, KeyError):
            rejected += 1
            continue
        agent = None
        if parsed.agent_id:
            agent, _created = WazuhAgent.objects.get_or_create(agent_id=parsed.agent_id, defaults={"name": parsed.agent_name, "ip": parsed.agent_ip})
            if agent.agency_id is None:
                _auto_map(agent)
            WazuhAgent.objects.filter(pk=agent.pk).update(last_seen=parsed.occurred_at)
        try:
            with transaction.atomic():
                SecurityAlert.objects.create(
                    source_id=parsed.source_id[:100], wazuh_version=parsed.version, occurred_at=parsed.occurred_at, rule_id=parsed.rule_id,
                    level=parsed.level, severity=parsed.severity, description=parsed.description, groups=parsed.groups,
                    mitre=parsed.mitre, agent=agent, agency_id=agent.agency_id if agent else None, location=parsed.location,
                    src_ip=parsed.src_ip, file_path=parsed.file_path, file_event=parsed.file_event,
                )
        except IntegrityError:
            duplicates += 1
            continue
        stored += 1
    return {"stored": stored, "duplicates": duplicates, "rejected": rejected}


def _auto_map(agent: WazuhAgent) -> None:
    """Agents in group ``opd-<agency code>`` belong to that OPD until someone maps them by hand."""
    from spbe.core.models import Agency

    if agent.group.startswith("opd-"):
        agency = Agency.objects.filter(code=agent.group[4:]).first()
        if agency:
            agent.agency = agency
            agent.save(update_fields=["agency"])


@transaction.atomic
def map_agent(agent: WazuhAgent, agency, *, by) -> WazuhAgent:
    permissions.require(by, "security.change_wazuhagent")
    agent = WazuhAgent.objects.select_for_update().get(pk=agent.pk)
    agent.agency = agency
    agent.save(update_fields=["agency"])
    SecurityAlert.objects.filter(agent=agent).update(agency=agency)
    audit.record("security.wazuh.agent_mapped", agent, actor=by, agency=agency, data={"agent": agent.agent_id})
    return agent


def backfill(indexer_url: str, *, username: str, password: str, since, index: str = "wazuh-alerts-4.x-*", page: int = 500) -> dict:
    """Pull what the webhook missed from the Wazuh indexer (OpenSearch), search_after paging."""
    from spbe.core import outbound

    totals = {"stored": 0, "duplicates": 0, "rejected": 0, "pages": 0}
    after = None
    with outbound.client("wazuh", base_url=indexer_url.rstrip("/"), auth=(username, password), timeout=30,
                         verify=getattr(settings, "WAZUH_INDEXER_VERIFY", True)) as client:
        while True:
            body = {"size": page, "sort": [{"@timestamp": "asc"}, {"_id": "asc"}],
                    "query": {"range": {"@timestamp": {"gte": since.isoformat()}}}}
            if after:
                body["search_after"] = after
            response = client.post(f"/{index}/_search", json=body)
            response.raise_for_status()
            hits = response.json().get("hits", {}).get("hits", [])
            if not hits:
                break
            result = ingest_alerts([h["_source"] for h in hits])
            for key in ("stored", "duplicates", "rejected"):
                totals[key] += result[key]
            totals["pages"] += 1
            after = hits[-1].get("sort")
            if not after or len(hits) < page:
                break
    return totals


def soc_summary(user, days: int = 14) -> dict:
    from django.db.models import Count
    from django.db.models.functions import TruncDate

    since = timezone.now() - timedelta(days=days)
    alerts = permissions.scope_queryset(user, "security.view_securityalert", SecurityAlert.objects.filter(occurred_at__gte=since))
    per_day = {}
    for row in alerts.annotate(day=TruncDate("occurred_at")).values("day", "severity").annotate(n=Count("id")):
        per_day.setdefault(row["day"], {})[row["severity"]] = row["n"]
    roots = getattr(settings, "WAZUH_WEB_ROOTS", ["/var/www", "/srv/www", "/usr/share/nginx/html"])
    fim = alerts.exclude(file_path="").filter(file_path__regex=r"^(" + "|".join(r.replace("/", r"\/") for r in roots) + ")")
    return {
        "per_day": sorted(per_day.items()),
        "by_severity": dict(alerts.values_list("severity").annotate(n=Count("id")).values_list("severity", "n")),
        "top_rules": list(alerts.values("rule_id", "description").annotate(n=Count("id")).order_by("-n")[:10]),
        "web_root_changes": list(fim.select_related("agent")[:50]),
        "unmapped_agents": WazuhAgent.objects.filter(agency__isnull=True).count(),
    }


# --- certificates and practicum grades --------------------------------------------------


@transaction.atomic
def issue_certificate(researcher: Researcher, *, by) -> Certificate:
    permissions.require(by, "security.triage_report")
    resolved = researcher.reports.filter(status=S.RESOLVED).count()
    if not resolved:
        raise ServiceError(_("A certificate needs at least one fixed finding."), code="nothing_fixed")
    points = researcher.points.aggregate(s=Sum("points"))["s"] or 0
    certificate = Certificate.objects.create(code=secrets.token_urlsafe(12), researcher=researcher, resolved_reports=resolved,
                                             points=points, issued_by=by)
    audit.record("security.certificate.issued", certificate, actor=by, data={"researcher": researcher.display_name, "resolved": resolved})
    return certificate


def visible_cohorts(user):
    """Cohorts this user supervises, or triages for as a triager of the cohort's institution."""
    from django.db.models import Q

    if user is None or not user.is_authenticated:
        return Cohort.objects.none()
    triaged = permissions.scope_queryset(user, "security.triage_report", Cohort.objects.all())
    return (Cohort.objects.filter(Q(supervisor=user) | Q(pk__in=triaged.values("pk")))
            .select_related("university", "supervisor").order_by("-starts", "name"))


def cohort_grades(cohort: Cohort, *, by, exported: bool = False) -> list[dict]:
    """One row per student (reports, outcomes, points, a suggested grade): the cohort page and
    its CSV export show exactly these rows; an export is audited."""
    if not visible_cohorts(by).filter(pk=cohort.pk).exists():
        raise PermissionDenied("only the cohort's supervisor or a triager of its institution")
    rows = []
    for student in cohort.students.select_related("user").order_by("student_number"):
        reports = list(student.reports.all())
        resolved = sum(1 for r in reports if r.status == S.RESOLVED)
        points = student.points.aggregate(s=Sum("points"))["s"] or 0
        grade = "A" if resolved >= 3 else "B" if resolved == 2 else "C" if resolved == 1 else "D" if reports else "E"
        rows.append({"student_number": student.student_number, "name": student.display_name, "reports": len(reports),
                     "accepted_or_better": sum(1 for r in reports if r.status in (S.ACCEPTED, S.FIXED, S.RETEST, S.RESOLVED)),
                     "resolved": resolved, "spam_or_not_applicable": sum(1 for r in reports if r.close_reason in ("spam", "not_applicable")),
                     "points": points, "suggested_grade": grade})
    if exported:
        audit.record("security.cohort.grades_exported", None, actor=by, data={"cohort": cohort.pk, "students": len(rows)})
    return rows
