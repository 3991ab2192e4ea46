"""Excel and PDF exports of a period: the index per stage and every indicator's levels."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _

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
    return [(str(Stage(stage).label), r.index_display if r else "—", r.predicate.name if r else _("not assessed yet"))
            for stage, r in services.stage_results(period)]


def to_xlsx(period, responses) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Index")
    sheet.append([period.title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([_("Stage"), _("Index"), _("Predicate")])
    for row in _summary(period):
        sheet.append(list(row))
    result = services.period_result(period)
    if result is not None:
        sheet.append([])
        sheet.append([_("Domain"), _("Weight"), _("Value")])
        methodology = services.methodology_for(period)
        for domain in methodology.domains:
            sheet.append([domain.name, float(domain.weight), result.as_dict()["domains"][str(domain.number)]["value"]])
    detail = workbook.create_sheet(_("Indicators"))
    stages = period.stages()
    detail.append([_("No"), _("Indicator"), _("Weight"), _("Responsible OPD"), _("Status")]
                  + [str(Stage(s).label) for s in stages] + [_("Final level")])
    for cell in detail[1]:
        cell.font = Font(bold=True)
    for indicator, response, scores, final in _rows(period, responses):
        detail.append(
            [indicator.number, indicator.name, float(indicator.weight), response.agency.name,
             response.get_status_display()]
            + [scores.get(s) for s in stages]
            + [final]
        )
    detail.column_dimensions["B"].width = 70
    detail.column_dimensions["D"].width = 40
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def to_pdf(period, responses) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from spbe.core import fonts

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=landscape(A4), title=period.title, author="SPBE platform",
                            initialFontName=fonts.BODY)
    styles = fonts.styles()
    small = styles["BodyText"].clone("small", fontSize=7, leading=8)
    story = [Paragraph(fonts.paragraph_markup(period.title, fonts.BOLD), styles["Title"])]
    summary = [[_("Stage"), _("Index"), _("Predicate")]] + [list(r) for r in _summary(period)]
    table = Table(summary, hAlign="LEFT")
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey), ("FONTNAME", (0, 0), (-1, -1), fonts.BODY),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey)]))
    story += [table, Spacer(1, 12)]
    stages = period.stages()
    rows = [[_("No"), _("Indicator"), _("OPD")] + [str(Stage(s).label) for s in stages] + [_("Final")]]
    for indicator, response, scores, final in _rows(period, responses):
        rows.append([str(indicator.number), Paragraph(fonts.paragraph_markup(indicator.name), small),
                     Paragraph(fonts.paragraph_markup(response.agency.name), small)]
                    + [str(scores.get(s) or "—") for s in stages] + [str(final or "—")])
    detail = Table(rows, colWidths=[24, 300, 170] + [60] * len(stages) + [40], repeatRows=1)
    detail.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                                ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
                                ("FONTNAME", (0, 0), (-1, -1), fonts.BODY), ("FONTNAME", (0, 0), (-1, 0), fonts.BOLD),
                                ("FONTSIZE", (0, 0), (-1, -1), 7), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story.append(detail)
    doc.build(story)
    return buffer.getvalue()
