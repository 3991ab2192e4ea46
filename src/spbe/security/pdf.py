"""ITSA report and researcher certificate PDFs."""

from __future__ import annotations

import io

from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm

from spbe.core import fonts
from spbe.core.pdfdraw import draw_qr

MARGIN = 20 * mm


def assessment_pdf(assessment, gate: dict) -> bytes:
    fonts.register()
    buffer = io.BytesIO()
    pdf = fonts.new_canvas(buffer, A4)
    width, height = A4
    pdf.setTitle(f"ITSA {assessment.application.name}")
    y = height - 25 * mm

    def line(text, size=10, bold=False, gap=6):
        """One paragraph, wrapped to the margins; a new page when it would run off the bottom."""
        nonlocal y
        base = fonts.BOLD if bold else fonts.BODY
        lines = fonts.wrap(str(text), size, width - 2 * MARGIN, base)
        leading = size * 1.3
        for part in lines:
            if y < 25 * mm:
                pdf.showPage()
                y = height - 20 * mm
            fonts.draw_string(pdf, MARGIN, y, part, size, base=base)
            y -= leading
        y -= max(gap * mm - leading, 0)

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
    pdf = fonts.new_canvas(buffer, (297 * mm, 210 * mm))
    fonts.register()
    researcher = certificate.researcher
    pdf.setTitle("Sertifikat penghargaan")
    centre = 148 * mm

    def centred(y, text, size, bold=False):
        fonts.draw_string(pdf, centre, y, text, size, base=fonts.BOLD if bold else fonts.BODY, anchor="centre")

    centred(160 * mm, "SERTIFIKAT PENGHARGAAN", 26, bold=True)
    centred(140 * mm, "Program Pengungkapan Kerentanan Pemerintah Provinsi Bali", 14)
    centred(118 * mm, researcher.display_name, 20, bold=True)
    centred(100 * mm, f"atas {certificate.resolved_reports} temuan yang telah diperbaiki ({certificate.points} poin)", 12)
    centred(90 * mm, f"Diterbitkan {certificate.issued_at:%d-%m-%Y}", 12)
    draw_qr(pdf, verify_url, 20 * mm, 15 * mm, 32 * mm)
    fonts.draw_string(pdf, 56 * mm, 20 * mm, f"Verifikasi: {verify_url}", 8)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
