"""In the browser: a researcher registers and reports a vulnerability with a screenshot; the
triager moves it into triage; another OPD cannot open it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from spbe.core.roles import Role
from spbe.security import services
from spbe.security.models import Report

from ..conftest import make_user
from .conftest import browser_login

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.mark.django_db(transaction=True)
def test_report_and_triage(live_server, browser, world, tmp_path):
    services.sync_scope()
    make_user("peneliti")
    make_user("triase", world.agency_a, Role.SECURITY_TRIAGER)
    screenshot = tmp_path / "poc.png"
    screenshot.write_bytes(PNG)

    context = browser.new_context(locale="id-ID")
    page = context.new_page()
    page.set_default_timeout(15000)
    browser_login(page, live_server.url, "peneliti", "/security/report/")
    page.fill("#id_display_name", "Peneliti Uji")
    page.check("#id_agreed")
    page.get_by_role("button", name="Daftar").click()
    page.select_option("#id_scope", label="a.prov.go.id")
    page.fill("#id_title", "SQL injection pada pencarian")
    page.select_option("#id_vuln_type", "sqli")
    page.fill("#id_affected_url", "https://a.prov.go.id/cari?q=1")
    page.fill("#id_cvss_vector", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N")
    page.fill("#id_description", "Parameter q disambungkan langsung ke query SQL.")
    page.fill("#id_steps", "Buka /cari?q=' OR 1=1 -- dan semua baris tampil.")
    page.set_input_files("#id_files", str(screenshot))
    page.get_by_test_id("send-report").click()
    expect(page.get_by_test_id("report-status")).to_have_text("Baru")
    code = Report.objects.get().code
    assert Report.objects.get().attachments.count() == 1
    context.close()

    context = browser.new_context(locale="id-ID")
    page = context.new_page()
    page.set_default_timeout(15000)
    browser_login(page, live_server.url, "triase", f"/security/reports/{code}/")
    page.get_by_test_id("triage-form").locator("select[name=to]").select_option("triage")
    page.get_by_test_id("triage-form").get_by_role("button").click()
    expect(page.get_by_test_id("report-status")).to_have_text("Dalam triase")
    context.close()

    context = browser.new_context(locale="id-ID")
    page = context.new_page()
    browser_login(page, live_server.url, "admin_b", "/console/")
    response = page.goto(f"{live_server.url}/security/reports/{code}/")
    assert response.status == 404
    context.close()
