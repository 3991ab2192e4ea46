"""Excel and PDF exports of a period: the index per stage and every indicator's levels."""

from __future__ import annotations

import io

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from spbe.core.templatetags.spbe_format import score

from . import services
from .models import Stage


def _rows(period, responses):
    """Only the indicators the caller may see (``services.visible_responses``)."""
    methodology = services.methodology_for(period)
    by_number = {r.indicator: r for r in responses}
    final = services.levels_at(period)
    for indicator in methodology.indicators:
        response = by_number.get(indicator.number)
        if response is None:
            continue
        scores = {s.stage: s.level for s in response.scores.all()}
        yield indicator, response, scores, final.get(indicator.number)


def _summary(period):
    """(stage, index as displayed ("4.07") or None, predicate) — None where no assessor has given levels."""
    return [(str(Stage(stage).label), r.index_display if r else None, r.predicate.name if r else _("not assessed yet"))
            for stage, r in services.stage_results(period)]


def _heading(period) -> list[tuple[str, str]]:
    methodology = services.methodology_for(period)
    return [(_("Institution"), period.institution.name), (_("Period"), f"{period.get_kind_display()} {period.year}"),
            (_("Methodology"), methodology.name), (_("Printed"), formats.date_format(timezone.localtime(), "DATETIME_FORMAT"))]


def _structure(period, result) -> list[tuple[str, str, float, float]]:
    """(level, name, weight, value) for every domain with its aspects (or every aspect where the
    methodology has no domains) of a complete result."""
    methodology = services.methodology_for(period)
    values = result.as_dict()
    rows = []
    for group in methodology.groups:
        aspects = getattr(group, "aspects", (group,))
        if methodology.domains:
            rows.append((_("Domain"), group.name, float(group.weight), float(values["domains"][str(group.number)]["value"])))
        rows += [(_("Aspect"), a.name, float(a.weight), float(values["aspects"][str(a.number)]["value"])) for a in aspects]
    return rows


def _evidence(response) -> str:
    return "\n".join(e.url if e.kind == "link" else e.title for e in response.evidence.all())


def _notes(response) -> str:
    return "\n".join(f"{Stage(s.stage).label}: {s.comment}" for s in response.scores.all() if s.comment)


def to_xlsx(period, responses) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Index")
    sheet.append([period.title])
    sheet["A1"].font = Font(bold=True, size=14)
    for label, value in _heading(period):
        sheet.append([label, value])
    sheet.append([])
    sheet.append([_("Stage"), _("Index"), _("Predicate")])
    for label, value, predicate in _summary(period):
        sheet.append([label, float(value) if value is not None else "—", predicate])
        if value is not None:
            sheet.cell(row=sheet.max_row, column=2).number_format = "0.00"
    result = services.period_result(period)
    if result is not None:
        sheet.append([])
        sheet.append([_("Level"), _("Name"), _("Weight"), _("Value")])
        for row in _structure(period, result):
            sheet.append(list(row))
            sheet.cell(row=sheet.max_row, column=4).number_format = "0.00"
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = 60
    detail = workbook.create_sheet(_("Indicators"))
    stages = period.stages()
    detail.append([_("No"), _("Indicator"), _("Aspect"), _("Weight"), _("Responsible OPD"), _("Status")]
                  + [str(Stage(s).label) for s in stages]
                  + [_("Final level"), _("Explanation"), _("Bukti dukung"), _("Assessor notes")])
    for cell in detail[1]:
        cell.font = Font(bold=True)
    aspects = {a.number: a.name for a in services.methodology_for(period).aspects}
    wrap = Alignment(wrap_text=True, vertical="top")
    for indicator, response, scores, final in _rows(period, responses):
        detail.append(
            [indicator.number, indicator.name, aspects.get(indicator.aspect, ""), float(indicator.weight), response.agency.name,
             response.get_status_display()]
            + [scores.get(s) for s in stages]
            + [final, response.explanation, _evidence(response), _notes(response)]
        )
        for cell in detail[detail.max_row]:
            cell.alignment = wrap
    for column, width in (("B", 60), ("C", 30), ("E", 36)):
        detail.column_dimensions[column].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def to_pdf(period, responses) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from spbe.core import fonts

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=landscape(A4), title=period.title, author="SPBE platform",
                            initialFontName=fonts.BODY, leftMargin=36, rightMargin=36, topMargin=36, bottomMargin=36)
    styles = fonts.styles()
    small = styles["BodyText"].clone("small", fontSize=7, leading=8)
    story = [Paragraph(fonts.paragraph_markup(period.title, fonts.BOLD), styles["Title"])]
    story.append(Paragraph(fonts.paragraph_markup(" · ".join(f"{label}: {value}" for label, value in _heading(period))), small))
    story.append(Spacer(1, 8))
    summary = [[_("Stage"), _("Index"), _("Predicate")]] + [
        [label, "—" if value is None else score(value), predicate] for label, value, predicate in _summary(period)]
    table = Table(summary, hAlign="LEFT")
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey), ("FONTNAME", (0, 0), (-1, -1), fonts.BODY),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey)]))
    story += [table, Spacer(1, 12)]
    stages = period.stages()
    rows = [[_("No"), _("Indicator"), _("OPD")] + [Paragraph(fonts.paragraph_markup(str(Stage(s).label), fonts.BOLD), small)
                                                   for s in stages] + [_("Final"), _("Assessor notes")]]
    for indicator, response, scores, final in _rows(period, responses):
        rows.append([str(indicator.number), Paragraph(fonts.paragraph_markup(indicator.name), small),
                     Paragraph(fonts.paragraph_markup(response.agency.name), small)]
                    + [_level_text(scores.get(s)) for s in stages] + [_level_text(final),
                                                                     Paragraph(fonts.paragraph_markup(_notes(response)), small)])
    # The columns fill the page width: the wide ones share what the level columns leave.
    fixed = 24 + 44 * len(stages) + 36
    wide = doc.width - fixed
    widths = [24, wide * 0.42, wide * 0.28] + [44] * len(stages) + [36, wide * 0.30]
    detail = Table(rows, colWidths=widths, repeatRows=1)
    detail.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                                ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
                                ("FONTNAME", (0, 0), (-1, -1), fonts.BODY), ("FONTNAME", (0, 0), (-1, 0), fonts.BOLD),
                                ("FONTSIZE", (0, 0), (-1, -1), 7), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story.append(detail)
    signature = Table([[_("Approved by the SPBE coordinator,")], [""], [""], ["(________________________)"], [_("NIP") + ":"]],
                      colWidths=[220], hAlign="RIGHT")
    signature.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), fonts.BODY), ("FONTSIZE", (0, 0), (-1, -1), 9)]))
    story += [Spacer(1, 18), KeepTogether(signature)]
    doc.build(story)
    return buffer.getvalue()


def _level_text(level) -> str:
    return "—" if level is None else str(level)

