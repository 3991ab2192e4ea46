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
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from spbe.audit import services as audit
from spbe.core import permissions
from spbe.core.services import ConflictError, ServiceError

from . import pades, pdfcheck, signers, stamp
from .models import Document, DocumentFile, DocumentType, NumberSequence, ReviewStep, SignatureStep, SignerProfile
from .verify import VerificationReport, verify_pdf

logger = logging.getLogger("spbe.esign")
LEVELS = pades.LEVELS
PERSONAL_METHODS = (SignatureStep.Method.BSRE, SignatureStep.Method.LOCAL)


def verify_url(document: Document) -> str:
    return f"{settings.SITE_URL.rstrip('/')}/tte/v/{document.verify_token}/"


def _store(document: Document, kind: str, data: bytes, level: str = "") -> DocumentFile:
    digest = hashlib.sha256(data).hexdigest()
    record = DocumentFile(document=document, kind=kind, sha256=digest, size=len(data), level=level)
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


def _check_arriving_signatures(data: bytes) -> bool:
    """True when the draft already carries signatures; refused when any of them is broken
    (countersigning a tampered document would lend it our signature)."""
    if not pades.has_signatures(data):
        return False
    report = verify_pdf(data, signers.trust_roots())
    broken = [s for s in report.signatures if s.indication == "TOTAL_FAILED"]
    if broken or report.error:
        raise ServiceError(_("The PDF's existing signatures do not verify (%(problem)s); it cannot be countersigned.")
                           % {"problem": broken[0].problem if broken else report.error}, code="bad_pdf", field="file")
    return True


@transaction.atomic
def create_document(*, agency, title: str, class_code: str, classification: str, file_name: str, data: bytes,
                    reviewers: list, signers_: list[tuple], level: str = "", document_type: DocumentType | None = None,
                    by) -> Document:
    """A draft with its ordered reviewers and signers (``signers_``: [(user, method)]). A PDF that
    arrives already signed is accepted for countersigning: incremental signatures only."""
    permissions.require(by, "esign.add_document", agency)
    try:
        pdfcheck.check_pdf(data)
    except pdfcheck.BadPdf as exc:
        raise ServiceError(str(exc), code="bad_pdf", field="file") from exc
    arrived_signed = _check_arriving_signatures(data)
    if document_type is not None and document_type.institution_id != agency.institution_id:
        raise ServiceError(_("Choose a document type of this institution."), field="document_type")
    level = level or (document_type.level if document_type else settings.ESIGN_DEFAULT_LEVEL)
    if level not in LEVELS:
        raise ServiceError(_("Choose a PAdES level: B-B, B-T, B-LT or B-LTA."), field="level")
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
        if method in PERSONAL_METHODS and not SignerProfile.objects.filter(user=signer).exists():
            # A personal signature is made with the person's own certificate, found by NIK.
            raise ServiceError(_("%(user)s has no NIK on file for a personal signature.") % {"user": signer}, field="signers")
    document = Document.objects.create(
        agency=agency, title=title.strip(), class_code=class_code.strip(), classification=classification, drafter=by,
        level=level, verify_token=secrets.token_urlsafe(16), document_type=document_type, arrived_signed=arrived_signed,
    )
    _store(document, DocumentFile.Kind.DRAFT, data)
    ReviewStep.objects.bulk_create([ReviewStep(document=document, position=i, reviewer=r) for i, r in enumerate(reviewers, 1)])
    SignatureStep.objects.bulk_create([SignatureStep(document=document, position=i, signer=s, method=m)
                                       for i, (s, m) in enumerate(signers_, 1)])
    audit.record("esign.document.created", document, actor=by, data={
        "file": file_name[:200], "sha256": current_file(document).sha256, "reviewers": [r.username for r in reviewers],
        "signers": [[s.username, m] for s, m in signers_], "level": level, "arrived_signed": arrived_signed,
        "type": document_type.code if document_type else ""})
    return document


