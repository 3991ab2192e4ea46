"""The full cycle: assignment, answers with bukti dukung, review, stages, external scores."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from spbe.audit.models import AuditEvent
from spbe.core.services import ConflictError, ServiceError
from spbe.evaluation import services
from spbe.evaluation.models import Response, ScoreChange, Stage, StageWindow

from .conftest import PDF, answer_all, approve_all, open_self
from tests import pdfcheck

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Service messages are checked in English here; pages check the Indonesian default."""
    from django.utils import translation

    with translation.override("en"):
        yield


def test_period_creation_freezes_methodology_and_creates_47_responses(evaluation, world):
    period, people = evaluation
    assert period.responses.count() == 47
    assert list(period.windows.values_list("stage", flat=True).order_by("id")) == [
        "self_assessment", "document", "interview"]
    assert period.methodology_snapshot["code"] == "permenpanrb-59-2020"
    with pytest.raises(ConflictError):
        services.create_period(institution=world.province, year=2026, kind="monitoring",
                               default_agency=world.agency_a, by=people["coordinator"])


def test_only_coordinators_create_periods_and_manage_stages(evaluation, world):
    period, people = evaluation
    with pytest.raises(PermissionDenied):
        services.create_period(institution=world.province, year=2027, kind="monitoring",
                               default_agency=world.agency_a, by=people["staff_a"])
    with pytest.raises(PermissionDenied):
        services.open_stage(period, Stage.SELF_ASSESSMENT, by=people["staff_a"])
    with pytest.raises(PermissionDenied):
        services.open_stage(period, Stage.SELF_ASSESSMENT, by=people["external"])


def test_answers_only_while_the_self_assessment_is_open(evaluation):
    period, people = evaluation
    response = period.responses.get(indicator=1)
    with pytest.raises(ConflictError, match="not open"):
        services.save_answer(response, level=3, explanation="x" * 30, by=people["staff_a"])
    open_self(period, people["coordinator"])
    services.save_answer(response, level=3, explanation="x" * 30, by=people["staff_a"])
    assert response.changes.count() == 1


def test_an_opd_answers_only_its_own_indicators(evaluation, world):
    period, people = evaluation
    open_self(period, people["coordinator"])
    response = period.responses.get(indicator=32)
    services.assign_indicator(response, agency=world.agency_b, by=people["coordinator"])
    with pytest.raises(PermissionDenied):
        services.save_answer(response, level=2, explanation="x" * 30, by=people["staff_a"])
    services.save_answer(response, level=2, explanation="x" * 30, by=people["staff_b"])
    with pytest.raises(PermissionDenied):
        services.save_answer(period.responses.get(indicator=1), level=2, explanation="x" * 30, by=people["staff_b"])


def test_submit_requires_level_explanation_and_evidence(evaluation):
    period, people = evaluation
    open_self(period, people["coordinator"])
    response = period.responses.get(indicator=5)
    services.save_answer(response, level=None, explanation="pendek", by=people["staff_a"])
    with pytest.raises(ServiceError) as error:
        services.submit_answer(response, by=people["staff_a"])
    assert "level" in error.value.message and "bukti dukung" in error.value.message
    services.add_evidence_file(response, name="perda.pdf", data=PDF, by=people["staff_a"])
    services.save_answer(response, level=3, explanation="Fakta, analisis dan justifikasi level tiga.",
                         by=people["staff_a"])
    services.submit_answer(response, by=people["staff_a"])
    response.refresh_from_db()
    assert response.status == Response.Status.SUBMITTED
    with pytest.raises(ConflictError):
        services.save_answer(response, level=4, explanation="x" * 30, by=people["staff_a"])


