"""/api/v1/esign: documents (read, paraf, sign) and public verification of a PDF."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime

from django.utils.translation import gettext as _
from ninja import Field, File, Router, Schema
from ninja.files import UploadedFile

from spbe.core import permissions
from spbe.core.apiutils import client_rate_limit, get_scoped_or_404
from spbe.core.services import ServiceError

from . import services
from .models import Document

router = Router(tags=["esign"])


class StepOut(Schema):
    position: int
    user: str
    status: str


class DocumentOut(Schema):
    id: int
    title: str
    agency_id: int
    status: str
    level: str
    number: str
    dated: date | None
    final_sha256: str
    updated_at: datetime
    reviews: list[StepOut]
    signatures: list[StepOut]


def _out(document: Document) -> DocumentOut:
    return DocumentOut(
        id=document.pk, title=document.title, agency_id=document.agency_id, status=document.status, level=document.level,
        number=document.number, dated=document.dated, final_sha256=document.final_sha256, updated_at=document.updated_at,
        reviews=[StepOut(position=r.position, user=r.reviewer.username, status=r.status) for r in document.reviews.select_related("reviewer")],
        signatures=[StepOut(position=s.position, user=s.signer.username, status=s.status) for s in document.signatures.select_related("signer")],
    )


@router.get("/documents", response=list[DocumentOut])
def list_documents(request, status: str = ""):
    qs = permissions.scope_queryset(request.user, "esign.view_document", Document.objects.all()).distinct()
    if status:
        qs = qs.filter(status=status)
    return [_out(d) for d in qs[:200]]


@router.get("/documents/{int:document_id}", response=DocumentOut)
def get_document(request, document_id: int):
    return _out(get_scoped_or_404(request, "esign.view_document", Document.objects.all(), pk=document_id))


class ParafIn(Schema):
    approve: bool
    note: str = Field("", max_length=2000)


@router.post("/documents/{int:document_id}/paraf", response=DocumentOut)
def give_paraf(request, document_id: int, payload: ParafIn):
    document = get_scoped_or_404(request, "esign.view_document", Document.objects.all(), pk=document_id)
    return _out(services.paraf(document, by=request.user, approve=payload.approve, note=payload.note))


class SignIn(Schema):
    passphrase: str = Field("", max_length=200, description="BSrE passphrase; used once, never stored")
    totp: str = Field("", max_length=12)


@router.post("/documents/{int:document_id}/sign", response=DocumentOut)
def sign_document(request, document_id: int, payload: SignIn):
    document = get_scoped_or_404(request, "esign.view_document", Document.objects.all(), pk=document_id)
    return _out(services.sign(document, by=request.user, passphrase=payload.passphrase, totp=payload.totp))


class BsreStatusOut(Schema):
    status: str = Field(description="ISSUE when you can sign; otherwise BSrE's status (EXPIRED, REVOKE, …) or UNAVAILABLE")
    message: str


@router.get("/bsre/status", response=BsreStatusOut, summary="Your BSrE certificate status (ask before the passphrase)")
def bsre_status(request):
    status, message = services.bsre_status(request.user)
    return BsreStatusOut(status=status, message=message)


class TotpIn(Schema):
    files: int = Field(1, ge=1, le=50, description="how many documents the code will sign")


@router.post("/bsre/totp", response={204: None}, summary="Ask BSrE to send you a one-time code")
def bsre_totp(request, payload: TotpIn):
    services.request_bsre_totp(request.user, files=payload.files)
    return 204, None


class BatchIn(Schema):
    documents: list[int] = Field(..., min_length=1, max_length=50)
    passphrase: str = Field("", max_length=200, description="BSrE passphrase; used once, never stored")
    totp: str = Field("", max_length=12)


@router.post("/documents/sign-batch", response=list[DocumentOut], summary="Sign several documents with one BSrE passphrase")
def sign_batch(request, payload: BatchIn):
    documents = list(permissions.scope_queryset(request.user, "esign.view_document", Document.objects.all())
                     .filter(pk__in=payload.documents).distinct())
    if len(documents) != len(set(payload.documents)):
        raise ServiceError(_("Not found."), code="not_found")
    return [_out(d) for d in services.sign_batch(documents, by=request.user, passphrase=payload.passphrase, totp=payload.totp)]


@router.post("/verify", auth=None)
def verify(request, file: File[UploadedFile]):
    """Public: verify a signed PDF (not stored) and look it up in the registry."""
    client_rate_limit(request, "tte-verify", limit=20)
    if file.size > services.pdfcheck.max_bytes():
        raise ServiceError(_("The file is too large; the limit is 20 MB."), code="too_large")
    report, record = services.verify_upload(file.read())
    return {**report.as_dict(), "registry": asdict(record) if record else None}