def document_type(institution, code: str) -> DocumentType | None:
    """An institution's document type by code ("berita-acara"), for other modules' documents."""
    return DocumentType.objects.filter(institution=institution, code=code).first()


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
        pdfcheck.check_pdf(data)
    except pdfcheck.BadPdf as exc:
        raise ServiceError(str(exc), code="bad_pdf", field="file") from exc
    arrived_signed = _check_arriving_signatures(data)
    if arrived_signed != document.arrived_signed:
        document.arrived_signed = arrived_signed
        document.save(update_fields=["arrived_signed", "updated_at"])
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


def signer_line(step: SignatureStep) -> tuple[str, str]:
    """(printed name, position) of a signer, as stamped and shown in the appearance."""
    profile = SignerProfile.objects.filter(user=step.signer).first()
    name = step.signer.full_name or step.signer.get_full_name() or step.signer.username
    if step.method == SignatureStep.Method.SEAL:
        return str(_("Electronic seal")), document_seal_owner(step.document)
    return name, profile.title if profile else ""


def document_seal_owner(document: Document) -> str:
    return document.agency.institution.name


def _placement(document: Document) -> stamp.Placement:
    kind = document.document_type
    if kind is None:
        return stamp.Placement()
    return stamp.Placement(letterhead_mm=kind.letterhead_mm, number_anchor=kind.number_anchor or r"Nomor\s*:",
                           date_anchor=kind.date_anchor or r"Tanggal\s*:")


def _prepare_for_signing(document: Document, by) -> Document:
    """All paraf given: number and date are fixed and stamped with the QR before anyone signs.
    A document that arrived signed is not changed at all; its signers' boxes are only planned."""
    today = timezone.localdate()
    document.number = _next_number(document, today.year)
    document.dated = today
    steps = list(document.signatures.select_related("signer", "document__agency__institution").order_by("position"))
    names = [" — ".join(part for part in signer_line(step) if part) for step in steps]
    source = read(current_file(document))
    if document.arrived_signed:
        boxes = stamp.plan_boxes(source, len(steps))
        sha = current_file(document).sha256
    else:
        with translation.override("id"):  # the letter's language, whoever gave the last paraf
            dated = formats.date_format(today, "j F Y")
        result = stamp.stamp(source, stamp.StampData(
            number=document.number, date=dated, verify_url=verify_url(document), signers=names), _placement(document))
        boxes = result.signature_boxes
        prepared = pades.add_signature_fields(
            result.pdf, [(f"TTE-{n}", b.page, b.box) for n, b in enumerate(boxes, 1)], lock=pades.form_field_names(result.pdf))
        sha = _store(document, DocumentFile.Kind.STAMPED, prepared).sha256
    document.signature_boxes = [b.as_dict() for b in boxes]
    document.status = Document.Status.SIGNING
    document.save(update_fields=["number", "dated", "status", "signature_boxes", "updated_at"])
    audit.record("esign.document.numbered", document, actor=by, data={"number": document.number, "sha256": sha})
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
SIGN_PROBLEMS = {
    # SignerError codes and our own checks, in words an official understands.
    "wrong_passphrase": gettext_lazy("The passphrase is wrong. Check it (it is case-sensitive) and try again; after several "
                          "wrong attempts BSrE blocks signing for a while."),
    "wrong_totp": gettext_lazy("The one-time code is wrong or has expired. Ask for a new code."),
    "not_registered": gettext_lazy("No active BSrE certificate is registered for your NIK. Contact the Diskominfos TTE desk."),
    "certificate_inactive": gettext_lazy("Your BSrE certificate is not active (expired, suspended or revoked). Renew it on the "
                              "BSrE portal."),
    "bad_document": gettext_lazy("BSrE did not accept the document file."),
    "unavailable": gettext_lazy("The signing service cannot be reached right now. Nothing was signed; try again later."),
    "rejected": gettext_lazy("The signature was refused: %(detail)s"),
    "misconfigured": gettext_lazy("Signing is not configured correctly here; tell the administrator (%(detail)s)."),
    "wrong_certificate": gettext_lazy("The certificate used is not the right one for this step: %(detail)s"),
    "level_not_reached": gettext_lazy("The signature did not reach the level this document needs (%(needed)s; reached %(reached)s)."),
    "not_valid": gettext_lazy("The signed file does not verify: %(detail)s"),
}
BSRE_STATUS_TEXT = {
    "ISSUE": gettext_lazy("Your BSrE certificate is active."),
    "EXPIRED": gettext_lazy("Your BSrE certificate has expired; renew it on the BSrE portal before signing."),
    "RENEW": gettext_lazy("Your BSrE certificate is being renewed; you can sign once it is issued."),
    "WAITING_FOR_VERIFICATION": gettext_lazy("Your BSrE registration is waiting for verification."),
    "NEW": gettext_lazy("Your BSrE registration is new and not yet verified."),
    "NO_CERTIFICATE": gettext_lazy("You have no BSrE certificate yet."),
    "NOT_REGISTERED": gettext_lazy("Your NIK is not registered at BSrE."),
    "SUSPEND": gettext_lazy("Your BSrE certificate is suspended."),
    "REVOKE": gettext_lazy("Your BSrE certificate has been revoked."),
}


