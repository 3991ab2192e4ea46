"""SPBE self-assessment and evaluation cycle.

A period (one institution, one year) freezes a copy of its methodology. Every indicator has
one Response: the responsible OPD's answer (level, explanation, bukti dukung) reviewed by the
coordinator. Each stage (self-assessment, document, interview, field visit) records its own
level per indicator in StageScore; a later stage overrides an earlier one, and every change
is kept in ScoreChange / ResponseChange (append-only history).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    SELF_ASSESSMENT = "self_assessment", _("Self-assessment")
    DOCUMENT = "document", _("Document assessment")
    INTERVIEW = "interview", _("Interview")
    FIELD_VISIT = "field_visit", _("Field visit")


STAGE_ORDER = [Stage.SELF_ASSESSMENT, Stage.DOCUMENT, Stage.INTERVIEW, Stage.FIELD_VISIT]
EXTERNAL_STAGES = {Stage.DOCUMENT, Stage.INTERVIEW, Stage.FIELD_VISIT}


class EvaluationPeriod(models.Model):
    class Kind(models.TextChoices):
        MONITORING = "monitoring", _("Monitoring (pemantauan)")
        EVALUATION = "evaluation", _("Evaluation (evaluasi)")

    institution = models.ForeignKey(
        "core.Institution", on_delete=models.PROTECT, related_name="evaluation_periods", verbose_name=_("institution")
    )
    year = models.PositiveIntegerField(_("year"), validators=[MinValueValidator(2018), MaxValueValidator(2100)])
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    methodology_code = models.CharField(_("methodology"), max_length=100)
    methodology_snapshot = models.JSONField(editable=False)
    external_assessors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="assessed_periods", verbose_name=_("external assessors")
    )
    include_field_visit = models.BooleanField(_("includes a field visit"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    owner_field = "institution"
    owner_kind = "institution"

    class Meta:
        ordering = ["-year"]
        verbose_name = _("evaluation period")
        verbose_name_plural = _("evaluation periods")
        constraints = [models.UniqueConstraint(fields=["institution", "year"], name="one_period_per_year")]

    def __str__(self) -> str:
        return self.title

    def stages(self) -> list[str]:
        """Monitoring = self + document; evaluation adds the interview and, if chosen, a visit."""
        stages = [Stage.SELF_ASSESSMENT, Stage.DOCUMENT]
        if self.kind == self.Kind.EVALUATION:
            stages.append(Stage.INTERVIEW)
            if self.include_field_visit:
                stages.append(Stage.FIELD_VISIT)
        return stages


class StageWindow(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Not started")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    period = models.ForeignKey(EvaluationPeriod, on_delete=models.CASCADE, related_name="windows")
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    due_date = models.DateField(_("deadline"), null=True, blank=True)
    reminded_on = models.DateField(null=True, blank=True, editable=False)  # at most one reminder a day
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    owner_field = "period__institution"
    owner_kind = "institution"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["period", "stage"], name="one_window_per_stage")]

    def __str__(self) -> str:
        return f"{self.period} — {self.get_stage_display()}"


class Response(models.Model):
    """The responsible OPD's answer for one indicator in one period."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted for review")
        RETURNED = "returned", _("Returned for revision")
        APPROVED = "approved", _("Approved")

    period = models.ForeignKey(EvaluationPeriod, on_delete=models.CASCADE, related_name="responses")
    indicator = models.PositiveSmallIntegerField(_("indicator"))
    agency = models.ForeignKey(
        "core.Agency", on_delete=models.PROTECT, related_name="evaluation_responses", verbose_name=_("responsible OPD")
    )
    pic = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person in charge"),
    )
    application = models.ForeignKey(
        "inventory.Application",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("application assessed"),
    )
    level = models.PositiveSmallIntegerField(_("level"), null=True, blank=True)
    explanation = models.TextField(_("explanation"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    review_comment = models.TextField(_("review comment"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    owner_field = "agency"

    class Meta:
        ordering = ["period", "indicator"]
        verbose_name = _("indicator response")
        verbose_name_plural = _("indicator responses")
        permissions = [("review_response", "Can review (approve or return) indicator answers")]
        constraints = [models.UniqueConstraint(fields=["period", "indicator"], name="one_response_per_indicator")]

    def __str__(self) -> str:
        return f"{self.period} — {_('indicator')} {self.indicator}"


def evidence_path(instance, filename: str) -> str:
    # Stored under a random name; the original name is kept in the row, never used as a path.
    return f"private/evidence/{instance.response.period_id}/{uuid.uuid4().hex}"


class Evidence(models.Model):
    """Bukti dukung: an uploaded file or a link."""

    class Kind(models.TextChoices):
        FILE = "file", _("File")
        LINK = "link", _("Link")

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(upload_to=evidence_path, blank=True)
    original_name = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    searchable = models.BooleanField(null=True, help_text=_("PDF has a text layer (not a bare scan)"))
    url = models.URLField(_("link"), blank=True, max_length=500)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    owner_field = "response__agency"

    class Meta:
        ordering = ["uploaded_at"]
        verbose_name = _("supporting evidence (bukti dukung)")
        verbose_name_plural = _("supporting evidence (bukti dukung)")

    def __str__(self) -> str:
        return self.title


class StageScore(models.Model):
    """The level one stage gives one indicator."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="scores")
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices)
    level = models.PositiveSmallIntegerField(_("level"))
    comment = models.TextField(_("comment"), blank=True)
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    owner_field = "response__agency"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["response", "stage"], name="one_score_per_stage")]


class ScoreChange(models.Model):
    """Append-only history of stage scores."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="score_changes")
    stage = models.CharField(max_length=20, choices=Stage.choices)
    previous_level = models.PositiveSmallIntegerField(null=True)
    level = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True)

    owner_field = "response__agency"

    class Meta:
        ordering = ["changed_at", "id"]


class ResponseChange(models.Model):
    """Append-only history of an OPD's answer (level, explanation, status)."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="changes")
    level = models.PositiveSmallIntegerField(null=True)
    explanation = models.TextField(blank=True)
    status = models.CharField(max_length=10)
    note = models.TextField(blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True)

    owner_field = "response__agency"

    class Meta:
        ordering = ["changed_at", "id"]

    @property
    def status_label(self) -> str:
        try:
            return Response.Status(self.status).label
        except ValueError:
            return self.status

    @property
    def comment(self) -> str:
        """The reviewer's words without the action code the note starts with ("returned: …")."""
        action, _sep, rest = self.note.partition(":")
        if action in Response.Status.values:
            return rest.strip()
        return self.note


class PublishedIndex(models.Model):
    """Published SPBE results (own history and other institutions, from an import)."""

    institution_name = models.CharField(_("institution"), max_length=200)
    institution = models.ForeignKey(
        "core.Institution", on_delete=models.SET_NULL, null=True, blank=True, related_name="published_indices"
    )
    year = models.PositiveIntegerField(_("year"))
    index = models.DecimalField(_("index"), max_digits=4, decimal_places=2)
    domain_1 = models.DecimalField(max_digits=4, decimal_places=2, null=True, blank=True)
    domain_2 = models.DecimalField(max_digits=4, decimal_places=2, null=True, blank=True)
    domain_3 = models.DecimalField(max_digits=4, decimal_places=2, null=True, blank=True)
    domain_4 = models.DecimalField(max_digits=4, decimal_places=2, null=True, blank=True)
    predicate = models.CharField(_("predicate"), max_length=40, blank=True)
    methodology = models.CharField(_("methodology"), max_length=40, blank=True)  # the year's, when imported
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        ordering = ["year", "institution_name"]
        verbose_name = _("published index")
        verbose_name_plural = _("published indices")
        constraints = [
            models.UniqueConstraint(fields=["institution_name", "year"], name="one_published_index_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.institution_name} {self.year}: {self.index}"


class Recommendation(models.Model):
    """A recommendation from a result (KemenPANRB's letter, the coordination team, the gap plan)
    with the OPD that acts on it, a target year and its follow-up; open ones are carried into the
    institution's next period."""

    class Status(models.TextChoices):
        OPEN = "open", _("Not yet followed up")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        DROPPED = "dropped", _("Not pursued")

    class Source(models.TextChoices):
        KEMENPANRB = "kemenpanrb", _("KemenPANRB evaluation result")
        COORDINATION = "coordination", _("SPBE coordination team")
        GAP_PLAN = "gap_plan", _("Gap planner")

    period = models.ForeignKey(EvaluationPeriod, on_delete=models.CASCADE, related_name="recommendations")
    indicator = models.PositiveSmallIntegerField(_("indicator"), null=True, blank=True)
    text = models.TextField(_("recommendation"))
    agency = models.ForeignKey("core.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("responsible OPD"))
    target_year = models.PositiveIntegerField(_("target year"))
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.KEMENPANRB)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    follow_up = models.TextField(_("follow-up"), blank=True)
    evidence_url = models.URLField(_("evidence link"), blank=True, max_length=500)
    carried_from = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="carried_to")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    owner_field = "agency"

    class Meta:
        ordering = ["period", "status", "target_year", "id"]
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")

    def __str__(self) -> str:
        return self.text[:80]


class StageMinutes(models.Model):
    """Berita Acara of an interview or field visit: who took part, what was found, the levels
    agreed; generated as a PDF and signed by the participants through TTE."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SIGNING = "signing", _("Being signed")
        SIGNED = "signed", _("Signed")

    period = models.ForeignKey(EvaluationPeriod, on_delete=models.CASCADE, related_name="minutes")
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices)
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200)
    participants = models.TextField(_("participants"))  # one per line: name — position — institution
    summary = models.TextField(_("results"))
    document = models.ForeignKey("esign.Document", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    owner_field = "period__institution"
    owner_kind = "institution"

    class Meta:
        verbose_name = _("Berita Acara")
        verbose_name_plural = _("Berita Acara")
        constraints = [models.UniqueConstraint(fields=["period", "stage"], name="one_minutes_per_stage")]

    def participant_lines(self) -> list[str]:
        return [line.strip() for line in self.participants.splitlines() if line.strip()]
