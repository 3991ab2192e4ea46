"""Who is who: institutions, their agencies (OPD), users, memberships and API tokens."""

from __future__ import annotations

import hashlib

from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .roles import Role

code_validator = RegexValidator(
    r"^[a-z0-9][a-z0-9-]{1,62}$", _("Use 2-63 lowercase letters, digits or hyphens.")
)


class Institution(models.Model):
    """A government institution (instansi): a province, regency, city or ministry."""

    class Kind(models.TextChoices):
        PROVINCE = "province", _("Provincial government")
        REGENCY = "regency", _("Regency government")
        CITY = "city", _("City government")
        MINISTRY = "ministry", _("Ministry or central agency")
        UNIVERSITY = "university", _("University")
        PRIVATE = "private", _("Private organisation")

    code = models.SlugField(_("code"), max_length=63, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")

    def __str__(self) -> str:
        return self.name


class Agency(models.Model):
    """An agency of an institution (OPD: dinas, badan, biro, UPTD), nested by ``parent``."""

    class Kind(models.TextChoices):
        SECRETARIAT = "secretariat", _("Secretariat")
        DINAS = "dinas", _("Agency (Dinas)")
        BADAN = "badan", _("Board (Badan)")
        BIRO = "biro", _("Bureau (Biro)")
        INSPEKTORAT = "inspektorat", _("Inspectorate")
        UPTD = "uptd", _("Technical unit (UPTD)")
        EXTERNAL = "external", _("External organisation")

    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="agencies", verbose_name=_("institution")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent agency"),
    )
    code = models.SlugField(_("code"), max_length=63, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.DINAS)
    email = models.EmailField(_("contact email"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # Materialised path of ids ("/1/4/9/"), kept by services, so "this agency and
    # everything below it" is one indexed prefix query on SQLite and PostgreSQL alike.
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["institution__name", "path"]
        verbose_name = _("agency (OPD)")
        verbose_name_plural = _("agencies (OPD)")
        constraints = [
            models.UniqueConstraint(fields=["institution", "code"], name="agency_code_unique_per_institution")
        ]

    def __str__(self) -> str:
        return self.short_name or self.name

    # The agency owning an agency row is itself (used by the permission layer).
    owner_field = "id"


class User(AbstractUser):
    """A person using the platform. Rights come only from memberships."""

    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    preferred_language = models.CharField(_("preferred language"), max_length=10, default="id")

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username


class Membership(models.Model):
    """A user holds a role in an agency; the role's reach decides which objects it covers."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user"))
    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("agency")
    )
    role = models.CharField(_("role"), max_length=40, choices=Role.choices)
    is_active = models.BooleanField(_("active"), default=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["agency__path", "role"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "agency", "role"], name="membership_unique_role")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} @ {self.agency}"

    owner_field = "agency"

    def is_current(self) -> bool:
        return self.is_active and (self.valid_until is None or self.valid_until >= timezone.localdate())


class ApiToken(models.Model):
    """A bearer token for a machine client acting as ``user``. Only the SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user"))
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    expiry_reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_token(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    def is_usable(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class ScheduledJob(models.Model):
    """State of one entry of ``settings.SCHEDULE``, shared by every scheduler process.

    ``next_run_at`` is the lock: a scheduler enqueues a run only if its conditional UPDATE
    moved ``next_run_at`` forward, so with several schedulers each slot runs once.
    """

    name = models.CharField(_("name"), max_length=64, primary_key=True)
    next_run_at = models.DateTimeField(_("next run at"))
    last_enqueued_at = models.DateTimeField(_("last enqueued at"), null=True, blank=True)
    last_result_id = models.CharField(max_length=64, blank=True)
    last_outcome = models.CharField(_("last outcome"), max_length=16, blank=True)  # scheduler.Outcome
    last_finished_at = models.DateTimeField(_("last finished at"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    runs = models.PositiveIntegerField(default=0)
    failures = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)  # slots passed over because the previous run was unfinished

    class Meta:
        ordering = ["name"]
        verbose_name = _("scheduled job")
        verbose_name_plural = _("scheduled jobs")

    def __str__(self) -> str:
        return self.name