class SigningProblem(ServiceError):
    code = "sign_failed"


def _problem(code: str, **params) -> str:
    text = SIGN_PROBLEMS.get(code, SIGN_PROBLEMS["rejected"])
    params.setdefault("detail", "")
    return str(text) % params


def _appearance_lines(step: SignatureStep, when) -> list[str]:
    name, title = signer_line(step)
    return [str(_("Signed electronically by")), name, title,
            timezone.localtime(when).strftime("%d-%m-%Y %H:%M WITA")]


def _request_for(document: Document, step: SignatureStep, by, *, passphrase: str, totp: str) -> signers.SignRequest:
    profile = SignerProfile.objects.filter(user=by).first()
    boxes = document.signature_boxes or []
    appearance = image = None
    if step.position - 1 < len(boxes):
        box = stamp.SignatureBox.from_dict(boxes[step.position - 1])
        lines = _appearance_lines(step, timezone.now())
        x1, y1, x2, y2 = box.box
        appearance = pades.Appearance(box.page, box.box, stamp.appearance_pdf(box, lines))
        if step.method == SignatureStep.Method.BSRE:
            upright = (y2 - y1, x2 - x1) if box.rotate in (90, 270) else (x2 - x1, y2 - y1)
            image = stamp.appearance_png(lines, *upright)
    personal = step.method in PERSONAL_METHODS
    return signers.SignRequest(
        level=document.level, field_name=f"TTE-{step.position}",
        reason=(_("Signed as %(title)s") % {"title": profile.title}) if personal and profile else str(_("Electronic seal")),
        location="Denpasar, Bali", signer_name=signer_line(step)[0], nik=profile.nik if personal and profile else "",
        passphrase=passphrase, totp=totp, appearance=appearance, appearance_image=image,
        certify=_certifies(document, step),
    )


def _certifies(document: Document, step: SignatureStep) -> bool:
    """The first signature certifies our own letters, unless a BSrE signature follows: BSrE
    makes its own new field, which a certified document would accept only invisibly."""
    if step.position != 1 or document.arrived_signed:
        return False
    return not document.signatures.filter(position__gt=1, method=SignatureStep.Method.BSRE).exists()


def is_my_paraf_turn(document: Document, user) -> bool:
    step = document.reviews.filter(status=ReviewStep.Status.WAITING).order_by("position").first()
    return document.status == Document.Status.IN_REVIEW and step is not None and step.reviewer_id == user.pk


def is_my_turn(document: Document, user) -> bool:
    step = document.signatures.filter(status=SignatureStep.Status.WAITING).order_by("position").first()
    return document.status == Document.Status.SIGNING and step is not None and step.signer_id == user.pk


