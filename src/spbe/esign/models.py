"""Official documents and their approval chain: draft → paraf by reviewers in order → number,
date, QR and footer stamped → signatures in order (incremental) → signed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SignerProfile(models.Model):
    """What BSrE knows an official by. The passphrase is never stored anywhere."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="signer_profile")
    nik = models.CharField(_("NIK"), max_length=16)
    title = models.CharField(_("position"), max_length=200)

    def __str__(self) -> str:
        return f"{self.user} ({self.title})"


class DocumentType(models.Model):
    """A kind of official document (Tata Naskah Dinas: surat dinas, nota dinas, keputusan, …):
    the signature level it needs and where the stamp goes in its template."""

    institution = models.ForeignKey("core.Institution", on_delete=models.PROTECT, related_name="+")
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("PAdES level"), max_length=5, default="B-LT",
                             help_text=_("B-LTA adds archive timestamps, renewed before the TSA certificate expires"))
    letterhead_mm = models.PositiveSmallIntegerField(_("letterhead height (mm)"), default=45,
                                                     help_text=_("The top band of the first page is never written on"))
    number_anchor = models.CharField(_("number anchor"), max_length=100, default=r"Nomor\s*:",
                                     help_text=_("Text after which the number is written (a regular expression)"))
    date_anchor = models.CharField(_("date anchor"), max_length=100, default=r"Tanggal\s*:", blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    owner_kind = "institution"
    owner_field = "institution"

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["institution", "code"], name="esign_document_type_code")]

    def __str__(self) -> str:
        return self.name


class Document(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review (paraf)")
        RETURNED = "returned", _("Returned to the drafter")
        SIGNING = "signing", _("Awaiting signatures")
        SIGNED = "signed", _("Signed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Classification(models.TextChoices):
        BIASA = "biasa", _("Ordinary (biasa)")
        TERBATAS = "terbatas", _("Restricted (terbatas)")
        RAHASIA = "rahasia", _("Secret (rahasia)")

    agency = models.ForeignKey("core.Agency", on_delete=models.PROTECT, related_name="documents")
    title = models.CharField(_("title"), max_length=300)
    class_code = models.CharField(_("classification code"), max_length=20, help_text=_("archive classification, e.g. 000.1"))
    classification = models.CharField(_("security classification"), max_length=10, choices=Classification.choices,
                                      default=Classification.BIASA)
    drafter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    level = models.CharField(_("PAdES level"), max_length=5, default="B-LT")
    document_type = models.ForeignKey(DocumentType, null=True, blank=True, on_delete=models.PROTECT, related_name="documents",
                                      verbose_name=_("document type"))
    # The draft arrived already signed (e.g. from another agency): it is countersigned by
    # incremental signatures only, never stamped, so its earlier signatures stay intact.
    arrived_signed = models.BooleanField(default=False)
    signature_boxes = models.JSONField(default=list, blank=True)  # one per signer, set when stamped
    number = models.CharField(max_length=100, blank=True)
    dated = models.DateField(null=True, blank=True)
    verify_token = models.CharField(max_length=32, unique=True)  # random, in the QR URL
    final_sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    owner_field = "agency"

    class Meta:
        ordering = ["-updated_at"]
        permissions = [("review_document", "Can give paraf to documents"), ("sign_document", "Can sign documents")]

    def __str__(self) -> str:
        return self.number or self.title


class DocumentFile(models.Model):
    class Kind(models.TextChoices):
        DRAFT = "draft", _("Draft")
        STAMPED = "stamped", _("Stamped (number, date, QR)")
        SIGNED = "signed", _("Signed")
        ARCHIVED = "archived", _("Archive timestamp renewed")

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    level = models.CharField(max_length=5, blank=True)  # the level its signatures reach (signed revisions)
    file = models.FileField(upload_to="esign/%Y/%m/")
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    owner_field = "document__agency"

    class Meta:
        ordering = ["created_at", "id"]


class ReviewStep(models.Model):
    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        APPROVED = "approved", _("Paraf given")
        RETURNED = "returned", _("Returned")

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="reviews")
    position = models.PositiveSmallIntegerField()
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    note = models.TextField(blank=True)
    acted_at = models.DateTimeField(null=True, blank=True)

    owner_field = "document__agency"

    class Meta:
        ordering = ["document", "position"]
        constraints = [models.UniqueConstraint(fields=["document", "position"], name="esign_review_position")]


class SignatureStep(models.Model):
    class Method(models.TextChoices):
        BSRE = "bsre", _("BSrE certificate (NIK + passphrase)")
        SEAL = "seal", _("Institutional electronic seal (HSM)")
        LOCAL = "local", _("Local certificate (development)")

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        SIGNED = "signed", _("Signed")

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="signatures")
    position = models.PositiveSmallIntegerField()
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    method = models.CharField(max_length=6, choices=Method.choices, default=Method.BSRE)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.WAITING)
    signed_at = models.DateTimeField(null=True, blank=True)
    certificate_subject = models.CharField(max_length=300, blank=True)
    certificate_serial = models.CharField(max_length=64, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    owner_field = "document__agency"

    class Meta:
        ordering = ["document", "position"]
        constraints = [models.UniqueConstraint(fields=["document", "position"], name="esign_signature_position")]


class NumberSequence(models.Model):
    """Letter numbers per agency, classification code and year (allocated under a row lock)."""

    agency = models.ForeignKey("core.Agency", on_delete=models.CASCADE, related_name="+")
    class_code = models.CharField(max_length=20)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "class_code", "year"], name="esign_number_sequence")]
