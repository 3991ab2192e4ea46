"""Berita Acara of the interview and the field visit: written by the coordinator, generated as a
PDF with the participants, the findings and the levels the assessors gave at that stage, and
signed through the TTE module (its approval chain, QR verification and long-term validation)."""

from __future__ import annotations

import io
from datetime import date

from django.db import transaction
from django.utils import formats, translation
from django.utils.translation import gettext as _

from spbe.audit import services as audit
from spbe.core import permissions
from spbe.core.services import ConflictError, ServiceError

from ..models import EvaluationPeriod, Stage, StageMinutes, StageScore, StageWindow
from .cycle import methodology_for

MINUTES_STAGES = (Stage.INTERVIEW, Stage.FIELD_VISIT)


@transaction.atomic
def write_minutes(period: EvaluationPeriod, *, stage: str, held_on: date, place: str, participants: str, summary: str,
                  by) -> StageMinutes:
    """Create or correct the Berita Acara of a stage (only until it is sent for signature)."""
    permissions.require(by, "evaluation.change_evaluationperiod", period)
    if stage not in MINUTES_STAGES or stage not in period.stages():
        raise ServiceError(_("A Berita Acara is made for the interview or the field visit of this period."), field="stage")
    window = period.windows.get(stage=stage)
    if window.status == StageWindow.Status.PENDING:
        raise ServiceError(_("The stage has not started yet."), field="stage")
    lines = [line.strip() for line in participants.splitlines() if line.strip()]
    if len(lines) < 2:
        raise ServiceError(_("List at least two participants, one per line (name — position — institution)."), field="participants")
    if not place.strip() or not summary.strip():
        raise ServiceError(_("Give the place and the results."), field="summary")
    minutes = StageMinutes.objects.select_for_update().filter(period=period, stage=stage).first()
    if minutes is not None and minutes.document_id:
        raise ConflictError(_("This Berita Acara was sent for signature and can no longer change."), code="signed")
    minutes = minutes or StageMinutes(period=period, stage=stage, created_by=by)
    minutes.held_on, minutes.place, minutes.participants, minutes.summary = held_on, place.strip()[:200], "\n".join(lines), summary.strip()
    minutes.save()
    audit.record("evaluation.minutes.written", minutes, actor=by, data={"stage": stage, "participants": len(lines)})
    return minutes


def _scores(minutes: StageMinutes) -> list[tuple[int, str, int, str]]:
    methodology = methodology_for(minutes.period)
    names = {i.number: i.name for i in methodology.indicators}
    rows = (StageScore.objects.filter(response__period=minutes.period, stage=minutes.stage, response__indicator__in=names)
            .select_related("response").order_by("response__indicator"))
    return [(s.response.indicator, names[s.response.indicator], s.level, s.comment) for s in rows]