def _claim_step(document: Document, by) -> tuple[Document, SignatureStep, bytes]:
    """Lock the document, check it is ``by``'s turn and mark the step in progress."""
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
    return document, step, read(current_file(document))


def _fail(document: Document, step: SignatureStep, by, problem: str) -> None:
    with transaction.atomic():  # record the failure, then report it (outside the transaction)
        document = _locked(document)
        step = SignatureStep.objects.select_for_update().get(pk=step.pk)
        step.last_error = problem[:300]
        step.save(update_fields=["last_error"])
        audit.record("esign.document.sign_failed", document, actor=by, data={"position": step.position, "problem": problem[:300]})


def _keep(document: Document, step: SignatureStep, by, signed: bytes, report: VerificationReport) -> Document:
    with transaction.atomic():
        document = _locked(document)
        step = SignatureStep.objects.select_for_update().get(pk=step.pk)
        latest = report.signatures[-1]
        record = _store(document, DocumentFile.Kind.SIGNED, signed, level=latest.level)
        step.status, step.signed_at, step.last_error = SignatureStep.Status.SIGNED, timezone.now(), ""
        step.certificate_subject, step.certificate_serial = latest.signer[:300], latest.signer_serial[:64]
        step.save(update_fields=["status", "signed_at", "last_error", "certificate_subject", "certificate_serial"])
        audit.record("esign.document.signed", document, actor=by, data={
            "position": step.position, "method": step.method, "certificate": latest.signer, "sha256": record.sha256,
            "level": latest.level, "indication": latest.indication})
        if not document.signatures.filter(status=SignatureStep.Status.WAITING).exists():
            document.status = Document.Status.SIGNED
            document.final_sha256 = record.sha256
            document.save(update_fields=["status", "final_sha256", "updated_at"])
            audit.record("esign.document.completed", document, actor=by, data={"sha256": record.sha256})
        return document


def _checked(document: Document, step: SignatureStep, before: VerificationReport | None, signed: bytes) -> tuple[str, VerificationReport]:
    report = verify_pdf(signed, signers.trust_roots())
    return _check_result(report, before, step, document), report


def sign(document: Document, *, by, passphrase: str = "", totp: str = "") -> Document:
    """The current signer signs the latest revision; the result is checked before it is kept."""
    with transaction.atomic():
        document, step, source = _claim_step(document, by)
    before = verify_pdf(source, signers.trust_roots()) if pades.has_signatures(source) else None
    request = _request_for(document, step, by, passphrase=passphrase, totp=totp)
    try:
        signed = _backend(step, request).sign(source, request)
        problem, report = _checked(document, step, before, signed)
    except signers.SignerError as exc:
        problem, report = _problem(exc.code, detail=exc.message), None
    if problem:
        _fail(document, step, by, problem)
        raise SigningProblem(_("Signing failed: %(problem)s") % {"problem": problem})
    return _keep(document, step, by, signed, report)


def _backend(step: SignatureStep, request: signers.SignRequest):
    """Seal steps use the seal and nothing else; personal steps the person's own certificate."""
    if step.method == SignatureStep.Method.SEAL:
        return signers.get_signer("seal")
    if step.method == SignatureStep.Method.LOCAL:
        return signers.get_signer("local", nik=request.nik or "-")
    return signers.get_signer("bsre")


