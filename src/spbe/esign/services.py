"""Every write of the TTE module: drafts, paraf, numbering and stamping, signatures,
withdrawal — and the public verification that reads the registry.

Rules: rights are checked through ``core.permissions`` plus the step assignment (only the
assigned reviewer or signer acts, in order); state is re-read under ``select_for_update``;
the signing backend is called outside the transaction, with the step marked in progress so a
second click cannot sign twice; every change is in the audit log. Passphrases are parameters
only — never stored, logged or audited.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from spbe.audit import services as audit
from spbe.core import permissions
from spbe.core.services import ConflictError, ServiceError

from . import pdfcheck, signers, stamp
from .models import Document, DocumentFile, NumberSequence, ReviewStep, SignatureStep, SignerProfile
from .verify import VerificationReport, verify_pdf

logger = logging.getLogger("spbe.esign")
LEVELS = ("B-B", "B-T", "B-LT")


def verify_url(document: Document) -> str:
    return f"{settings.SITE_URL.rstrip('/')}/tte/v/{document.verify_token}/"


def _store(document: Document, kind: str, data: bytes) -> DocumentFile:
    digest = hashlib.sha256(data).hexdigest()
    record = DocumentFile(document=document, kind=kind, sha256=digest, size=len(data))
    record.file.save(f"{secrets.token_hex(16)}.pdf", ContentFile(data), save=False)  # random names, never the upload's
    record.save()
    return record


def current_file(document: Document) -> DocumentFile:
    return document.files.order_by("-created_at", "-id").first()


def read(record: DocumentFile) -> bytes:
    with record.file.open("rb") as handle:
        return handle.read()


@transaction.atomic
def set_signer_profile(user, *, nik: str, title: str, by=None) -> SignerProfile:
    permissions.require_unless_system(by, "esign.change_signerprofile")
    if not (nik.isdigit() and len(nik) == 16):
        raise ServiceError(_("The NIK has 16 digits."), field="nik")
    profile, _created = SignerProfile.objects.update_or_create(user=user, defaults={"nik": nik, "title": title.strip()})
    audit.record("esign.signer_profile.set", profile, actor=by, data={"user": user.username, "title": profile.title})
    return profile


@transaction.atomic
def create_document(*, agency, title: str, class_code: str, classification: str, file_name: str, data: bytes,
                    reviewers: list, signers_: list[tuple], level: str = "", by) -> Document:
    """A draft with its ordered reviewers and signers (``signers_``: [(user, method)])."""
    permissions.require(by, "esign.add_document", agency)
    try:
        pdfcheck.check_pdf(data, allow_signed=False)
    except pdfcheck.BadPdf as exc:
        raise ServiceError(str(exc), code="bad_pdf", field="file") from exc
    level = level or settings.ESIGN_DEFAULT_LEVEL
    if level not in LEVELS:
        raise ServiceError(_("Choose a PAdES level: B-B, B-T or B-LT."), field="level")
    if not title.strip() or not class_code.strip():
        raise ServiceError(_("Title and classification code are required."), field="title")
    if classification not in Document.Classification.values:
        raise ServiceError(_("Choose a security classification."), field="classification")
    if not signers_:
        raise ServiceError(_("Add at least one signer."), field="signers")
    for reviewer in reviewers:
        if not permissions.has_perm(reviewer, "esign.review_document", agency):
            raise ServiceError(_("%(user)s cannot give paraf for this agency.") % {"user": reviewer}, field="reviewers")
    for signer, method in signers_:
        if method not in SignatureStep.Method.values:
            raise ServiceError(_("Unknown signing method."), field="signers")
        if not permissions.has_perm(signer, "esign.sign_document", agency):
            raise ServiceError(_("%(user)s cannot sign for this agency.") % {"user": signer}, field="signers")
        if method == SignatureStep.Method.BSRE and not SignerProfile.objects.filter(user=signer).exists():
            raise ServiceError(_("%(user)s has no NIK on file for BSrE signing.") % {"user": signer}, field="signers")
    document = Document.objects.create(
        agency=agency, title=title.strip(), class_code=class_code.strip(), classification=classification, drafter=by,
        level=level, verify_token=secrets.token_urlsafe(16),
    )
    _store(document, DocumentFile.Kind.DRAFT, data)
    ReviewStep.objects.bulk_create([ReviewStep(document=document, position=i, reviewer=r) for i, r in enumerate(reviewers, 1)])
    SignatureStep.objects.bulk_create([SignatureStep(document=document, position=i, signer=s, method=m)
                                       for i, (s, m) in enumerate(signers_, 1)])
    audit.record("esign.document.created", document, actor=by, data={
        "file": file_name[:200], "sha256": current_file(document).sha256, "reviewers": [r.username for r in reviewers],
        "signers": [[s.username, m] for s, m in signers_], "level": level})
    return document


def _locked(document: Document) -> Document:
    return Document.objects.select_for_update().get(pk=document.pk)


@transaction.atomic
def submit(document: Document, by) -> Document:
    document = _locked(document)
    if document.drafter_id != by.pk:
        permissions.require(by, "esign.change_document", document)
    if document.status not in (Document.Status.DRAFT, Document.Status.RETURNED):
        raise ConflictError(_("Only drafts and returned documents can be submitted."), code="bad_state")
    document.reviews.update(status=ReviewStep.Status.WAITING, acted_at=None)
    audit.record("esign.document.submitted", document, actor=by)
    if document.reviews.exists():
        document.status = Document.Status.IN_REVIEW
        document.save(update_fields=["status", "updated_at"])
        return document
    return _prepare_for_signing(document, by)


@transaction.atomic
def replace_draft(document: Document, *, file_name: str, data: bytes, by) -> Document:
    document = _locked(document)
    if document.drafter_id != by.pk:
        raise PermissionDenied("only the drafter replaces the draft")
    if document.status not in (Document.Status.DRAFT, Document.Status.RETURNED):
        raise ConflictError(_("The draft can be replaced only before review or after it was returned."), code="bad_state")
    try:
        pdfcheck.check_pdf(data, allow_signed=False)
    except pdfcheck.BadPdf as exc:
        raise ServiceError(str(exc), code="bad_pdf", field="file") from exc
    record = _store(document, DocumentFile.Kind.DRAFT, data)
    audit.record("esign.document.draft_replaced", document, actor=by, data={"file": file_name[:200], "sha256": record.sha256})
    return document


@transaction.atomic
def paraf(document: Document, *, by, approve: bool, note: str = "") -> Document:
    """The current reviewer approves (paraf) or returns the draft with a note."""
    document = _locked(document)
    if document.status != Document.Status.IN_REVIEW:
        raise ConflictError(_("This document is not in review."), code="bad_state")
    step = document.reviews.filter(status=ReviewStep.Status.WAITING).order_by("position").first()
    if step is None or step.reviewer_id != by.pk:
        raise PermissionDenied("not this reviewer's turn")
    permissions.require(by, "esign.review_document", document)
    if not approve and not note.strip():
        raise ServiceError(_("Say what must change when returning a draft."), field="note")
    step.status = ReviewStep.Status.APPROVED if approve else ReviewStep.Status.RETURNED
    step.note, step.acted_at = note, timezone.now()
    step.save(update_fields=["status", "note", "acted_at"])
    audit.record("esign.document.paraf" if approve else "esign.document.returned", document, actor=by,
                 data={"position": step.position, "note": note[:500]})
    if not approve:
        document.status = Document.Status.RETURNED
        document.save(update_fields=["status", "updated_at"])
        return document
    if document.reviews.filter(status=ReviewStep.Status.WAITING).exists():
        return document
    return _prepare_for_signing(document, by)


def _next_number(document: Document, year: int) -> str:
    sequence, _created = NumberSequence.objects.select_for_update().get_or_create(
        agency=document.agency, class_code=document.class_code, year=year)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    short = (document.agency.short_name or document.agency.code).upper().replace(" ", "")
    return f"{document.class_code}/{sequence.last_number}/{short}/{year}"


def _prepare_for_signing(document: Document, by) -> Document:
    """All paraf given: number and date are fixed and stamped with the QR before anyone signs."""
    today = timezone.localdate()
    document.number = _next_number(document, today.year)
    document.dated = today
    names = []
    for step in document.signatures.select_related("signer"):
        profile = SignerProfile.objects.filter(user=step.signer).first()
        names.append(f"{step.signer.get_full_name() or step.signer.username} - {profile.title if profile else ''}".strip(" -"))
    data = stamp.stamp(read(current_file(document)), stamp.StampData(
        number=document.number, date=today.strftime("%d-%m-%Y"), verify_url=verify_url(document), signers=names))
    record = _store(document, DocumentFile.Kind.STAMPED, data)
    document.status = Document.Status.SIGNING
    document.save(update_fields=["number", "dated", "status", "updated_at"])
    audit.record("esign.document.numbered", document, actor=by, data={"number": document.number, "sha256": record.sha256})
    return document


@transaction.atomic
def withdraw(document: Document, *, by, reason: str) -> Document:
    document = _locked(document)
    if document.drafter_id != by.pk:
        permissions.require(by, "esign.change_document", document)
    if document.status == Document.Status.WITHDRAWN:
        return document
    if not reason.strip():
        raise ServiceError(_("Give the reason for withdrawing."), field="reason")
    document.status = Document.Status.WITHDRAWN
    document.save(update_fields=["status", "updated_at"])
    audit.record("esign.document.withdrawn", document, actor=by, data={"reason": reason[:500]})
    return document


_IN_PROGRESS = "signing in progress"


def sign(document: Document, *, by, passphrase: str = "", totp: str = "") -> Document:
    """The current signer signs the latest revision; the result is checked before it is kept."""
    with transaction.atomic():
        document = _locked(document)
        if document.status != Document.Status.SIGNING:
            raise ConflictError(_("This document is not waiting for signatures."), code="bad_state")
        step = document.signatures.filter(status=SignatureStep.Status.WAITING).order_by("position").first()
        if step is None or step.signer_id != by.pk:
            raise PermissionDenied("not this signer's turn")
        permissions.require(by, "esign.sign_document", document)
        if step.last_error == _IN_PROGRESS and step.signed_at is None and (timezone.now() - document.updated_at).total_seconds() < 300:
            raise ConflictError(_("A signature for this step is already being made."), code="in_progress")
        step.last_error = _IN_PROGRESS
        step.save(update_fields=["last_error"])
        Document.objects.filter(pk=document.pk).update(updated_at=timezone.now())
        source = read(current_file(document))
        profile = SignerProfile.objects.filter(user=by).first()
    request = signers.SignRequest(
        level=document.level, field_name=f"TTE-{step.position}-{secrets.token_hex(2)}",
        reason=_("Signed as %(title)s") % {"title": profile.title} if profile else "", location="Denpasar, Bali",
        signer_name=by.get_full_name() or by.username, nik=profile.nik if profile else "", passphrase=passphrase, totp=totp,
    )
    try:
        signed = signers.get_signer(step.method).sign(source, request)
        report = verify_pdf(signed, signers.trust_roots())
        problem = _check_result(report, step, profile)
    except signers.SignerError as exc:
        problem, signed, report = exc.message, None, None
    if problem:
        with transaction.atomic():  # record the failure, then report it (outside the transaction)
            document = _locked(document)
            step = SignatureStep.objects.select_for_update().get(pk=step.pk)
            step.last_error = problem[:300]
            step.save(update_fields=["last_error"])
            audit.record("esign.document.sign_failed", document, actor=by, data={"position": step.position, "problem": problem[:300]})
        raise ServiceError(_("Signing failed: %(problem)s") % {"problem": problem}, code="sign_failed")
    with transaction.atomic():
        document = _locked(document)
        step = SignatureStep.objects.select_for_update().get(pk=step.pk)
        record = _store(document, DocumentFile.Kind.SIGNED, signed)
        latest = report.signatures[-1]
        step.status, step.signed_at, step.last_error = SignatureStep.Status.SIGNED, timezone.now(), ""
        step.certificate_subject, step.certificate_serial = latest.signer[:300], latest.signer_serial[:64]
        step.save(update_fields=["status", "signed_at", "last_error", "certificate_subject", "certificate_serial"])
        audit.record("esign.document.signed", document, actor=by, data={
            "position": step.position, "method": step.method, "certificate": latest.signer, "sha256": record.sha256,
            "level": latest.level})
        if not document.signatures.filter(status=SignatureStep.Status.WAITING).exists():
            document.status = Document.Status.SIGNED
            document.final_sha256 = record.sha256
            document.save(update_fields=["status", "final_sha256", "updated_at"])
            audit.record("esign.document.completed", document, actor=by, data={"sha256": record.sha256})
        return document


def _check_result(report: VerificationReport, step: SignatureStep, profile) -> str:
    """Accept a signed file only if every signature verifies and the new one is the signer's."""
    if not report.signatures or not report.valid:
        failing = next((s for s in report.signatures if not s.ok), None)
        return report.error or (failing.problem if failing else "the signed file does not verify")
    if len(report.signatures) != step.position:
        return f"expected {step.position} signatures, found {len(report.signatures)}"
    if step.method == SignatureStep.Method.BSRE and profile and report.signatures[-1].signer_serial != profile.nik:
        return "the certificate BSrE used is not the signer's (NIK differs)"
    return ""