def test_sectoral_indicators_need_an_application(evaluation, world):
    from spbe.inventory.models import Application

    period, people = evaluation
    open_self(period, people["coordinator"])
    response = period.responses.get(indicator=45)
    services.add_evidence_link(response, url="https://lovebali.prov.go.id/", title="Love Bali", by=people["staff_a"])
    services.save_answer(response, level=4, explanation="Layanan terintegrasi dengan pembayaran.", by=people["staff_a"])
    with pytest.raises(ServiceError, match="application"):
        services.submit_answer(response, by=people["staff_a"])
    app = Application.objects.get(name="Aplikasi a")
    services.assign_indicator(response, agency=world.agency_a, application=app, by=people["coordinator"])
    services.submit_answer(response, by=people["staff_a"])
    with pytest.raises(ServiceError, match="sectoral"):
        services.assign_indicator(period.responses.get(indicator=1), agency=world.agency_a, application=app,
                                  by=people["coordinator"])


def test_review_return_and_approve(evaluation):
    period, people = evaluation
    open_self(period, people["coordinator"])
    response = period.responses.get(indicator=2)
    services.add_evidence_link(response, url="https://jdih.prov.go.id/2", title="Pergub", by=people["staff_a"])
    services.save_answer(response, level=4, explanation="Peta rencana direviu berkala.", by=people["staff_a"])
    services.submit_answer(response, by=people["staff_a"])
    with pytest.raises(PermissionDenied):
        services.review_answer(response, approve=True, by=people["staff_a"])
    with pytest.raises(ServiceError, match="revised"):
        services.review_answer(response, approve=False, comment="", by=people["internal"])
    services.review_answer(response, approve=False, comment="Lampirkan bukti reviu.", by=people["internal"])
    response.refresh_from_db()
    assert response.status == Response.Status.RETURNED
    services.save_answer(response, level=3, explanation="Peta rencana ditetapkan untuk semua unit.",
                         by=people["staff_a"])
    services.submit_answer(response, by=people["staff_a"])
    services.review_answer(response, approve=True, by=people["coordinator"])
    assert response.scores.get(stage=Stage.SELF_ASSESSMENT).level == 3
    assert [c.note.split(":")[0] for c in response.changes.all()] == [
        "", "submitted", "returned", "", "submitted", "approved"]


def test_full_cycle_external_stage_overrides_and_closed_stages_are_read_only(evaluation):
    period, people = evaluation
    coordinator, external = people["coordinator"], people["external"]
    open_self(period, coordinator)
    answer_all(period, people["staff_a"], level_for=lambda n: 4)
    with pytest.raises(ConflictError, match="approved"):
        services.close_stage(period, Stage.SELF_ASSESSMENT, by=coordinator)
    approve_all(period, coordinator)
    services.close_stage(period, Stage.SELF_ASSESSMENT, by=coordinator)
    assert services.period_result(period, Stage.SELF_ASSESSMENT).index_display == "4.00"

    response = period.responses.get(indicator=42)
    with pytest.raises(ConflictError, match="not open"):
        services.record_stage_score(response, stage=Stage.DOCUMENT, level=2, by=external)
    with pytest.raises(ConflictError, match="Close the earlier"):
        services.open_stage(period, Stage.INTERVIEW, by=coordinator)
    services.open_stage(period, Stage.DOCUMENT, by=coordinator)
    # Opened, but no assessor has given a level: no document-stage index (not the self-assessment's).
    assert dict(services.stage_results(period))[Stage.DOCUMENT] is None
    for blank in ("", None):
        with pytest.raises(ServiceError, match="Choose a level"):
            services.record_stage_score(response, stage=Stage.DOCUMENT, level=blank, by=external)
    with pytest.raises(PermissionDenied):
        services.record_stage_score(response, stage=Stage.DOCUMENT, level=2, by=people["other_external"])
    with pytest.raises(PermissionDenied):
        services.record_stage_score(response, stage=Stage.DOCUMENT, level=2, by=coordinator)
    services.record_stage_score(response, stage=Stage.DOCUMENT, level=2, comment="Belum kolaborasi", by=external)
    services.record_stage_score(response, stage=Stage.DOCUMENT, level=3, comment="Setelah klarifikasi", by=external)
    # The document stage's level overrides the self-assessment: 4 - (1 × 3.00 / 100).
    assert str(services.period_result(period, Stage.DOCUMENT).index) == "397/100"
    assert dict(services.stage_results(period))[Stage.DOCUMENT].index_display == "3.97"
    assert services.period_result(period, Stage.SELF_ASSESSMENT).index == 4
    services.close_stage(period, Stage.DOCUMENT, by=coordinator)
    with pytest.raises(ConflictError, match="read-only"):
        services.record_stage_score(response, stage=Stage.DOCUMENT, level=5, by=external)
    with pytest.raises(ConflictError):
        services.save_answer(response, level=5, explanation="x" * 30, by=people["staff_a"])

    services.open_stage(period, Stage.INTERVIEW, by=coordinator)
    services.record_stage_score(response, stage=Stage.INTERVIEW, level=5, by=external)
    assert services.levels_at(period)[42] == 5
    assert services.levels_at(period, Stage.DOCUMENT)[42] == 3
    history = list(ScoreChange.objects.filter(response=response).values_list("stage", "previous_level", "level"))
    assert history == [("self_assessment", None, 4), ("document", None, 2), ("document", 2, 3), ("interview", None, 5)]
    assert AuditEvent.objects.filter(action="evaluation.stage.closed").count() == 2
    assert StageWindow.objects.get(period=period, stage=Stage.DOCUMENT).closed_by == coordinator