def sign_batch(documents: list[Document], *, by, passphrase: str = "", totp: str = "") -> list[Document]:
    """Several documents waiting for ``by``'s BSrE signature, with one passphrase (or one-time
    code) in one BSrE call. Each result is checked on its own; a document that fails is left
    waiting with its reason, the others are kept."""
    claimed = []
    for document in documents:
        with transaction.atomic():
            document, step, source = _claim_step(document, by)
        if step.method != SignatureStep.Method.BSRE:
            _fail(document, step, by, "batch signing is for BSrE steps")
            raise ServiceError(_("Only BSrE signatures can be signed together."), code="not_bsre")
        claimed.append((document, step, source))
    requests = [_request_for(d, st, by, passphrase=passphrase, totp=totp) for d, st, _src in claimed]
    try:
        results = signers.get_signer("bsre").sign_many([src for _d, _st, src in claimed], requests[0], per_file=requests)
    except signers.SignerError as exc:
        problem = _problem(exc.code, detail=exc.message)
        for document, step, _src in claimed:
            _fail(document, step, by, problem)
        raise SigningProblem(_("Signing failed: %(problem)s") % {"problem": problem}) from exc
    done = []
    for (document, step, source), signed in zip(claimed, results, strict=True):
        before = verify_pdf(source, signers.trust_roots()) if pades.has_signatures(source) else None
        problem, report = _checked(document, step, before, signed)
        if problem:
            _fail(document, step, by, problem)
            continue
        done.append(_keep(document, step, by, signed, report))
    audit.record("esign.batch.signed", None, actor=by, data={"documents": [d.pk for d in done], "asked": len(documents)})
    return done


def _seal_subject() -> str:
    from cryptography import x509

    with open(settings.ESIGN_SEAL_CERT, "rb") as handle:
        cert = x509.load_pem_x509_certificate(handle.read())
    return cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value


def _check_result(report: VerificationReport, before: VerificationReport | None, step: SignatureStep, document: Document) -> str:
    """Keep a signed file only if: the new signature is TOTAL_PASSED, reaches the document's
    level and is the right certificate for the step; and every earlier signature that verified
    before still does."""
    if report.error or not report.signatures:
        return _problem("not_valid", detail=report.error or "no signatures")
    expected = (len(before.signatures) if before else 0) + 1
    if len(report.signatures) != expected:
        return _problem("not_valid", detail=f"expected {expected} signatures, found {len(report.signatures)}")
    latest = report.signatures[-1]
    if not latest.ok:
        return _problem("not_valid", detail=latest.problem)
    if pades.LEVEL_RANK.get(latest.level, 0) < pades.LEVEL_RANK[document.level]:
        return _problem("level_not_reached", needed=document.level, reached=latest.level)
    if before:
        for old, new in zip(before.signatures, report.signatures, strict=False):
            if old.ok and not new.ok:
                return _problem("not_valid", detail=f"{new.field}: {new.problem}")
    if step.method == SignatureStep.Method.SEAL:
        if latest.signer != _seal_subject():
            return _problem("wrong_certificate", detail="a seal step must be signed with the institution's seal")
    else:
        profile = SignerProfile.objects.filter(user=step.signer).first()
        if profile is None or latest.signer_serial != profile.nik:
            return _problem("wrong_certificate", detail="the certificate is not the signer's own (NIK differs)")
    return ""


def bsre_status(user) -> tuple[str, str]:
    """(status, explanation) of the user's BSrE certificate, asked before the passphrase."""
    profile = SignerProfile.objects.filter(user=user).first()
    if profile is None:
        return "NOT_REGISTERED", str(BSRE_STATUS_TEXT["NOT_REGISTERED"])
    try:
        status = signers.get_signer("bsre").user_status(profile.nik)
    except signers.SignerError as exc:
        return "UNAVAILABLE", _problem(exc.code, detail=exc.message)
    return status, str(BSRE_STATUS_TEXT.get(status, BSRE_STATUS_TEXT["NOT_REGISTERED"]))


def request_bsre_totp(user, *, files: int = 1) -> None:
    profile = SignerProfile.objects.filter(user=user).first()
    if profile is None:
        raise ServiceError(str(BSRE_STATUS_TEXT["NOT_REGISTERED"]))
    try:
        signers.get_signer("bsre").request_totp(profile.nik, files=max(1, files))
    except signers.SignerError as exc:
        raise SigningProblem(_problem(exc.code, detail=exc.message)) from exc
    audit.record("esign.bsre.totp_requested", None, actor=user, data={"files": files})


