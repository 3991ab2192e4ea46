"""Voucher and commission-statement PDFs (ReportLab), with the QR drawn as vector squares."""

from __future__ import annotations

import io

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from spbe.core.pdfdraw import draw_qr

from . import countries


def vouchers_pdf(vouchers, language: str = "en") -> bytes:
    """One page per voucher: QR, reference, name, nationality, validity."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=1)
    width, height = A4
    with translation.override(language):
        pdf.setTitle(_("Love Bali levy voucher"))
        pdf.setAuthor(settings.SPBE_INSTITUTION_NAME)
        for voucher in vouchers:
            pdf.setFont("Helvetica-Bold", 20)
            pdf.drawString(20 * mm, height - 25 * mm, "LOVE BALI")
            pdf.setFont("Helvetica", 12)
            title = _("Exemption from the foreign tourist levy") if voucher.kind == "exempt" else _("Foreign tourist levy voucher")
            pdf.drawString(20 * mm, height - 33 * mm, title)
            draw_qr(pdf, voucher.code, 20 * mm, height - 135 * mm, 95 * mm)
            y = height - 150 * mm
            rows = [
                (_("Reference"), voucher.reference),
                (_("Name"), voucher.full_name),
                (_("Nationality"), countries.name(voucher.nationality, "en")),
                (_("Valid from"), voucher.valid_from.isoformat()),
                (_("Valid until"), voucher.valid_until.isoformat()),
            ]
            for label, value in rows:
                pdf.setFont("Helvetica", 10)
                pdf.drawString(20 * mm, y, label)
                pdf.setFont("Helvetica-Bold", 12)
                pdf.drawString(65 * mm, y, value.encode("latin-1", "replace").decode("latin-1"))
                y -= 8 * mm
            pdf.setFont("Helvetica", 9)
            pdf.drawString(20 * mm, y - 4 * mm, _("Show this QR code to the officer with your passport. Check it at %(url)s")
                           % {"url": settings.SITE_URL + "/lovebali/verify/"})
            pdf.drawString(20 * mm, 15 * mm, settings.SPBE_INSTITUTION_NAME)
            pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def statement_pdf(statement) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    width, height = A4
    endpoint = statement.endpoint
    pdf.setTitle(f"Imbal jasa {endpoint.code} {statement.year}-Q{statement.quarter}")
    pdf.setFont("Helvetica-Bold", 16)
    pdf.drawString(20 * mm, height - 25 * mm, _("Love Bali Endpoint commission statement"))
    pdf.setFont("Helvetica", 11)
    lines = [
        (_("Endpoint"), f"{endpoint.name} ({endpoint.code})"),
        (_("Legal entity"), endpoint.legal_name),
        (_("PKS number"), endpoint.pks_number),
        (_("Period"), f"{statement.year} Q{statement.quarter}"),
        (_("Orders"), str(statement.orders)),
        (_("Travellers"), str(statement.travellers)),
        (_("Levy collected (Rp)"), f"{statement.levy_total:,}"),
        (_("Commission (Rp)"), f"{statement.commission_total:,}"),
    ]
    y = height - 40 * mm
    for label, value in lines:
        pdf.drawString(20 * mm, y, label)
        pdf.drawString(80 * mm, y, value.encode("latin-1", "replace").decode("latin-1"))
        y -= 7 * mm
    y -= 5 * mm
    pdf.setFont("Helvetica-Bold", 9)
    pdf.drawString(20 * mm, y, _("Booked"))
    pdf.drawString(60 * mm, y, _("Order"))
    pdf.drawString(100 * mm, y, _("Levy (Rp)"))
    pdf.drawString(140 * mm, y, _("Commission (Rp)"))
    pdf.setFont("Helvetica", 9)
    for entry in statement.entries.select_related("order").order_by("booked_at"):
        y -= 5 * mm
        if y < 20 * mm:
            pdf.showPage()
            pdf.setFont("Helvetica", 9)
            y = height - 20 * mm
        pdf.drawString(20 * mm, y, entry.booked_at.strftime("%Y-%m-%d"))
        pdf.drawString(60 * mm, y, entry.order.code)
        pdf.drawRightString(125 * mm, y, f"{entry.levy_amount:,}")
        pdf.drawRightString(170 * mm, y, f"{entry.amount:,}")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