def test_evidence_files_are_checked(evaluation, django_capture_on_commit_callbacks):
    period, people = evaluation
    open_self(period, people["coordinator"])
    response = period.responses.get(indicator=3)
    staff = people["staff_a"]
    cases = [
        ("script.exe", b"MZ\x90\x00", "not accepted"),
        ("fake.pdf", b"<html><script>alert(1)</script>", "does not match"),
        ("empty.pdf", b"", "empty"),
        ("locked.pdf", PDF.replace(b"trailer<<", b"trailer<</Encrypt 9 0 R"), "Encrypted"),
        ("evil.pdf", PDF.replace(b"/Type/Catalog", b"/Type/Catalog/OpenAction<</S/JavaScript/JS(app.alert(1))>>"),
         "scripts"),
        ("image.png", b"\xff\xd8\xff\xe0JFIF", "does not match"),
        ("doc.docx", b"PK\x03\x04not really a zip", "does not match"),
    ]
    for name, data, message in cases:
        with pytest.raises(ServiceError, match=message):
            services.add_evidence_file(response, name=name, data=data, by=staff)
    assert not response.evidence.exists()
    item = services.add_evidence_file(response, name="Perda Data.pdf", data=PDF, by=staff)
    assert item.searchable is True and item.size == len(PDF) and item.content_type == "application/pdf"
    assert "Perda" not in item.file.name and item.file.name.startswith("private/evidence/")
    with pytest.raises(ConflictError, match="already attached"):
        services.add_evidence_file(response, name="copy.pdf", data=PDF, by=staff)
    with pytest.raises(ServiceError, match="too large"):
        from django.test import override_settings

        with override_settings(EVALUATION_EVIDENCE_MAX_BYTES=100):
            services.add_evidence_file(response, name="big.pdf", data=PDF + b" " * 200, by=staff)
    with pytest.raises(ServiceError, match="https"):
        services.add_evidence_link(response, url="javascript:alert(1)", title="x", by=staff)
    path = item.file.path
    with django_capture_on_commit_callbacks(execute=True):
        services.remove_evidence(item, by=staff)
    import os

    assert not os.path.exists(path)


def test_gap_plan_from_a_period(evaluation):
    period, people = evaluation
    open_self(period, people["coordinator"])
    answer_all(period, people["staff_a"], level_for=lambda n: 3)
    approve_all(period, people["coordinator"])
    plan = services.gap_plan(period, "Sangat Baik")
    # Most index per effort first: a governance process (2.50 %, effort 4) before a service (3.00 %, effort 8).
    assert plan.reachable and plan.steps[0].indicator == 11
    with pytest.raises(ServiceError):
        services.gap_plan(period, "Sempurna")