def minutes_pdf(minutes: StageMinutes) -> bytes:
    """The Berita Acara in Indonesian (the language of the record), with a ${ttd} placeholder
    where the TTE module places the signature boxes and the verification QR."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from spbe.core import fonts

    period = minutes.period
    with translation.override("id"):
        stage = str(Stage(minutes.stage).label)
        held = formats.date_format(minutes.held_on, "l, j F Y")
        buffer = io.BytesIO()
        doc = SimpleDocTemplate(buffer, pagesize=A4, title=f"Berita Acara {stage} {period.title}", author=period.institution.name,
                                initialFontName=fonts.BODY, leftMargin=56, rightMargin=56, topMargin=48, bottomMargin=48)
        styles = fonts.styles()
        body = styles["BodyText"]
        small = body.clone("small", fontSize=8, leading=10)
        story = [Paragraph(fonts.paragraph_markup(f"BERITA ACARA {stage.upper()}", fonts.BOLD), styles["Title"]),
                 Paragraph(fonts.paragraph_markup(f"{period.title} — {period.institution.name}"), body), Spacer(1, 8),
                 Paragraph(fonts.paragraph_markup(
                     f"Pada hari ini, {held}, bertempat di {minutes.place}, telah dilaksanakan {stage.lower()} dalam rangka "
                     f"{period.title} dengan peserta sebagai berikut:"), body)]
        participants = [["No", "Nama — Jabatan — Instansi"]] + [
            [str(n), Paragraph(fonts.paragraph_markup(line), small)] for n, line in enumerate(minutes.participant_lines(), 1)]
        table = Table(participants, colWidths=[28, doc.width - 28], hAlign="LEFT")
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.25, colors.grey), ("FONTNAME", (0, 0), (-1, -1), fonts.BODY),
                                   ("FONTNAME", (0, 0), (-1, 0), fonts.BOLD), ("FONTSIZE", (0, 0), (-1, -1), 8),
                                   ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        story += [Spacer(1, 6), table, Spacer(1, 10), Paragraph(fonts.paragraph_markup("Hasil:", fonts.BOLD), body)]
        story += [Paragraph(fonts.paragraph_markup(line), body) for line in minutes.summary.splitlines() if line.strip()]
        scores = _scores(minutes)
        if scores:
            rows = [["No", "Indikator", "Tingkat", "Catatan asesor"]] + [
                [str(n), Paragraph(fonts.paragraph_markup(name), small), str(level), Paragraph(fonts.paragraph_markup(note), small)]
                for n, name, level, note in scores]
            levels = Table(rows, colWidths=[28, doc.width * 0.5, 44, doc.width * 0.5 - 72], repeatRows=1, hAlign="LEFT")
            levels.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.25, colors.grey), ("FONTNAME", (0, 0), (-1, -1), fonts.BODY),
                                        ("FONTNAME", (0, 0), (-1, 0), fonts.BOLD), ("FONTSIZE", (0, 0), (-1, -1), 8),
                                        ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
            story += [Spacer(1, 8), Paragraph(fonts.paragraph_markup(f"Tingkat yang diberikan asesor pada tahap {stage.lower()}:"), body),
                      levels]
        story += [Spacer(1, 14), Paragraph(fonts.paragraph_markup(
            "Demikian Berita Acara ini dibuat dengan sebenarnya untuk dipergunakan sebagaimana mestinya."), body),
            Spacer(1, 18), Paragraph(fonts.paragraph_markup("${ttd}"), body)]
        doc.build(story)
        return buffer.getvalue()


@transaction.atomic
def send_minutes_for_signature(minutes: StageMinutes, *, agency, signers: list, by) -> StageMinutes:
    """The Berita Acara goes to the TTE module as a document of ``agency`` (the coordinator's
    unit) signed by ``signers`` in order; from then on it is the signed record."""
    from spbe.esign import services as esign
    from spbe.esign.models import SignatureStep

    permissions.require(by, "evaluation.change_evaluationperiod", minutes.period)
    minutes = StageMinutes.objects.select_for_update().select_related("period__institution").get(pk=minutes.pk)
    if minutes.document_id:
        raise ConflictError(_("This Berita Acara was already sent for signature."), code="already_sent")
    if not signers:
        raise ServiceError(_("Choose who signs the Berita Acara."), field="signers")
    stage = Stage(minutes.stage).label
    with translation.override("id"):
        title = f"Berita Acara {stage} — {minutes.period.title}"
    document = esign.create_document(
        agency=agency, title=title, class_code="000.5.2", classification="biasa", file_name="berita-acara.pdf",
        data=minutes_pdf(minutes), reviewers=[], signers_=[(user, SignatureStep.Method.LOCAL) for user in signers],
        document_type=esign.document_type(agency.institution, "berita-acara"), by=by)
    document = esign.submit(document, by)
    minutes.document = document
    minutes.save(update_fields=["document"])
    audit.record("evaluation.minutes.sent_for_signature", minutes, actor=by,
                 data={"document": document.pk, "signers": [u.username for u in signers]})
    return minutes


def minutes_status(minutes: StageMinutes) -> str:
    """draft / signing / signed, read from the TTE document."""
    if minutes.document_id is None:
        return StageMinutes.Status.DRAFT
    return StageMinutes.Status.SIGNED if minutes.document.status == "signed" else StageMinutes.Status.SIGNING
