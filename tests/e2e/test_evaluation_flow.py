"""An OPD staff member answers an indicator with bukti dukung; the coordinator approves it
and closes the self-assessment stage — all in the browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from spbe.evaluation import services
from spbe.evaluation.models import Response, Stage, StageWindow

from ..conftest import PASSWORD
from ..evaluation.conftest import PDF, answer_all


def _login(page, base, username):
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url(f"{base}/console/")


@pytest.mark.django_db(transaction=True)
def test_answer_indicator_and_close_stage(live_server, browser, world, evaluation, tmp_path):
    period, people = evaluation
    services.open_stage(period, Stage.SELF_ASSESSMENT, by=people["coordinator"])
    # Every indicator but no. 1 is already answered and approved.
    answer_all(period, people["staff_a"])
    target = period.responses.get(indicator=1)
    services.review_answer(target, approve=False, comment="Lengkapi Pergub arsitektur.", by=people["coordinator"])
    approve_all_but = period.responses.exclude(indicator=1)
    for response in approve_all_but:
        services.review_answer(response, approve=True, by=people["coordinator"])

    pdf_path = tmp_path / "pergub-arsitektur.pdf"
    pdf_path.write_bytes(PDF)

    staff = browser.new_context(locale="id-ID").new_page()
    _login(staff, live_server.url, "staff_a")
    staff.goto(f"{live_server.url}/console/evaluation/{period.pk}/")
    staff.get_by_role("link", name="Tingkat Kematangan Kebijakan Internal Arsitektur SPBE Instansi Pusat/Pemerintah Daerah").click()
    expect(staff.get_by_test_id("response-status")).to_have_text("Dikembalikan untuk revisi")
    staff.set_input_files("input[name=file]", str(pdf_path))
    staff.get_by_role("button", name="Unggah").click()
    expect(staff.get_by_test_id("evidence-list")).to_contain_text("pergub-arsitektur.pdf")
    staff.select_option("#level", "4")
    staff.fill("#explanation", "Pergub 44/2021 mengatur arsitektur SPBE, selaras dengan Arsitektur SPBE Nasional, "
                               "dan direviu setiap tahun.")
    staff.get_by_role("button", name="Ajukan untuk direviu").click()
    expect(staff.locator(".alert-success")).to_contain_text("Jawaban diajukan untuk direviu.")
    expect(staff.get_by_test_id("response-status")).to_have_text("Diajukan untuk direviu")

    coordinator = browser.new_context(locale="id-ID").new_page()
    _login(coordinator, live_server.url, "coordinator")
    coordinator.goto(f"{live_server.url}/console/evaluation/responses/{target.pk}/")
    coordinator.get_by_role("button", name="Setujui").click()
    expect(coordinator.get_by_test_id("stage-scores")).to_contain_text("4")
    coordinator.goto(f"{live_server.url}/console/evaluation/{period.pk}/")
    coordinator.get_by_test_id("close-self_assessment").click()
    expect(coordinator.get_by_test_id("stage-status-self_assessment")).to_have_text("Ditutup")

    assert Response.objects.get(pk=target.pk).status == Response.Status.APPROVED
    assert StageWindow.objects.get(period=period, stage=Stage.SELF_ASSESSMENT).status == "closed"
    # 46 indicators at level 3 and indicator 1 (weight 1.30) at level 4.
    assert services.period_result(period, Stage.SELF_ASSESSMENT).index_display == "3.01"

    # The stage is closed: the staff page no longer offers the answer form.
    staff.reload()
    expect(staff.locator("#explanation")).to_have_count(0)
