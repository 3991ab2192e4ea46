"""Scans of registered websites, what each page looked like, and findings with evidence."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ScanRun(models.Model):
    class Trigger(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        ON_DEMAND = "on_demand", _("On demand")
        RECHECK = "recheck", _("Re-check")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        FINISHED = "finished", _("Finished")
        FAILED = "failed", _("Failed")

    website = models.ForeignKey("inventory.Website", on_delete=models.CASCADE, related_name="scan_runs")
    trigger = models.CharField(max_length=12, choices=Trigger.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    only_urls = models.JSONField(default=list, blank=True)  # a re-check scans just these
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    queued_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=100, blank=True)
    pages = models.PositiveIntegerField(default=0)
    requests = models.PositiveIntegerField(default=0)
    not_modified = models.PositiveIntegerField(default=0)
    infected_pages = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    owner_field = "website__agency"

    class Meta:
        ordering = ["-queued_at"]
        verbose_name = _("scan")
        verbose_name_plural = _("scans")

    def __str__(self) -> str:
        return f"{self.website} {self.queued_at:%Y-%m-%d %H:%M}"


class PageState(models.Model):
    """Last known state of one URL (for conditional requests and baselines)."""

    website = models.ForeignKey("inventory.Website", on_delete=models.CASCADE, related_name="page_states")
    url = models.URLField(max_length=1000)
    etag = models.CharField(max_length=200, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    in_sitemap = models.BooleanField(default=False)
    last_verdict = models.CharField(max_length=10, blank=True)
    last_scanned_at = models.DateTimeField(null=True, blank=True)

    owner_field = "website__agency"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["website", "url"], name="one_state_per_url")]


class SiteBaseline(models.Model):
    """What the site looked like on its last clean scan: the reference for "new" signals."""

    website = models.OneToOneField("inventory.Website", on_delete=models.CASCADE, related_name="scan_baseline")
    outbound_domains = models.JSONField(default=list)
    verification_tokens = models.JSONField(default=list)
    sitemap_urls = models.JSONField(default=list)
    updated_at = models.DateTimeField(auto_now=True)

    owner_field = "website__agency"


def snapshot_path(instance, filename: str) -> str:
    return f"private/webscan/{instance.website_id}/{uuid.uuid4().hex}.json.gz"


class Finding(models.Model):
    class Severity(models.TextChoices):
        HIGH = "high", _("High")
        MEDIUM = "medium", _("Medium")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        REMEDIATED = "remediated", _("Remediated, awaiting re-check")
        CLOSED = "closed", _("Closed (clean on re-check)")
        FALSE_POSITIVE = "false_positive", _("False positive")

    ACTIVE = (Status.OPEN, Status.ACKNOWLEDGED, Status.REMEDIATED)

    website = models.ForeignKey("inventory.Website", on_delete=models.PROTECT, related_name="findings")
    url = models.URLField(max_length=1000)
    techniques = models.JSONField(default=list)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    score = models.DecimalField(max_digits=4, decimal_places=3)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    evidence = models.JSONField(default=dict)  # signals, excerpts, variants, redirect chains, headers
    snapshot = models.FileField(upload_to=snapshot_path, blank=True)  # every variant's body, gzipped JSON
    content_hash = models.CharField(max_length=64)  # acknowledgement is bound to this content
    detected_at = models.DateTimeField(auto_now_add=True)
    deadline = models.DateTimeField()
    scan = models.ForeignKey(ScanRun, on_delete=models.SET_NULL, null=True, related_name="findings")
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                        related_name="+")
    remediated_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    clean_rechecks = models.PositiveSmallIntegerField(default=0)
    last_checked_at = models.DateTimeField(null=True, blank=True)

    owner_field = "website__agency"

    class Meta:
        ordering = ["-detected_at"]
        verbose_name = _("judol finding")
        verbose_name_plural = _("judol findings")
        permissions = [("manage_finding", "Can acknowledge, remediate and re-check judol findings")]

    def __str__(self) -> str:
        return f"{self.url} ({self.get_status_display()})"


class FindingEvent(models.Model):
    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=30)
    note = models.TextField(blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    owner_field = "finding__website__agency"

    class Meta:
        ordering = ["at", "id"]


class AlertChannel(models.Model):
    """Where an agency wants judol alerts: an email address or a signed webhook."""

    class Kind(models.TextChoices):
        EMAIL = "email", _("Email")
        WEBHOOK = "webhook", _("Webhook")

    agency = models.ForeignKey("core.Agency", on_delete=models.CASCADE, related_name="judol_alert_channels")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    target = models.CharField(_("email address or URL"), max_length=500)
    secret = models.CharField(max_length=64, blank=True, editable=False)  # HMAC key for webhooks
    is_active = models.BooleanField(default=True)

    owner_field = "agency"

    class Meta:
        verbose_name = _("alert channel")
        verbose_name_plural = _("alert channels")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.target}"


class AlertDelivery(models.Model):
    """One attempt sequence to deliver one alert to one channel."""

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=10)
    target = models.CharField(max_length=500)
    attempts = models.PositiveSmallIntegerField(default=0)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    owner_field = "finding__website__agency"
