"""Answers in Excel: an OPD downloads its indicators as a workbook, fills levels, explanations
and evidence links offline (as regional SPBE teams do), and uploads it back. The upload is all or
nothing: every row is checked first and the errors name their row; only then is anything saved."""

from __future__ import annotations

import io

from django.db import transaction
from django.utils.translation import gettext as _

from spbe.core import permissions
from spbe.core.services import ServiceError

from ..models import EvaluationPeriod, Response, Stage
from .cycle import add_evidence_link, methodology_for, save_answer, stage_is_open, visible_responses

HEADER = ("No", "Indikator", "Perangkat Daerah", "Tingkat", "Penjelasan", "Tautan bukti dukung")
MAX_ERRORS = 20


def _editable(user, period: EvaluationPeriod):
    """The user's indicators still open for an answer (the scope the work queue counts)."""
    open_ones = visible_responses(user, period).filter(status__in=[Response.Status.DRAFT, Response.Status.RETURNED])
    return list(permissions.scope_queryset(user, "evaluation.change_response", open_ones).order_by("indicator")
                .prefetch_related("evidence"))


def answers_workbook(user, period: EvaluationPeriod) -> bytes:
    """The indicators ``user`` may answer now, with their current answers."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.datavalidation import DataValidation

    methodology = methodology_for(period)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Jawaban"
    sheet.append(list(HEADER))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    levels = DataValidation(type="whole", operator="between", formula1=str(methodology.min_level),
                            formula2=str(methodology.max_level), allow_blank=True, showErrorMessage=True,
                            error=f"Tingkat {methodology.min_level}–{methodology.max_level}")
    sheet.add_data_validation(levels)
    for response in _editable(user, period):
        indicator = methodology.indicator(response.indicator)
        links = " ".join(e.url for e in response.evidence.all() if e.kind == "link")
        sheet.append([indicator.number, indicator.name, response.agency.name, response.level, response.explanation, links])
        levels.add(f"D{sheet.max_row}")
        for cell in sheet[sheet.max_row]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for column, width in (("B", 60), ("C", 30), ("E", 70), ("F", 40)):
        sheet.column_dimensions[column].width = width
    guide = workbook.create_sheet("Kriteria")
    guide.append(["No", "Tingkat", "Kriteria"])
    for indicator in methodology.indicators:
        for level, text in sorted(indicator.criteria.items()):
            guide.append([indicator.number, level, text])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _rows(data: bytes):
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any unreadable upload gets the same clear message
        raise ServiceError(_("The file is not an Excel workbook (.xlsx)."), field="file") from None
    sheet = workbook["Jawaban"] if "Jawaban" in workbook.sheetnames else workbook.active
    rows = list(sheet.iter_rows(values_only=True))
    if not rows or tuple(str(c or "").strip() for c in rows[0][: len(HEADER)]) != HEADER:
        raise ServiceError(_("Use the answer template downloaded from this period: its first row is %(header)s.")
                           % {"header": ", ".join(HEADER)}, field="file")
    return rows[1:]


@transaction.atomic
def import_answers(user, period: EvaluationPeriod, data: bytes) -> int:
    """Save the answers in an uploaded template; returns how many indicators changed."""
    from django.core.exceptions import ValidationError
    from django.core.validators import URLValidator

    if not stage_is_open(period, Stage.SELF_ASSESSMENT):
        raise ServiceError(_("The self-assessment stage is not open; answers are read-only."))
    methodology = methodology_for(period)
    editable = {r.indicator: r for r in _editable(user, period)}
    checked, errors = [], []
    for row_number, row in enumerate(_rows(data), start=2):
        row = list(row) + [None] * (len(HEADER) - len(row))
        number, _name, _agency, level, explanation, links = row[: len(HEADER)]
        if number in (None, "") and level in (None, "") and not explanation:
            continue
        try:
            number = int(number)
        except (TypeError, ValueError):
            errors.append(_("Row %(row)s: the indicator number is missing.") % {"row": row_number})
            continue
        if number not in editable:
            errors.append(_("Row %(row)s: indicator %(n)s is not one you can answer now.") % {"row": row_number, "n": number})
            continue
        if level in (None, ""):
            level = None
        else:
            try:
                level = int(str(level).strip())
            except ValueError:
                level = -1
            if not methodology.min_level <= level <= methodology.max_level:
                errors.append(_("Row %(row)s: the level must be a whole number from %(min)s to %(max)s.")
                              % {"row": row_number, "min": methodology.min_level, "max": methodology.max_level})
                continue
        urls = [u for u in str(links or "").split() if u]
        for url in urls:
            try:
                URLValidator(schemes=["https", "http"])(url)
            except ValidationError:
                errors.append(_("Row %(row)s: %(url)s is not a web link.") % {"row": row_number, "url": url[:80]})
        checked.append((editable[number], level, str(explanation or "").strip(), urls))
    if errors:
        more = len(errors) - MAX_ERRORS
        raise ServiceError(" ".join(errors[:MAX_ERRORS]) + (_(" … and %(n)s more.") % {"n": more} if more > 0 else ""), field="file")
    changed = 0
    for response, level, explanation, urls in checked:
        if (response.level, response.explanation) != (level, explanation):
            save_answer(response, level=level, explanation=explanation, by=user)
            changed += 1
        known = set(response.evidence.filter(kind="link").values_list("url", flat=True))
        for url in urls:
            if url not in known:
                add_evidence_link(response, url=url, title=_("Link from the answer workbook"), by=user)
    return changed
