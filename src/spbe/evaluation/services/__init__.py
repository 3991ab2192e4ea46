"""Evaluation services, one module per aggregate (as pretix splits its services):

* ``cycle`` — periods, stages, answers, bukti dukung, assessor levels, results and the gap plan;
* ``published`` — published results (import, trend) and the public index page;
* ``followup`` — recommendations carried from one period to the next, stage deadlines, reminders;
* ``minutes`` — Berita Acara of the interview and the field visit, signed through TTE.

Callers import ``spbe.evaluation.services`` and use the names re-exported here.
"""

from .cycle import *  # noqa: F401,F403
from .cycle import DEFAULT_METHODOLOGY, ConflictError, ServiceError, _parse_snapshot, methodology_for  # noqa: F401
from .published import IMPORT_COLUMNS, ImportResult, import_published_indices, public_summary  # noqa: F401
from .followup import (  # noqa: F401
    add_recommendation,
    carry_over,
    follow_up,
    owed_answers,
    progress_by_agency,
    recommendations_from_plan,
    send_reminders,
    set_stage_deadline,
    visible_recommendations,
)
from .minutes import minutes_pdf, minutes_status, send_minutes_for_signature, write_minutes  # noqa: F401
from .answers_excel import answers_workbook, import_answers  # noqa: F401
