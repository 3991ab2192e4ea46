"""Demo for TTE: signer profiles for the demo signer and letters at each step of the chain: one
waiting for the reviewer's paraf, one initialed and waiting for the signer, one still a draft."""

from __future__ import annotations

import io


DOCUMENT_TYPES = [
    # (code, name, level) — after Permendagri 1/2023 on Tata Naskah Dinas
    ("surat-dinas", "Surat Dinas", "B-LT"),
    ("nota-dinas", "Nota Dinas", "B-LT"),
    ("undangan", "Surat Undangan", "B-LT"),
    ("keputusan", "Keputusan Gubernur", "B-LTA"),
    ("berita-acara", "Berita Acara", "B-LTA"),
]


def _letter(title: str, body: tuple[str, ...]) -> bytes:
    """A letter as an OPD template gives it: letterhead, "Nomor :" line and a ${ttd} placeholder."""
    from reportlab.lib.pagesizes import A4

    from spbe.core import fonts

    fonts.register()
    buffer = io.BytesIO()
    pdf = fonts.new_canvas(buffer, A4)
    pdf.setFont(fonts.BOLD, 14)
    pdf.drawCentredString(297, 800, "PEMERINTAH PROVINSI BALI")
    pdf.setFont(fonts.BODY, 10)
    pdf.drawCentredString(297, 786, "SEKRETARIAT DAERAH · Jl. Basuki Rahmat, Niti Mandala Renon, Denpasar")
    pdf.line(60, 778, 535, 778)
    pdf.setFont(fonts.BODY, 11)
    pdf.drawString(72, 700, "Nomor      : ")
    pdf.drawString(72, 684, "Sifat        : Biasa")
    pdf.drawString(72, 668, f"Hal           : {title}")
    pdf.drawString(72, 620, "Yth. Kepala Perangkat Daerah se-Provinsi Bali")
    for n, line in enumerate(body):
        pdf.drawString(72, 590 - 15 * n, line)
    pdf.drawString(330, 480, "Sekretaris Daerah Provinsi Bali,")
    pdf.drawString(330, 462, "${ttd}")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def load_demo() -> None:
    from spbe.core.models import Agency, User

    from spbe.core.models import Institution

    from . import services
    from .models import Document, DocumentType, SignatureStep

    province = Institution.objects.filter(code="pemprov-bali").first()
    if province is not None:
        for code, name, level in DOCUMENT_TYPES:
            DocumentType.objects.get_or_create(institution=province, code=code, defaults={"name": name, "level": level})
    if Document.objects.exists():
        return
    signer = User.objects.filter(username="penandatangan").first()
    reviewer = User.objects.filter(username="pemeriksa.dokumen").first()
    drafter = User.objects.filter(username="admin").first()
    agency = Agency.objects.filter(code="biro-umum").first()  # within the signer's (Setda) subtree
    if not (signer and reviewer and drafter and agency):
        return
    services.set_signer_profile(signer, nik="5171010101700002", title="Sekretaris Daerah (UJI)")
    letters = [
        # (title, document type, body, how far the demo takes it)
        ("Undangan Rapat Evaluasi SPBE 2026", "undangan",
         ("Dalam rangka evaluasi SPBE tahun 2026, kami mengundang seluruh OPD untuk hadir",
          "pada rapat koordinasi di Ruang Sandat, Diskominfos Provinsi Bali."), "in_review"),
        ("Penyampaian Jadwal Penilaian Mandiri SPBE 2026", "surat-dinas",
         ("Bersama ini kami sampaikan jadwal penilaian mandiri SPBE tahun 2026. Seluruh OPD",
          "diminta melengkapi bukti dukung pada aplikasi paling lambat 31 Januari 2027."), "signing"),
        ("Nota Dinas Pemutakhiran Katalog Aplikasi", "nota-dinas",
         ("Mohon setiap OPD memutakhirkan data aplikasi pada katalog aplikasi Pemerintah",
          "Provinsi Bali sebagai bahan arsitektur SPBE."), "draft"),
    ]
    try:
        for title, type_code, body, stage in letters:
            document = services.create_document(
                agency=agency, title=title, class_code="000.1.2", classification="biasa",
                file_name="surat.pdf", data=_letter(title, body), reviewers=[reviewer],
                signers_=[(signer, SignatureStep.Method.LOCAL)], by=drafter,
                document_type=DocumentType.objects.filter(code=type_code).first(),
            )
            if stage != "draft":
                document = services.submit(document, drafter)
            if stage == "signing":
                services.paraf(document, by=reviewer, approve=True, note="Sudah sesuai tata naskah dinas.")
    except Exception:  # noqa: BLE001 - demo roles may live in other agencies; the demo still loads
        return
