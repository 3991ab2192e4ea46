"""Demo for TTE: signer profiles for the demo signer, and one letter waiting for paraf."""

from __future__ import annotations

import io


def _letter(title: str) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setFont("Helvetica-Bold", 14)
    pdf.drawString(72, 760, "PEMERINTAH PROVINSI BALI")
    pdf.setFont("Helvetica", 11)
    pdf.drawString(72, 700, title)
    pdf.drawString(72, 680, "Dalam rangka evaluasi SPBE tahun 2026, kami mengundang seluruh OPD ...")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def load_demo() -> None:
    from spbe.core.models import Agency, User

    from . import services
    from .models import Document, SignatureStep

    if Document.objects.exists():
        return
    signer = User.objects.filter(username="penandatangan").first()
    reviewer = User.objects.filter(username="pemeriksa.dokumen").first()
    drafter = User.objects.filter(username="admin").first()
    agency = Agency.objects.filter(code="biro-umum").first()  # within the signer's (Setda) subtree
    if not (signer and reviewer and drafter and agency):
        return
    services.set_signer_profile(signer, nik="5171010101700002", title="Sekretaris Daerah (UJI)")
    try:
        services.create_document(
            agency=agency, title="Undangan Rapat Evaluasi SPBE 2026", class_code="000.1.2", classification="biasa",
            file_name="undangan.pdf", data=_letter("Undangan Rapat Evaluasi SPBE 2026"), reviewers=[reviewer],
            signers_=[(signer, SignatureStep.Method.LOCAL)], by=drafter,
        )
    except Exception:  # noqa: BLE001 - demo roles may live in other agencies; the demo still loads
        return
