"""Stamp the letter number, date, verification QR and the TTE footer onto a draft PDF.

This happens once, before the first signature: everything the reader sees must be inside the
signed bytes (filling a number in afterwards would break or append to the signatures).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from pypdf import PdfReader, PdfWriter
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from spbe.core.pdfdraw import draw_qr

FOOTER = ("Dokumen ini telah ditandatangani secara elektronik menggunakan sertifikat elektronik "
          "yang diterbitkan oleh BSrE-BSSN.")
QR_SIZE = 26 * mm  # comfortably above the ~2 cm that still decodes at 150 dpi


@dataclass(frozen=True)
class StampData:
    number: str
    date: str
    verify_url: str
    signers: list[str] = field(default_factory=list)  # "Name — Title", in signing order
    footer: str = FOOTER


def _ascii(text: str) -> str:
    return text.encode("latin-1", "replace").decode("latin-1")


def _overlay(width: float, height: float, data: StampData, *, first: bool, last: bool, page_no: int, pages: int) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(width, height))
    pdf.setFont("Helvetica", 7)
    pdf.setFillColorRGB(0.25, 0.25, 0.25)
    pdf.drawString(15 * mm, 8 * mm, _ascii(data.footer))
    pdf.drawRightString(width - 15 * mm, 8 * mm, f"{page_no}/{pages}")
    if first:
        pdf.setFillColorRGB(0, 0, 0)
        pdf.setFont("Helvetica", 9)
        pdf.drawRightString(width - 15 * mm, height - 12 * mm, _ascii(f"Nomor: {data.number}"))
        pdf.drawRightString(width - 15 * mm, height - 16 * mm, _ascii(f"Tanggal: {data.date}"))
    if last:
        x, y = width - 15 * mm - QR_SIZE, 14 * mm
        draw_qr(pdf, data.verify_url, x, y, QR_SIZE)
        pdf.setFillColorRGB(0, 0, 0)
        pdf.setFont("Helvetica", 7)
        text_y = y + QR_SIZE - 3 * mm
        pdf.drawRightString(x - 3 * mm, text_y, "Ditandatangani secara elektronik oleh:")
        for line in data.signers:
            text_y -= 3.5 * mm
            pdf.drawRightString(x - 3 * mm, text_y, _ascii(line))
        pdf.drawRightString(x - 3 * mm, y + 1 * mm, _ascii(data.verify_url))
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def stamp(pdf_bytes: bytes, data: StampData) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes), strict=False))
    pages = len(writer.pages)
    for index, page in enumerate(writer.pages):
        box = page.mediabox
        overlay = PdfReader(io.BytesIO(_overlay(float(box.width), float(box.height), data, first=index == 0,
                                                 last=index == pages - 1, page_no=index + 1, pages=pages))).pages[0]
        page.merge_page(overlay)
    writer.add_metadata({"/Producer": "SPBE platform (TTE)"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
