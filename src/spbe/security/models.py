"""Vulnerability disclosure: programme scope (from the asset inventory), researchers (public
and university students, with cohorts and supervisors), reports with their timeline and
encrypted attachments, and the points ledger."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Severity(models.TextChoices):
    NONE = "none", _("None (informational)")
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class Environment(models.TextChoices):
    STAGING = "staging", _("Staging")
    PRODUCTION = "production", _("Production")


class ScopeEntry(models.Model):
    """A registered website or application that researchers may test (or may not)."""

    website = models.OneToOneField("inventory.Website", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    application = models.OneToOneField("inventory.Application", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    agency = models.ForeignKey("core.Agency", on_delete=models.CASCADE, related_name="+")
    in_scope = models.BooleanField(default=True)
    notes = models.CharField(max_length=300, blank=True)

    owner_field = "agency"

    class Meta:
        ordering = ["agency", "id"]

    @property
    def label(self) -> str:
        if self.website_id:
            return self.website.domain
        return self.application.name if self.application_id else "—"

    def __str__(self) -> str:
        return self.label


class University(models.Model):
    name = models.CharField(max_length=200, unique=True)
    email_domain = models.CharField(max_length=100, blank=True)

    def __str__(self) -> str:
        return self.name


class Cohort(models.Model):
    """A practicum group: approved students of one university, one supervisor, dates. It belongs
    to the institution whose programme the students test (its triagers see the cohort)."""

    institution = models.ForeignKey("core.Institution", on_delete=models.PROTECT, null=True, related_name="+")
    university = models.ForeignKey(University, on_delete=models.CASCADE, related_name="cohorts")
    name = models.CharField(max_length=100)
    supervisor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="supervised_cohorts")
    starts = models.DateField()
    ends = models.DateField()

    owner_kind = "institution"
    owner_field = "institution"

    def __str__(self) -> str:
        return f"{self.university} — {self.name}"


class Researcher(models.Model):
    class Kind(models.TextChoices):
        PUBLIC = "public", _("Public researcher")
        STUDENT = "student", _("University student")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="researcher")
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.PUBLIC)
    display_name = models.CharField(max_length=100)
    cohort = models.ForeignKey(Cohort, null=True, blank=True, on_delete=models.SET_NULL, related_name="students")
    student_number = models.CharField(max_length=30, blank=True)
    agreed_policy_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.display_name


class Report(models.Model):
    class Status(models.TextChoices):
        NEW = "new", _("New")
        TRIAGE = "triage", _("In triage")
        NEEDS_INFO = "needs_info", _("Needs more information")
        ACCEPTED = "accepted", _("Accepted")
        FIXED = "fixed", _("Fixed (awaiting retest)")
        RETEST = "retest", _("In retest")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed")

    class CloseReason(models.TextChoices):
        DUPLICATE = "duplicate", _("Duplicate")
        NOT_APPLICABLE = "not_applicable", _("Not applicable")
        INFORMATIVE = "informative", _("Informative")
        SPAM = "spam", _("Spam")
        OUT_OF_SCOPE = "out_of_scope", _("Out of scope")

    code = models.CharField(max_length=16, unique=True)
    researcher = models.ForeignKey(Researcher, on_delete=models.PROTECT, related_name="reports")
    scope = models.ForeignKey(ScopeEntry, on_delete=models.PROTECT, related_name="reports")
    agency = models.ForeignKey("core.Agency", on_delete=models.PROTECT, related_name="+")  # the owning OPD
    title = models.CharField(max_length=200)
    vuln_type = models.CharField(max_length=20)
    cwe = models.PositiveIntegerField(default=0)
    affected_url = models.CharField(max_length=1000, blank=True)
    description = models.TextField()
    steps = models.TextField()
    impact = models.TextField(blank=True)
    cvss_version = models.CharField(max_length=3, blank=True)
    cvss_vector = models.CharField(max_length=200, blank=True)
    cvss_score = models.DecimalField(max_digits=3, decimal_places=1, null=True, blank=True)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NEW)
    close_reason = models.CharField(max_length=16, choices=CloseReason.choices, blank=True)
    duplicate_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates")
    fix_deadline = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Private by default; a summary may be published only after the fix, on approval.
    publish_requested = models.BooleanField(default=False)
    published_at = models.DateTimeField(null=True, blank=True)

    owner_field = "agency"

    class Meta:
        ordering = ["-created_at"]
        permissions = [("triage_report", "Can triage vulnerability reports"), ("publish_report", "Can approve publication")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class ReportEvent(models.Model):
    """The report's timeline. ``internal`` notes are for triagers and the OPD only."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="events")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=20)  # comment | status | deadline | published
    text = models.TextField(blank=True)
    internal = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    owner_field = "report__agency"

    class Meta:
        ordering = ["created_at", "id"]

    KIND_LABELS = {"comment": _("Comment"), "status": _("Status"), "deadline": _("Fix deadline"), "published": _("Published")}

    @property
    def kind_label(self) -> str:
        return self.KIND_LABELS.get(self.kind, self.kind)

    @property
    def display_text(self) -> str:
        """Status events store codes ("closed: duplicate") and deadlines an ISO date; show labels."""
        if self.kind == "status":
            status, _sep, reason = self.text.partition(": ")
            label = str(Report.Status(status).label) if status in Report.Status.values else status
            if reason in Report.CloseReason.values:
                label += f" ({Report.CloseReason(reason).label})"
            return label
        if self.kind == "deadline":
            from datetime import date

            from django.utils import formats

            try:
                return formats.date_format(date.fromisoformat(self.text), "DATE_FORMAT")
            except ValueError:
                return self.text
        return self.text