def test_import_published_indices_all_or_nothing(world, evaluation):
    from spbe.evaluation.models import PublishedIndex

    _, people = evaluation
    good = ("institution,year,index,domain_1,domain_2,domain_3,domain_4,source\n"
            "Provinsi Uji,2018,1.62,,,,,berita\nProvinsi Uji,2023,4.07,4.60,3.70,2.82,4.57,Kepmen 13/2024\n")
    assert services.import_published_indices(good, by=people["coordinator"]).rows == 2
    assert PublishedIndex.objects.get(year=2023).predicate == "Sangat Baik"
    assert PublishedIndex.objects.get(year=2018).predicate == "Kurang"
    assert PublishedIndex.objects.get(year=2018).methodology == "permenpanrb-5-2018"
    bad = "institution,year,index\nKota X,2023,4.1\nKota Y,20x3,3.0\n"
    with pytest.raises(ServiceError, match="Row 3: year"):
        services.import_published_indices(bad, by=people["coordinator"])
    assert not PublishedIndex.objects.filter(institution_name="Kota X").exists()
    with pytest.raises(ServiceError, match="Missing columns"):
        services.import_published_indices("name,value\nx,1\n", by=people["coordinator"])
    with pytest.raises(PermissionDenied):
        services.import_published_indices(good, by=people["staff_a"])


def test_import_reads_each_year_with_its_methodology_and_excel_semicolons(world, evaluation):
    from spbe.evaluation.models import PublishedIndex

    _, people = evaluation
    # What Excel in the Indonesian locale saves: semicolons, decimal commas, a BOM, a blank last line.
    excel = ("\ufeffInstitution;Year;Index;Domain_1;Domain_2;Domain_3;Domain_4;Source\r\n"
             "Kota Denpasar;2018;2,64;2,06;2,29;3,00;;Laporan 2018\r\n"
             "Kota Denpasar;2021;3,19;2,00;2,00;2,00;2,00;salah ketik\r\n"
             "Kota Denpasar;2026;3,10;;;;;Indeks Pemdi\r\n;;;;;;;\r\n")
    result = services.import_published_indices(excel, by=people["coordinator"])
    assert result.rows == 3 and len(result.warnings) == 1 and "Row 3" in result.warnings[0] and "2.00" in result.warnings[0]
    rows = {p.year: p for p in PublishedIndex.objects.filter(institution_name="Kota Denpasar")}
    assert (rows[2018].methodology, rows[2018].domain_3, rows[2018].domain_4) == ("permenpanrb-5-2018", Decimal("3.00"), None)
    assert rows[2026].methodology == "ipd-2026" and rows[2026].predicate == "Baik"
    four_in_2019 = "institution,year,index,domain_1,domain_2,domain_3,domain_4\nKota X,2019,2.5,2,2,3,3\n"
    with pytest.raises(ServiceError, match="Row 2: 2019 results .* have 3 domain values, not 4"):
        services.import_published_indices(four_in_2019, by=people["coordinator"])
    with pytest.raises(ServiceError, match="unknown methodology"):
        services.import_published_indices("institution,year,index,methodology\nKota X,2023,3,none\n", by=people["coordinator"])


def test_exports_are_real_files(evaluation):
    import io

    from openpyxl import load_workbook

    from spbe.evaluation import exports

    period, people = evaluation
    open_self(period, people["coordinator"])
    answer_all(period, people["staff_a"])
    approve_all(period, people["coordinator"])
    everything = services.visible_responses(people["coordinator"], period)
    workbook = load_workbook(io.BytesIO(exports.to_xlsx(period, everything)))
    assert workbook.sheetnames == ["Indeks", "Indikator"] or len(workbook.sheetnames) == 2
    detail = workbook.worksheets[1]
    assert detail.max_row == 48
    assert detail.cell(row=2, column=1).value == 1
    pdf = exports.to_pdf(period, everything)
    assert pdf.startswith(b"%PDF") and b"%%EOF" in pdf[-32:]
    pdfcheck.assert_fonts_embedded(pdf)
    assert period.title.split()[0] in pdfcheck.text(pdf)