def renew_archive_timestamps(*, within_days: int | None = None, now=None) -> list[int]:
    """Documents whose level is B-LTA get a fresh document timestamp (with validation data for the
    previous one) when the newest timestamp's TSA certificate expires within ``within_days``."""
    import io

    from pyhanko.pdf_utils.reader import PdfFileReader

    within = within_days if within_days is not None else settings.ESIGN_ARCHIVE_RENEW_DAYS
    now = now or timezone.now()
    renewed = []
    for document in Document.objects.filter(status=Document.Status.SIGNED, level="B-LTA"):
        data = read(current_file(document))
        try:
            timestamps = PdfFileReader(io.BytesIO(data), strict=False).embedded_timestamp_signatures
            expiry = timestamps[-1].signer_cert["tbs_certificate"]["validity"]["not_after"].native if timestamps else None
        except Exception:  # noqa: BLE001
            logger.warning("archive timestamp of document %s unreadable", document.pk)
            continue
        if expiry is not None and (expiry - now).days > within:
            continue
        try:
            updated = pades.renew_archive_timestamp(data, settings.ESIGN_TSA_URL, signers.validation_context())
        except pades.SigningFailed as exc:
            logger.warning("archive timestamp of document %s not renewed: %s", document.pk, exc)
            continue
        with transaction.atomic():
            document = _locked(document)
            record = _store(document, DocumentFile.Kind.ARCHIVED, updated, level="B-LTA")
            document.final_sha256 = record.sha256
            document.save(update_fields=["final_sha256", "updated_at"])
            audit.record("esign.document.archive_timestamp_renewed", document, data={"sha256": record.sha256})
        renewed.append(document.pk)
    return renewed


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
    latest: bool = True  # this is the newest revision (else a later one exists)
    complete: bool = True  # every signature of the document is in this revision


def _record(document: Document, sha256: str, exact: bool) -> RegistryRecord:
    restricted = document.classification != Document.Classification.BIASA
    final = document.final_sha256 or (current_file(document).sha256 if document.files.exists() else "")
    signed_steps = document.signatures.filter(status=SignatureStep.Status.SIGNED)
    revision = document.files.filter(sha256=sha256).first() if sha256 else None
    signatures_in_revision = document.files.filter(
        kind=DocumentFile.Kind.SIGNED, created_at__lte=revision.created_at).count() if revision else signed_steps.count()
    return RegistryRecord(
        number=document.number,
        title=_("(restricted)") if restricted else document.title,
        agency=document.agency.name,
        dated=document.dated.isoformat() if document.dated else "",
        status=document.status,
        signers=[f"{s.certificate_subject}" for s in signed_steps],
        sha256=sha256 or document.final_sha256,
        exact_copy=exact,
        latest=not exact or sha256 == final,
        complete=document.status == Document.Status.SIGNED and signatures_in_revision >= document.signatures.count(),
    )


def lookup_token(token: str) -> tuple[Document, RegistryRecord] | None:
    document = Document.objects.filter(verify_token=token).select_related("agency").first()
    if document is None or document.status not in (Document.Status.SIGNED, Document.Status.SIGNING, Document.Status.WITHDRAWN):
        return None
    return document, _record(document, document.final_sha256, False)


def verify_upload(data: bytes, *, allow_fetching: bool = True) -> tuple[VerificationReport, RegistryRecord | None]:
    """Check an uploaded PDF: signatures cryptographically, then the registry by its hash (every
    signed revision is registered; an earlier or half-signed one is flagged as such)."""
    try:
        pdfcheck.check_pdf(data)
    except pdfcheck.BadPdf as exc:
        raise ServiceError(str(exc), code="bad_pdf", field="file") from exc
    report = verify_pdf(data, signers.trust_roots(), allow_fetching=allow_fetching)
    match = DocumentFile.objects.filter(sha256=report.sha256, kind__in=[DocumentFile.Kind.SIGNED, DocumentFile.Kind.ARCHIVED]
                                        ).select_related("document__agency").first()
    record = _record(match.document, report.sha256, True) if match else None
    return report, record
