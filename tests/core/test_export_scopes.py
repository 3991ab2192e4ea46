"""Every export has exactly the scope of the page that links to it, for every demo role.

One helper (``check_export``) fetches the page and its export as the same user: if the page is
not theirs the export is refused too; if it is, the export holds the rows the page shows and
never names an agency the page does not (the leak the penetration test found in the evaluation
Excel). Objects the demo has no example of (a cohort, an ITSA assessment, a commission
statement) are made here.
"""

from __future__ import annotations

import csv
import io
import re
import subprocess
from dataclasses import dataclass

import pytest
from django.core.management import call_command
from django.utils import timezone

from spbe.core.demo import DEMO_USERS
from spbe.core.models import Agency, User
from tests.conftest import login

REFUSED = (302, 403, 404)


@dataclass
class Export:
    name: str
    page: str
    export: str
    page_rows: object = None  # html -> set, when the export is a list of the page's rows
    export_rows: object = None  # bytes -> set
    export_text: object = None  # bytes -> text, searched for agencies the page does not show


def _table_rows(testid: str, columns: tuple[int, ...]):
    def rows(html: str) -> set:
        match = re.search(rf'data-testid="{testid}".*?</table>', html, re.S)
        found = set()
        for row in re.findall(r"<tr>(.*?)</tr>", match.group(0) if match else "", re.S):
            cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            if len(cells) > max(columns):
                found.add(tuple(cells[c] for c in columns))
        return found
    return rows


def _xlsx_indicator_rows(data: bytes) -> set:
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(data), read_only=True).worksheets[1]
    return {(str(r[0]),) for r in list(sheet.iter_rows(values_only=True))[1:] if r and r[0] is not None}


def _xlsx_text(data: bytes) -> str:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True)
    return "\n".join(str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for v in row if v)


def _pdf_text(data: bytes) -> str:
    return subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()


def _csv_rows(column: str):
    def rows(data: bytes) -> set:
        return {(row[column],) for row in csv.DictReader(io.StringIO(data.decode("utf-8-sig")))}
    return rows


def check_export(client, item: Export, agencies: list[tuple[str, str]]) -> str:
    """'' when the export matches its page for this client, else what is wrong."""
    page = client.get(item.page)
    export = client.get(item.export)
    if page.status_code != 200:
        return "" if export.status_code in REFUSED else f"page {page.status_code} but export {export.status_code}"
    if export.status_code != 200:
        return f"page 200 but export {export.status_code}"
    data = b"".join(export.streaming_content) if export.streaming else export.content
    html = page.content.decode()
    if item.page_rows and item.export_rows:
        shown, exported = item.page_rows(html), item.export_rows(data)
        if shown != exported:
            return f"rows differ: only on the page {sorted(shown - exported)[:5]}, only in the export {sorted(exported - shown)[:5]}"
    if item.export_text:
        text = item.export_text(data)
        # An agency named in the file (full or short name) that the page names in neither form.
        leaked = [name for name, short in agencies
                  if (name in text or (short and re.search(rf"\b{re.escape(short)}\b", text)))
                  and name not in html and not (short and re.search(rf"\b{re.escape(short)}\b", html))]
        if leaked:
            return f"export names agencies the page does not show: {leaked[:5]}"
    return ""


