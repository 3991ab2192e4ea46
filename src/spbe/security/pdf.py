"""ITSA report and researcher certificate PDFs."""

from __future__ import annotations

import io

from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from spbe.core.pdfdraw import draw_qr


def _latin(text: str) -> str:
    return str(text).encode("latin-1", "replace").decode("latin-1")


def assessment_pdf(assessment, gate: dict) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    width, height = A4
    y = height - 25 * mm

    def line(text, size=10, bold=False, gap=6):
        nonlocal y
        if y < 25 * mm:
            pdf.showPage()
            y = height - 20 * mm
        pdf.setFont("Helvetica-Bold" if bold else "Helvetica", size)
        pdf.drawString(20 * mm, y, _latin(text)[:110])
        y -= gap * mm

    line("Laporan IT Security Assessment (ITSA)", 16, True, 10)
    line(f"Aplikasi: {assessment.application.name} - {assessment.agency.name}")
    line(f"Level ASVS: L{assessment.asvs_level} · Lingkungan: {assessment.environment} · Penguji: {assessment.testers}")
    line(f"Jendela uji: {assessment.window_start} s.d. {assessment.window_end} · Dicetak: {timezone.localdate()}", gap=10)
    line("Ringkasan untuk pimpinan", 12, True)
    findings = list(assessment.findings.all())
    counts = {s: sum(1 for f in findings if f.severity == s) for s in ("critical", "high", "medium", "low")}
    line(f"Temuan: {counts['critical']} kritis, {counts['high']} tinggi, {counts['medium']} sedang, {counts['low']} rendah.")
    line("Keputusan go-live: " + ("DIIZINKAN" if gate["allowed"] else "DITAHAN sampai temuan kritis/tinggi ditutup"), bold=True)
    if gate["unchecked_items"]:
        line(f"Butir checklist belum diperiksa: {gate['unchecked_items']}")
    y -= 4 * mm
    line("Temuan", 12, True)
    for f in findings:
        line(f"[{f.severity.upper()}] {f.title} - {f.get_status_display()} - batas {f.deadline}", bold=True, gap=5)
        if f.recommendation:
            line(f"Rekomendasi: {f.recommendation}", 9, gap=5)
    y -= 4 * mm
    line("Checklist", 12, True)
    for item in assessment.checklist.all():
        line(f"{item.requirement} {item.get_result_display()}: {item.text}", 8, gap=4.5)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def certificate_pdf(certificate, verify_url: str) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(297 * mm, 210 * mm))
    researcher = certificate.researcher
    pdf.setFont("Helvetica-Bold", 26)
    pdf.drawCentredString(148 * mm, 160 * mm, "SERTIFIKAT PENGHARGAAN")
    pdf.setFont("Helvetica", 14)
    pdf.drawCentredString(148 * mm, 140 * mm, "Program Pengungkapan Kerentanan Pemerintah Provinsi Bali")
    pdf.setFont("Helvetica-Bold", 20)
    pdf.drawCentredString(148 * mm, 118 * mm, _latin(researcher.display_name))
    pdf.setFont("Helvetica", 12)
    pdf.drawCentredString(148 * mm, 100 * mm, _latin(f"atas {certificate.resolved_reports} temuan yang telah diperbaiki ({certificate.points} poin)"))
    pdf.drawCentredString(148 * mm, 90 * mm, f"Diterbitkan {certificate.issued_at:%d-%m-%Y}")
    draw_qr(pdf, verify_url, 20 * mm, 15 * mm, 32 * mm)
    pdf.setFont("Helvetica", 8)
    pdf.drawString(56 * mm, 20 * mm, _latin(f"Verifikasi: {verify_url}"))
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