class ReportAttachment(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="attachments")
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    content_encrypted = models.BinaryField()  # proof-of-concept material is sensitive
    uploaded_at = models.DateTimeField(auto_now_add=True)

    owner_field = "report__agency"


class PointsEntry(models.Model):
    researcher = models.ForeignKey(Researcher, on_delete=models.CASCADE, related_name="points")
    report = models.ForeignKey(Report, null=True, on_delete=models.SET_NULL, related_name="+")
    points = models.IntegerField()
    reason = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]


# --- ITSA: pre-launch IT security assessments ----------------------------------------------


class Assessment(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        TESTING = "testing", _("Testing")
        REPORTED = "reported", _("Reported")
        CLOSED = "closed", _("Closed")

    application = models.ForeignKey("inventory.Application", on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey("core.Agency", on_delete=models.PROTECT, related_name="+")
    asvs_level = models.PositiveSmallIntegerField(default=2)
    environment = models.CharField(max_length=20, choices=Environment.choices, default=Environment.STAGING)
    testers = models.CharField(max_length=300, blank=True)  # ITSA team, BSSN, vendor, students
    window_start = models.DateField()
    window_end = models.DateField()
    production_risk_accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    owner_field = "agency"

    class Meta:
        ordering = ["-created_at"]
        permissions = [("assess_assessment", "Can run ITSA assessments")]


class ChecklistItem(models.Model):
    class Result(models.TextChoices):
        PENDING = "pending", _("Not checked")
        PASS = "pass", _("Pass")
        FAIL = "fail", _("Fail")
        NA = "na", _("Not applicable")

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="checklist")
    requirement = models.CharField(max_length=40)
    chapter = models.CharField(max_length=100)
    text = models.TextField()
    level = models.PositiveSmallIntegerField()
    result = models.CharField(max_length=8, choices=Result.choices, default=Result.PENDING)
    evidence = models.TextField(blank=True)

    owner_field = "assessment__agency"

    class Meta:
        ordering = ["assessment", "id"]


class Finding(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        FIXED = "fixed", _("Fixed (awaiting retest)")
        VERIFIED = "verified", _("Verified fixed")
        REOPENED = "reopened", _("Reopened")
        RISK_ACCEPTED = "risk_accepted", _("Risk accepted")

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="findings")
    title = models.CharField(max_length=200)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    cvss_vector = models.CharField(max_length=200, blank=True)
    cwe = models.PositiveIntegerField(default=0)
    requirement = models.CharField(max_length=40, blank=True)
    description = models.TextField()
    recommendation = models.TextField(blank=True)
    status = models.CharField(max_length=14, choices=Status.choices, default=Status.OPEN)
    deadline = models.DateField()
    risk_accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    risk_reason = models.TextField(blank=True)
    risk_expires = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    owner_field = "assessment__agency"

    class Meta:
        ordering = ["deadline", "id"]


# --- Wazuh alerts -------------------------------------------------------------------------


class WazuhAgent(models.Model):
    agent_id = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=200)
    ip = models.CharField(max_length=64, blank=True)
    group = models.CharField(max_length=100, blank=True)
    agency = models.ForeignKey("core.Agency", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    last_seen = models.DateTimeField(null=True, blank=True)

    owner_field = "agency"

    def __str__(self) -> str:
        return f"{self.agent_id} {self.name}"


class SecurityAlert(models.Model):
    """One Wazuh 4.x alert or 5.x finding, trimmed (no raw full_log: it may hold personal data)."""

    source_id = models.CharField(max_length=100, unique=True)  # the alert's own id: re-delivery is harmless
    wazuh_version = models.CharField(max_length=2)
    occurred_at = models.DateTimeField(db_index=True)
    rule_id = models.CharField(max_length=40)
    level = models.PositiveSmallIntegerField()  # 0..16 (5.x levels mapped)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    description = models.CharField(max_length=300)
    groups = models.JSONField(default=list)
    mitre = models.JSONField(default=list)
    agent = models.ForeignKey(WazuhAgent, null=True, on_delete=models.SET_NULL, related_name="alerts")
    agency = models.ForeignKey("core.Agency", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    location = models.CharField(max_length=300, blank=True)
    src_ip = models.CharField(max_length=64, blank=True)
    file_path = models.CharField(max_length=500, blank=True)  # file-integrity monitoring
    file_event = models.CharField(max_length=20, blank=True, choices=[
        ("added", _("File added")), ("modified", _("File modified")), ("deleted", _("File deleted"))])
    received_at = models.DateTimeField(auto_now_add=True)

    owner_field = "agency"

    class Meta:
        ordering = ["-occurred_at"]
        indexes = [models.Index(fields=["agency", "occurred_at"])]


class Certificate(models.Model):
    """A researcher's certificate of fixed findings, verifiable through its QR link."""

    code = models.CharField(max_length=32, unique=True)
    researcher = models.ForeignKey(Researcher, on_delete=models.PROTECT, related_name="certificates")
    resolved_reports = models.PositiveIntegerField()
    points = models.IntegerField()
    issued_at = models.DateTimeField(auto_now_add=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
