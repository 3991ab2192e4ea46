"""Voucher and commission-statement PDFs (ReportLab), with the QR drawn as vector squares.

Text goes through ``core.fonts``: embedded Noto Sans and a CJK/Hangul font, chosen per script
run, and wrapped to the page so a long Russian or German sentence stays inside the margin.
"""

from __future__ import annotations

import io

from django.conf import settings
from django.utils import formats, translation
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm

from spbe.core import fonts
from spbe.core.pdfdraw import draw_qr

from . import countries

MARGIN = 20 * mm
LABEL_WIDTH = 45 * mm


def _date(value) -> str:
    return formats.date_format(value, "DATE_FORMAT", use_l10n=True)


def _amount(value: int) -> str:
    return formats.number_format(value, use_l10n=True, force_grouping=True)


def vouchers_pdf(vouchers, language: str = "en") -> bytes:
    """One page per voucher: QR, reference, name, nationality, validity, in ``language``."""
    fonts.register()
    buffer = io.BytesIO()
    pdf = fonts.new_canvas(buffer, A4, pageCompression=1)
    width, height = A4
    text_width = width - 2 * MARGIN
    with translation.override(language):
        pdf.setTitle(_("Love Bali levy voucher"))
        pdf.setAuthor(settings.SPBE_INSTITUTION_NAME)
        for voucher in vouchers:
            fonts.draw_string(pdf, MARGIN, height - 25 * mm, "LOVE BALI", 20, base=fonts.BOLD)
            title = _("Exemption from the foreign tourist levy") if voucher.kind == "exempt" else _("Foreign tourist levy voucher")
            y = fonts.draw_paragraph(pdf, MARGIN, height - 33 * mm, title, 12, text_width)
            if voucher.sandbox:  # a partner's test order: say so on the paper too
                pdf.setFillColorRGB(0.75, 0, 0)
                y = fonts.draw_paragraph(pdf, MARGIN, y - 1 * mm, _("TEST VOUCHER (sandbox): not valid for travel"), 14, text_width,
                                         base=fonts.BOLD)
                pdf.setFillColorRGB(0, 0, 0)
            qr_top = min(y - 2 * mm, height - 40 * mm)
            draw_qr(pdf, voucher.code, MARGIN, qr_top - 95 * mm, 95 * mm)
            y = qr_top - 110 * mm
            rows = [
                (_("Reference"), voucher.reference),
                (_("Name"), voucher.full_name),
                (_("Nationality"), countries.name(voucher.nationality, language)),
                (_("Valid from"), _date(voucher.valid_from)),
                (_("Valid until"), _date(voucher.valid_until)),
            ]
            for label, value in rows:
                label_end = fonts.draw_paragraph(pdf, MARGIN, y, label, 10, LABEL_WIDTH - 3 * mm)
                value_end = fonts.draw_paragraph(pdf, MARGIN + LABEL_WIDTH, y, value, 12,
                                                 text_width - LABEL_WIDTH, base=fonts.BOLD)
                y = min(label_end, value_end) - 3 * mm
            note = _("Show this QR code to the officer with your passport. Check it at %(url)s") % {
                "url": settings.SITE_URL + "/lovebali/verify/"}
            fonts.draw_paragraph(pdf, MARGIN, y - 4 * mm, note, 9, text_width)
            fonts.draw_paragraph(pdf, MARGIN, 15 * mm, settings.SPBE_INSTITUTION_NAME, 9, text_width)
            pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def statement_pdf(statement, language: str = "id") -> bytes:
    """A Love Bali Endpoint's quarterly commission statement with one line per booked order."""
    fonts.register()
    buffer = io.BytesIO()
    pdf = fonts.new_canvas(buffer, A4)
    width, height = A4
    text_width = width - 2 * MARGIN
    endpoint = statement.endpoint
    with translation.override(language):
        pdf.setTitle(f"{_('Love Bali Endpoint commission statement')} {endpoint.code} {statement.year}-Q{statement.quarter}")
        pdf.setAuthor(settings.SPBE_INSTITUTION_NAME)
        y = fonts.draw_paragraph(pdf, MARGIN, height - 25 * mm, _("Love Bali Endpoint commission statement"), 16,
                                 text_width, base=fonts.BOLD) - 4 * mm
        lines = [
            (_("Endpoint"), f"{endpoint.name} ({endpoint.code})"),
            (_("Legal entity"), endpoint.legal_name),
            (_("PKS number"), endpoint.pks_number),
            (_("Period"), f"{statement.year} Q{statement.quarter}"),
            (_("Orders"), _amount(statement.orders)),
            (_("Travellers"), _amount(statement.travellers)),
            (_("Levy collected (Rp)"), _amount(statement.levy_total)),
            (_("Commission (Rp)"), _amount(statement.commission_total)),
        ]
        for label, value in lines:
            label_end = fonts.draw_paragraph(pdf, MARGIN, y, label, 11, 57 * mm)
            value_end = fonts.draw_paragraph(pdf, MARGIN + 60 * mm, y, value or "-", 11, text_width - 60 * mm)
            y = min(label_end, value_end) - 1 * mm
        y -= 5 * mm

        def header(y):
            for x, text, anchor in ((MARGIN, _("Booked"), "left"), (60 * mm, _("Order"), "left"),
                                    (125 * mm, _("Levy (Rp)"), "right"), (170 * mm, _("Commission (Rp)"), "right")):
                fonts.draw_string(pdf, x, y, text, 9, base=fonts.BOLD, anchor=anchor)

        header(y)
        for entry in statement.entries.select_related("order").order_by("booked_at"):
            y -= 5 * mm
            if y < 20 * mm:
                pdf.showPage()
                y = height - 20 * mm
                header(y)
                y -= 5 * mm
            fonts.draw_string(pdf, MARGIN, y, _date(entry.booked_at.date()), 9)
            fonts.draw_string(pdf, 60 * mm, y, entry.order.code, 9)
            fonts.draw_string(pdf, 125 * mm, y, _amount(entry.levy_amount), 9, anchor="right")
            fonts.draw_string(pdf, 170 * mm, y, _amount(entry.amount), 9, anchor="right")
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()
