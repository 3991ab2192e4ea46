"""Running a period with each methodology: the 2024 instrument's switched-off indicators, level 0
of 5/2018, the satisfaction survey of the Pemdi concept, and exports with numbers as numbers."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest

from spbe.audit.models import AuditEvent
from spbe.core.services import ServiceError
from spbe.evaluation import services
from spbe.evaluation.models import Stage
from tests import pdfcheck
from tests.conftest import login

from .conftest import answer_all, approve_all, open_self


def _period(world, people, code, year):
    return services.create_period(institution=world.province, year=year, kind="evaluation", default_agency=world.agency_a,
                                  methodology_code=code, by=people["coordinator"])


def test_the_2024_instrument_leaves_switched_off_indicators_out_of_the_index_and_keeps_their_answers(world, evaluation):
    _, people = evaluation
    period = _period(world, people, "evaluasi-2024", 2024)
    coordinator = people["coordinator"]
    open_self(period, coordinator)
    answer_all(period, people["staff_a"], level_for=lambda n: 5 if n in (46, 47) else 3)
    approve_all(period, coordinator)
    assert services.draft_result(period).index_display != "3.00"  # 46 and 47 at 5 lift it
    with pytest.raises(ServiceError, match="Sebutkan alasan"):
        services.set_indicator_active(period, 46, False, by=coordinator)
    for number in (46, 47):
        services.set_indicator_active(period, number, False, by=coordinator, reason="Juknis Evaluasi SPBE 2024")
    assert services.draft_result(period).index_display == "3.00"
    assert len(services.methodology_for(period).indicators) == 45
    assert period.responses.filter(indicator=46).exclude(level=None).exists()  # the answer is kept
    assert not services.visible_responses(coordinator, period).filter(indicator=46).exists()
    assert AuditEvent.objects.filter(action="evaluation.indicator.deactivated").count() == 2
    page = login(coordinator).get(f"/console/evaluation/{period.pk}/").content.decode()
    assert 'data-testid="methodology-status"' in page and "663/2024" in page and "Tingkat Kematangan Layanan Publik Sektor 2" in page
    title = page.split("<title>", 1)[1].split("</title>", 1)[0]
    assert "<" not in title and period.title in title
    services.set_indicator_active(period, 46, True, by=coordinator)
    assert len(services.methodology_for(period).indicators) == 46
    # "Tugas saya" counts only what a period assesses.
    from spbe.core import workqueue

    fresh = _period(world, people, "evaluasi-2024", 2022)
    open_self(fresh, coordinator)
    services.set_indicator_active(fresh, 47, False, by=coordinator, reason="Juknis")
    owed = [t.count for t in workqueue.tasks_for(people["staff_a"]) if fresh.title in str(t.label)]
    assert owed == [46]
    regular = _period(world, people, "permenpanrb-59-2020", 2023)
    with pytest.raises(ServiceError, match="tidak ada yang dapat dinonaktifkan"):
        services.set_indicator_active(regular, 1, False, by=coordinator, reason="x")


def test_a_2019_period_takes_level_0_and_shows_it(world, evaluation):
    _, people = evaluation
    period = _period(world, people, "permenpanrb-5-2018", 2019)
    open_self(period, people["coordinator"])
    answer_all(period, people["staff_a"], level_for=lambda n: 0 if n <= 7 else 2)
    approve_all(period, people["coordinator"])
    result = services.draft_result(period)
    assert result is not None and len(result.domains) == 3 and result.aspects[1] == 0
    response = period.responses.get(indicator=1)
    page = login(people["staff_a"]).get(f"/console/evaluation/responses/{response.pk}/").content.decode()
    assert '<span data-testid="answer-level">0</span>' in page
    assert "Tidak terdapat kebijakan internal terkait Tim Pengarah SPBE." in page


def test_a_satisfaction_indicator_is_answered_from_the_survey(world, evaluation):
    _, people = evaluation
    period = _period(world, people, "ipd-konsep-2025", 2027)
    open_self(period, people["coordinator"])
    response = period.responses.get(indicator=33)
    client = login(people["staff_a"])
    page = client.get(f"/console/evaluation/responses/{response.pk}/").content.decode()
    assert 'data-testid="survey-input"' in page
    client.post(f"/console/evaluation/responses/{response.pk}/",
                {"action": "save", "survey_benefit": "4,3", "survey_cost": "2", "explanation": "Survei 412 responden"})
    response.refresh_from_db()
    assert response.level == 4 and "412 responden" in response.explanation and "4,3" in response.explanation
    bad = client.post(f"/console/evaluation/responses/{response.pk}/",
                      {"action": "save", "survey_benefit": "tujuh", "survey_cost": "2", "explanation": "x"})
    assert "angka dari 1 sampai 5" in bad.content.decode()
    response.refresh_from_db()
    assert response.level == 4  # nothing lost
    with pytest.raises(ServiceError):
        services.survey_answer_level(period.responses.get(indicator=1), benefit="4", cost="2")


def test_exports_carry_numbers_heading_notes_and_a_signature_block(world, evaluation):
    from openpyxl import load_workbook

    period, people = evaluation
    coordinator = people["coordinator"]
    open_self(period, coordinator)
    answer_all(period, people["staff_a"])
    approve_all(period, coordinator)
    services.close_stage(period, Stage.SELF_ASSESSMENT, by=coordinator)
    services.open_stage(period, Stage.DOCUMENT, by=coordinator)
    services.record_stage_score(period.responses.get(indicator=1), stage=Stage.DOCUMENT, level=2,
                                comment="SK belum mencakup seluruh unit", by=people["external"])
    client = login(coordinator)
    book = load_workbook(io.BytesIO(client.get(f"/console/evaluation/{period.pk}/export.xlsx").content))
    index_sheet = [row for row in book.worksheets[0].iter_rows(values_only=True)]
    labels = {row[0]: row[1] for row in index_sheet if row and row[0]}
    assert labels["Instansi"] == world.province.name and "59 Tahun 2020" in labels["Metodologi"]
    self_row = next(row for row in index_sheet if row[0] == "Penilaian mandiri")
    assert isinstance(self_row[1], (int, float)) and Decimal(str(self_row[1])) == Decimal("3")  # a number, not text
    interview = next(row for row in index_sheet if row[0] == "Interviu")
    assert interview[1] == "—" and interview[2] == "belum dinilai"
    indicators = list(book.worksheets[1].iter_rows(values_only=True))
    header, first = indicators[0], indicators[1]
    assert "Catatan asesor" in header and "Bukti dukung" in header
    assert "SK belum mencakup seluruh unit" in first[header.index("Catatan asesor")]
    assert "https://jdih.prov.go.id/1" in first[header.index("Bukti dukung")]
    assert isinstance(first[header.index("Bobot")], (int, float))
    pdf = client.get(f"/console/evaluation/{period.pk}/export.pdf").content
    text = pdfcheck.text(pdf)
    assert "Koordinator SPBE" in text and world.province.name in text and "SK belum mencakup" in text
    pdfcheck.assert_fonts_embedded(pdf)


def test_the_calculator_takes_any_methodology_and_says_what_is_wrong_in_indonesian(world, evaluation):
    _, people = evaluation
    client = login(people["coordinator"])
    page = client.get("/console/evaluation/calculator/?methodology=permenpanrb-5-2018&aspects=2,00;2,10;2,00;2,50;2,33;3,29;2,50")
    assert "<strong>2,64</strong>" in page.content.decode() and "Baik" in page.content.decode()
    wrong = client.get("/console/evaluation/calculator/?methodology=ipd-2026&levels=" + ",".join(["9"] * 20)).content.decode()
    assert "di luar 1 sampai 5" in wrong and "outside" not in wrong
    assert client.get("/console/evaluation/calculator/?methodology=tidak-ada").status_code == 200
    gap = client.get(f"/console/evaluation/{evaluation[0].pk}/gap/?target=Luar+Biasa").content.decode()
    assert "neither" not in gap
