"""Exemptions from the levy: submission with documents and the officer's decision."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from spbe.audit import services as audit
from spbe.core import permissions
from spbe.core.services import ConflictError, ServiceError

from .. import documents, policy, protect
from ..models import (
    Exemption,
    ExemptionDocument,
    Payment,
    Refund,
    Voucher,
)

from . import queues
from .common import _today, _unique_code, levy_institution
from .orders import TravellerInput, _check_travellers
from .vouchers import _new_voucher, revoke_voucher


def _add_working_days(start: date, days: int) -> date:
    current = start
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


@transaction.atomic
def submit_exemption(
    *, category: str, full_name: str, nationality: str, passport: str, email: str, arrival_date: date,
    departure_date: date, reason: str, files: list[tuple[str, bytes]], language: str = "en", today: date | None = None,
) -> Exemption:
    today = today or _today()
    if category not in policy.APPLY_ONLINE:
        raise ServiceError(
            _("Holders of this kind of visa do not apply: show the document to the officer at the checkpoint."), code="no_application_needed", field="category"
        )
    (traveller,) = _check_travellers([TravellerInput(full_name, nationality, passport, arrival_date)], today)
    if arrival_date < today + timedelta(days=settings.LEVY_EXEMPTION_LEAD_DAYS):
        raise ServiceError(
            _("Apply at least %(days)s days before arrival.") % {"days": settings.LEVY_EXEMPTION_LEAD_DAYS}, code="too_late", field="arrival_date"
        )
    if departure_date is None or departure_date < arrival_date:
        raise ServiceError(_("The departure date must be after the arrival date."), code="bad_departure", field="departure_date")
    if not files:
        raise ServiceError(_("Attach a copy of the passport and the visa."), code="no_documents", field="documents")
    if len(files) > documents.MAX_FILES:
        raise ServiceError(_("Attach at most %(n)s files.") % {"n": documents.MAX_FILES}, code="too_many_documents", field="documents")
    try:
        checked = [documents.check(name, data) for name, data in files]
    except documents.DocumentRejected as exc:
        raise ServiceError(str(exc), code="bad_document", field="documents") from exc
    exemption = Exemption.objects.create(
        institution=levy_institution(), code=_unique_code(Exemption, "code", "EX", 8), category=category,
        full_name=traveller.full_name, nationality=traveller.nationality,
        passport_hash=protect.passport_hash(traveller.nationality, traveller.passport),
        passport_encrypted=protect.encrypt(traveller.passport), passport_hint=protect.mask_passport(traveller.passport),
        email=email.strip().lower(), language=language[:10], arrival_date=arrival_date, departure_date=departure_date,
        reason=reason[:5000], decide_by=_add_working_days(today, settings.LEVY_EXEMPTION_DECISION_DAYS),
    )
    for doc in checked:
        ExemptionDocument.objects.create(
            exemption=exemption, original_name=doc.name, content_type=doc.content_type, size=doc.size, sha256=doc.sha256,
            content_encrypted=protect.fernet().encrypt(doc.data),
        )
    audit.record("levy.exemption.submitted", exemption, data={"category": category, "documents": len(checked)})
    return exemption


def exemption_document(document: ExemptionDocument, by) -> bytes:
    permissions.require(by, "levy.review_exemption", document.exemption)
    audit.record("levy.exemption.document_viewed", document.exemption, actor=by, data={"document": document.pk})
    return protect.fernet().decrypt(bytes(document.content_encrypted))


@transaction.atomic
def decide_exemption(exemption: Exemption, *, approve: bool, note: str, by) -> Exemption:
    permissions.require_unless_system(by, "levy.review_exemption", exemption)
    exemption = Exemption.objects.select_for_update().get(pk=exemption.pk)
    if exemption.status != Exemption.Status.SUBMITTED:
        raise ConflictError(_("This application has already been decided."), code="already_decided")
    if not approve and not note.strip():
        raise ServiceError(_("Give the reason for the rejection; the applicant will read it."), field="note")
    exemption.status = Exemption.Status.APPROVED if approve else Exemption.Status.REJECTED
    exemption.decided_at = timezone.now()
    exemption.decided_by = by
    exemption.decision_note = note
    exemption.save(update_fields=["status", "decided_at", "decided_by", "decision_note"])
    audit.record("levy.exemption.decided", exemption, actor=by, data={"approved": approve})
    if approve:
        valid_from, _until = policy.validity_for_arrival(exemption.arrival_date)
        # Paid before the exemption came through: pay that voucher back and revoke it.
        for paid in Voucher.objects.filter(passport_hash=exemption.passport_hash, kind=Voucher.Kind.PAID, revoked_at__isnull=True,
                                           valid_until__gte=exemption.arrival_date).select_related("traveller__order"):
            payment = paid.traveller.order.payments.filter(state=Payment.State.CONFIRMED).first()
            if payment is not None:
                refund = Refund.objects.create(payment=payment, amount=paid.traveller.order.unit_amount,
                                               reason=policy.RefundReason.EXEMPTION_APPROVED, note=exemption.code)
                audit.record("levy.refund.created", refund, data={"reason": refund.reason, "amount": refund.amount, "automatic": True})
                queues._enqueue_refund(refund.pk)
            revoke_voucher(paid, f"exemption {exemption.code} approved")
        voucher = _new_voucher(
            institution_id=exemption.institution_id, kind=Voucher.Kind.EXEMPT, exemption=exemption,
            passport_hash=exemption.passport_hash, passport=protect.decrypt(exemption.passport_encrypted),
            nationality=exemption.nationality, name=exemption.full_name, valid_from=valid_from, valid_until=exemption.departure_date,
        )
        audit.record("levy.voucher.issued", voucher, data={"exemption": exemption.code})
    exemption_id = exemption.pk
    transaction.on_commit(lambda: queues._enqueue_exemption_mail(exemption_id))
    return exemption


def send_exemption_decision(exemption_id: int) -> None:
    from django.core.mail import EmailMessage
    from django.template.loader import render_to_string
    from django.utils import translation

    from ..pdf import vouchers_pdf

    exemption = Exemption.objects.get(pk=exemption_id)
    voucher = getattr(exemption, "voucher", None)
    with translation.override(exemption.language):
        subject = _("Your Love Bali exemption application %(code)s") % {"code": exemption.code}
        body = render_to_string("levy/email/exemption.txt", {"exemption": exemption, "voucher": voucher})
        message = EmailMessage(subject, body, to=[exemption.email])
        if voucher is not None:
            message.attach(f"love-bali-{exemption.code}.pdf", vouchers_pdf([voucher], exemption.language), "application/pdf")
        message.send()
