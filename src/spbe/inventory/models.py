"""Asset inventory: the applications, websites and servers each agency owns.

Evaluation (indicators 45-47 pick from applications), security (scope of bug bounty and
ITSA, Wazuh agents) and the judol scanner (websites to crawl) read these records.
"""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

domain_validator = RegexValidator(
    r"^(?=.{1,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$",
    _("Enter a domain name such as diskominfos.baliprov.go.id (lowercase, no scheme or path)."),
)


class Criticality(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    VITAL = "vital", _("Vital (strategic)")


class Asset(models.Model):
    agency = models.ForeignKey(
        "core.Agency", on_delete=models.PROTECT, related_name="%(class)ss", verbose_name=_("owning agency")
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    criticality = models.CharField(
        _("criticality"), max_length=10, choices=Criticality.choices, default=Criticality.MEDIUM
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    owner_field = "agency"

    class Meta:
        abstract = True
        ordering = ["agency__path", "name"]

    def __str__(self) -> str:
        return self.name


class Server(Asset):
    class Environment(models.TextChoices):
        PRODUCTION = "production", _("Production")
        STAGING = "staging", _("Staging")
        DEVELOPMENT = "development", _("Development")

    hostname = models.CharField(_("host name"), max_length=253, unique=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    environment = models.CharField(
        _("environment"), max_length=20, choices=Environment.choices, default=Environment.PRODUCTION
    )
    location = models.CharField(_("location / data centre"), max_length=200, blank=True)
    operating_system = models.CharField(_("operating system"), max_length=100, blank=True)
    wazuh_agent_id = models.CharField(_("Wazuh agent id"), max_length=20, blank=True, db_index=True)

    class Meta(Asset.Meta):
        verbose_name = _("server")
        verbose_name_plural = _("servers")


class Application(Asset):
    class Kind(models.TextChoices):
        ADMINISTRATION = "administration", _("Government administration service")
        PUBLIC_SERVICE = "public_service", _("Public service")
        INTERNAL = "internal", _("Internal tool")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        DEVELOPMENT = "development", _("In development")
        PRODUCTION = "production", _("In production")
        RETIRED = "retired", _("Retired")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.PUBLIC_SERVICE)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PRODUCTION)
    url = models.URLField(_("address"), blank=True)
    technology = models.CharField(_("technology"), max_length=200, blank=True)
    servers = models.ManyToManyField(Server, blank=True, related_name="applications", verbose_name=_("servers"))

    class Meta(Asset.Meta):
        verbose_name = _("application")
        verbose_name_plural = _("applications")


class Website(Asset):
    domain = models.CharField(_("domain"), max_length=253, unique=True, validators=[domain_validator])
    base_url = models.URLField(_("base URL"))
    admin_email = models.EmailField(_("webmaster email"), blank=True)
    cms = models.CharField(_("CMS"), max_length=100, blank=True)
    application = models.ForeignKey(
        Application,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="websites",
        verbose_name=_("application"),
    )

    class Meta(Asset.Meta):
        verbose_name = _("website")
        verbose_name_plural = _("websites")
