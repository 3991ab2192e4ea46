"""Around a result: stage deadlines and reminders, progress per OPD, recommendations followed up
and carried into the next period, and the Berita Acara signed through TTE."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from spbe.audit.models import AuditEvent
from spbe.core.roles import Role
from spbe.core.services import ConflictError, ServiceError
from spbe.evaluation import services
from spbe.evaluation.models import Recommendation, Stage
from tests import pdfcheck
from tests.conftest import login, make_user
from tests.esign.fixtures import esign, esign_env  # noqa: F401  (fixtures)

from .conftest import answer_all, approve_all, open_self


def test_reminders_go_once_a_day_to_opds_that_owe_answers(world, evaluation):
    period, people = evaluation
    coordinator = people["coordinator"]
    open_self(period, coordinator)
    world.agency_a.email = "dinas-a@prov.go.id"
    world.agency_a.save()
    today = timezone.localdate()
    services.set_stage_deadline(period, Stage.SELF_ASSESSMENT, today + timedelta(days=3), by=coordinator)
    assert services.send_reminders(today - timedelta(days=30)) == 0  # not yet within a week of the deadline
    assert services.send_reminders(today) == 1
    assert mail.outbox[-1].to == ["dinas-a@prov.go.id"] and "47" in mail.outbox[-1].body
    assert services.send_reminders(today) == 0  # once a day
    overdue = services.send_reminders(today + timedelta(days=5))
    assert overdue == 1 and mail.outbox[-1].subject.startswith("Terlambat")
    assert AuditEvent.objects.filter(action="evaluation.reminder.sent").count() == 2
    answer_all(period, people["staff_a"])
    assert services.send_reminders(today + timedelta(days=6)) == 0  # nothing owed any more
    with pytest.raises(PermissionDenied):
        services.set_stage_deadline(period, Stage.SELF_ASSESSMENT, today, by=people["staff_a"])
    page = login(coordinator).get(f"/console/evaluation/{period.pk}/").content.decode()
    assert 'data-testid="deadline-self_assessment"' in page and 'data-testid="opd-progress"' in page


def test_progress_per_opd_counts_each_state(world, evaluation):
    period, people = evaluation
    open_self(period, people["coordinator"])
    for response in period.responses.filter(indicator__gt=40):
        services.assign_indicator(response, agency=world.agency_b, by=people["coordinator"])
    for response in period.responses.filter(agency=world.agency_a).order_by("indicator"):
        services.add_evidence_link(response, url=f"https://jdih.prov.go.id/{response.indicator}", title="Pergub",
                                   by=people["staff_a"])
        services.save_answer(response, level=3, explanation="Fakta: ditetapkan. Analisis: berlaku.", by=people["staff_a"])
        services.submit_answer(response, by=people["staff_a"])
    rows = {r["agency"]: r for r in services.progress_by_agency(people["coordinator"], period)}
    assert rows["Dinas A"]["total"] == 40 and rows["Dinas A"]["submitted"] == 40
    assert rows["Dinas B"]["total"] == 7 and rows["Dinas B"]["draft"] == 7
    own = services.progress_by_agency(people["staff_b"], period)
    assert [r["agency"] for r in own] == ["Dinas B"]  # scoped like the page


def test_recommendations_are_followed_up_by_their_opd_and_carried_into_the_next_period(world, evaluation):
    period, people = evaluation
    coordinator = people["coordinator"]
    first = services.add_recommendation(period, text="Tetapkan Peraturan Gubernur tentang Arsitektur SPBE",
                                        agency=world.agency_a, target_year=period.year + 1, indicator=1, by=coordinator)
    done = services.add_recommendation(period, text="Bentuk Tim Koordinasi SPBE", agency=world.agency_b,
                                       target_year=period.year, by=coordinator)
    with pytest.raises(ServiceError):
        services.add_recommendation(period, text="x", agency=world.agency_a, target_year=period.year + 9, by=coordinator)
    with pytest.raises(PermissionDenied):
        services.add_recommendation(period, text="x", agency=world.agency_a, target_year=period.year, by=people["staff_a"])
    with pytest.raises(PermissionDenied):
        services.follow_up(first, status="in_progress", note="x", by=people["staff_b"])  # another OPD's
    with pytest.raises(ServiceError):
        services.follow_up(done, status="done", by=people["staff_b"])  # done needs a note or evidence
    services.follow_up(done, status="done", note="SK Gubernur 12/2027", evidence_url="https://jdih.prov.go.id/sk-12",
                       by=people["staff_b"])
    services.follow_up(first, status="in_progress", note="Rancangan di Biro Hukum", by=people["staff_a"])
    nxt = services.create_period(institution=world.province, year=period.year + 1, kind="monitoring",
                                 default_agency=world.agency_a, by=coordinator)
    carried = list(nxt.recommendations.all())
    assert [(r.text, r.status, r.carried_from_id) for r in carried] == [
        ("Tetapkan Peraturan Gubernur tentang Arsitektur SPBE", "in_progress", first.pk)]
    assert "Rancangan di Biro Hukum" in carried[0].follow_up
    page = login(people["staff_a"]).get(f"/console/evaluation/{nxt.pk}/followup/").content.decode()
    assert "Tetapkan Peraturan Gubernur" in page and "Bentuk Tim Koordinasi" not in page
    assert AuditEvent.objects.filter(action="evaluation.recommendation.followed_up").count() == 2


def test_recommendations_drafted_from_the_gap_plan(world, evaluation):
    period, people = evaluation
    open_self(period, people["coordinator"])
    answer_all(period, people["staff_a"], level_for=lambda n: 2)
    approve_all(period, people["coordinator"])
    client = login(people["coordinator"])
    client.post(f"/console/evaluation/{period.pk}/followup/", {"action": "from_plan", "target": "Baik", "cycles": "2"})
    drafted = Recommendation.objects.filter(period=period, source=Recommendation.Source.GAP_PLAN)
    assert drafted.count() > 5 and {r.target_year for r in drafted} <= {period.year + 1, period.year + 2}
    assert all(r.indicator and "tingkat" in r.text.lower() for r in drafted)


def _interview_period(world, people):
    period = services.create_period(institution=world.province, year=2025, kind="evaluation", default_agency=world.agency_a,
                                    by=people["coordinator"])
    services.add_external_assessor(period, people["external"], by=people["coordinator"])
    open_self(period, people["coordinator"])
    answer_all(period, people["staff_a"])
    approve_all(period, people["coordinator"])
    for stage in (Stage.SELF_ASSESSMENT, Stage.DOCUMENT):
        if stage != Stage.SELF_ASSESSMENT:
            services.open_stage(period, stage, by=people["coordinator"])
        services.close_stage(period, stage, by=people["coordinator"])
    services.open_stage(period, Stage.INTERVIEW, by=people["coordinator"])
    services.record_stage_score(period.responses.get(indicator=22), stage=Stage.INTERVIEW, level=2,
                                comment="Belum ada SMKI di seluruh OPD", by=people["external"])
    return period


def test_the_berita_acara_of_the_interview_is_generated_and_signed_through_tte(world, evaluation, esign):  # noqa: F811
    from spbe.esign import services as esign_services

    _, people = evaluation
    coordinator = people["coordinator"]
    period = _interview_period(world, people)
    with pytest.raises(ServiceError):
        services.write_minutes(period, stage=Stage.FIELD_VISIT, held_on=timezone.localdate(), place="x",
                               participants="a\nb", summary="x", by=coordinator)
    with pytest.raises(ServiceError):
        services.write_minutes(period, stage=Stage.INTERVIEW, held_on=timezone.localdate(), place="Ruang Sandat",
                               participants="satu orang", summary="x", by=coordinator)
    minutes = services.write_minutes(
        period, stage=Stage.INTERVIEW, held_on=timezone.localdate(), place="Ruang Sandat, Diskominfos",
        participants="Dr. Rahmat Hidayat — Asesor — KemenPANRB\nI Gede Pramana Putra — Koordinator SPBE — Pemprov Bali",
        summary="Interviu membahas keamanan informasi dan manajemen data.", by=coordinator)
    pdf = services.minutes_pdf(minutes)
    text = pdfcheck.text(pdf)
    assert "BERITA ACARA INTERVIU" in text and "Dr. Rahmat Hidayat" in text and "Belum ada SMKI" in text
    pdfcheck.assert_fonts_embedded(pdf)
    signer = make_user("sekda_ba", world.agency_a, Role.SIGNER)
    esign_services.set_signer_profile(signer, nik=esign.pki.state["people"]["kadis"]["nik"], title="Sekretaris Daerah")
    with pytest.raises(ServiceError):
        services.send_minutes_for_signature(minutes, agency=world.agency_a, signers=[], by=coordinator)
    minutes = services.send_minutes_for_signature(minutes, agency=world.agency_a, signers=[signer], by=coordinator)
    assert services.minutes_status(minutes) == "signing"
    with pytest.raises(ConflictError):
        services.write_minutes(period, stage=Stage.INTERVIEW, held_on=timezone.localdate(), place="x",
                               participants="a\nb", summary="y", by=coordinator)
    esign_services.sign(minutes.document, by=signer)
    minutes.refresh_from_db()
    assert services.minutes_status(minutes) == "signed"
    page = login(coordinator).get(f"/console/evaluation/{period.pk}/followup/").content.decode()
    assert 'data-testid="minutes-interview"' in page and "Ditandatangani" in page


def _fill(data: bytes, edit) -> bytes:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data))
    edit(book["Jawaban"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_answers_round_trip_through_excel_all_or_nothing(world, evaluation):
    period, people = evaluation
    open_self(period, people["coordinator"])
    for response in period.responses.filter(indicator__gt=40):
        services.assign_indicator(response, agency=world.agency_b, by=people["coordinator"])
    client = login(people["staff_a"])
    template = client.get(f"/console/evaluation/{period.pk}/answers.xlsx").content
    from openpyxl import load_workbook

    rows = list(load_workbook(io.BytesIO(template))["Jawaban"].iter_rows(values_only=True))
    assert rows[0][:4] == ("No", "Indikator", "Perangkat Daerah", "Tingkat") and len(rows) == 41  # only Dinas A's 40

    def good(sheet):
        sheet["D2"], sheet["E2"], sheet["F2"] = 3, "Pergub 5/2026 berlaku untuk seluruh OPD.", "https://jdih.prov.go.id/pergub-5"
        sheet["D3"], sheet["E3"] = 2, "Baru sebagian unit kerja."

    def bad(sheet):
        good(sheet)
        sheet["D4"] = 9  # outside 1..5
        sheet.append([45, "Layanan Publik Sektor 1", "Dinas B", 3, "bukan milik Dinas A", ""])

    refused = client.post(f"/console/evaluation/{period.pk}/answers.xlsx",
                          {"file": io.BytesIO(_fill(template, bad))}, follow=True).content.decode()
    assert "Baris 4" in refused and "Baris 42" in refused
    assert not period.responses.exclude(level=None).exists()  # nothing saved
    client.post(f"/console/evaluation/{period.pk}/answers.xlsx", {"file": io.BytesIO(_fill(template, good))})
    first = period.responses.get(indicator=1)
    assert (first.level, first.evidence.get().url) == (3, "https://jdih.prov.go.id/pergub-5")
    assert period.responses.get(indicator=2).level == 2
    assert "bukan" in client.post(f"/console/evaluation/{period.pk}/answers.xlsx",
                                  {"file": io.BytesIO(b"not excel")}, follow=True).content.decode()