# --- public verification --------------------------------------------------------------


@dataclass(frozen=True)
class RegistryRecord:
    number: str
    title: str
    agency: str
    dated: str
    status: str
    signers: list[str]
    sha256: str
    exact_copy: bool  # the uploaded bytes are a registered signed revision


def _record(document: Document, sha256: str, exact: bool) -> RegistryRecord:
    restricted = document.classification != Document.Classification.BIASA
    return RegistryRecord(
        number=document.number,
        title=_("(restricted)") if restricted else document.title,
        agency=document.agency.name,
        dated=document.dated.isoformat() if document.dated else "",
        status=document.status,
        signers=[f"{s.certificate_subject}" for s in document.signatures.filter(status=SignatureStep.Status.SIGNED)],
        sha256=sha256 or document.final_sha256,
        exact_copy=exact,
    )


def lookup_token(token: str) -> tuple[Document, RegistryRecord] | None:
    document = Document.objects.filter(verify_token=token).select_related("agency").first()
    if document is None or document.status not in (Document.Status.SIGNED, Document.Status.SIGNING, Document.Status.WITHDRAWN):
        return None
    return document, _record(document, document.final_sha256, False)


def verify_upload(data: bytes, *, allow_fetching: bool = True) -> tuple[VerificationReport, RegistryRecord | None]:
    """Check an uploaded PDF: signatures cryptographically, then the registry by its hash."""
    try:
        pdfcheck.check_pdf(data)
    except pdfcheck.BadPdf as exc:
        raise ServiceError(str(exc), code="bad_pdf", field="file") from exc
    report = verify_pdf(data, signers.trust_roots(), allow_fetching=allow_fetching)
    match = DocumentFile.objects.filter(sha256=report.sha256, kind=DocumentFile.Kind.SIGNED).select_related("document__agency").first()
    record = _record(match.document, report.sha256, True) if match else None
    return report, record