@pytest.fixture
def demo_world(db, settings):
    call_command("load_demo_data", verbosity=0)
    from spbe.evaluation.models import EvaluationPeriod as Period
    from spbe.security.demo import COHORT_NAME
    from spbe.security.models import Assessment, Cohort

    # The demo itself brings the practicum cohort (supervised by dosen.pembimbing) and an ITSA.
    cohort = Cohort.objects.get(name=COHORT_NAME)
    assessment = Assessment.objects.order_by("pk").first()
    period = Period.objects.order_by("-year").first()
    from spbe.levy.models import Endpoint

    endpoint = Endpoint.objects.order_by("pk").first()
    from spbe.esign.models import Document

    document = Document.objects.order_by("pk").first()
    from spbe.assistant.models import Conversation

    conversation = Conversation.objects.order_by("pk").first()
    exports = [
        Export("evaluation xlsx", f"/console/evaluation/{period.pk}/", f"/console/evaluation/{period.pk}/export.xlsx",
               _table_rows("indicator-table", (0,)), _xlsx_indicator_rows, _xlsx_text),
        Export("evaluation pdf", f"/console/evaluation/{period.pk}/", f"/console/evaluation/{period.pk}/export.pdf",
               export_text=_pdf_text),
        Export("cohort grades csv", f"/security/cohorts/{cohort.pk}/", f"/security/cohorts/{cohort.pk}/grades.csv",
               _table_rows("grades", (0,)), _csv_rows("student_number")),
        Export("ITSA pdf", f"/console/security/itsa/{assessment.pk}/", f"/console/security/itsa/{assessment.pk}/report.pdf",
               export_text=_pdf_text),
    ]
    dispar = Agency.objects.get(code="dispar")
    exports.append(Export("evaluation xlsx, one OPD", f"/console/evaluation/{period.pk}/?agency={dispar.pk}",
                          f"/console/evaluation/{period.pk}/export.xlsx?agency={dispar.pk}",
                          _table_rows("indicator-table", (0,)), _xlsx_indicator_rows, _xlsx_text))
    exports.append(Export("evaluation pdf, one OPD", f"/console/evaluation/{period.pk}/?agency={dispar.pk}",
                          f"/console/evaluation/{period.pk}/export.pdf?agency={dispar.pk}", export_text=_pdf_text))
    if endpoint is not None:
        from spbe.levy import services as levy

        today = timezone.localdate()
        year, quarter = (today.year, (today.month - 1) // 3) if today.month > 3 else (today.year - 1, 4)  # the last closed one
        statement = levy.build_commission_statement(endpoint, year, quarter, by=User.objects.get(username="petugas.pungutan"))
        exports.append(Export("commission statement pdf", f"/console/levy/endpoints/{endpoint.code}/",
                              f"/console/levy/endpoints/{endpoint.code}/statements/{statement.pk}.pdf"))
    if document is not None:
        first = document.files.order_by("pk").first()
        exports.append(Export("TTE file", f"/console/tte/{document.pk}/", f"/console/tte/{document.pk}/files/{first.pk}/"))
    if conversation is not None:
        exports.append(Export("assistant transcript", f"/console/assistant/conversations/{conversation.pk}/",
                              f"/console/assistant/conversations/{conversation.pk}/transcript.txt"))
    return exports, [(a.name, a.short_name) for a in Agency.objects.all()]


def test_every_export_matches_its_page_for_every_demo_role(demo_world):
    exports, agencies = demo_world
    assert len(exports) >= 8
    problems = []
    for username, *_rest in DEMO_USERS + [("dosen.pembimbing",)]:
        client = login(User.objects.get(username=username))
        for item in exports:
            problem = check_export(client, item, agencies)
            if problem:
                problems.append(f"{username} / {item.name}: {problem}")
    assert not problems, "\n".join(problems)
    # The check itself can fail: an export with one more row than its page is reported.
    evaluation = exports[0]
    leaking = Export(evaluation.name, evaluation.page, evaluation.export, evaluation.page_rows,
                     lambda data: evaluation.export_rows(data) | {("99",)})
    client = login(User.objects.get(username="koordinator.spbe"))
    assert "only in the export" in check_export(client, leaking, agencies)
    # ... and so is a file naming an OPD the page does not show (Dinas Kesehatan on Dispar's view).
    foreign = Export("evaluation pdf", exports[0].page, exports[1].export, export_text=lambda data: "Dinas Kesehatan Provinsi Bali")
    assert "names agencies" in check_export(login(User.objects.get(username="dispar.staf")), foreign, agencies)
