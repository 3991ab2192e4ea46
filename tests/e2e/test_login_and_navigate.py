"""A staff member logs in, moves around the console, edits an asset and switches language."""

from __future__ import annotations

import pyotp
import pytest
from playwright.sync_api import expect

from spbe.audit.models import AuditEvent
from spbe.inventory.models import Application

from ..conftest import PASSWORD


@pytest.mark.django_db(transaction=True)
def test_login_navigate_edit_and_switch_language(live_server, page, world):
    page.goto(f"{live_server.url}/")
    assert page.locator("h1").inner_text() == "Layanan digital Provinsi Bali"

    page.get_by_role("link", name="Masuk").click()
    page.fill("#id_username", "admin_a")
    page.fill("#id_password", "wrong-password")
    page.get_by_role("button", name="Masuk").click()
    assert "tidak cocok" in page.locator(".alert-danger").inner_text()

    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    # An agency admin must set up a second factor first: scan (here: read) the key into an
    # authenticator — pyotp plays the phone app — and confirm its code.
    page.wait_for_url("**/account/2fa/setup/**")
    secret = page.get_by_test_id("otp-secret").inner_text().replace(" ", "")
    page.fill("#token", pyotp.TOTP(secret).now())
    page.get_by_test_id("otp-confirm").click()
    expect(page.get_by_test_id("recovery-codes").locator("li")).to_have_count(10)
    page.get_by_test_id("otp-continue").click()
    page.wait_for_url(f"{live_server.url}/console/")
    assert "admin_a" in page.get_by_test_id("current-user").inner_text()
    expect(page.get_by_test_id("work-queue")).to_be_visible()  # "Tugas saya", gathered from every module

    page.get_by_role("link", name="Aplikasi").click()
    table = page.get_by_test_id("asset-table")
    assert "Aplikasi a_child" in table.inner_text()
    assert "Aplikasi b" not in table.inner_text()

    # HTMX search narrows the table without a page load.
    page.fill("input[name=q]", "child")
    expect(page.get_by_test_id("asset-table").locator("tbody tr")).to_have_count(1)
    assert "Aplikasi a_child" in page.get_by_test_id("asset-table").inner_text()

    page.get_by_role("link", name="Aplikasi a_child").click()
    page.fill("#id_name", "Aplikasi Perizinan")
    page.get_by_role("button", name="Simpan").click()
    assert "Aplikasi Perizinan disimpan." in page.locator(".alert-success").inner_text()
    assert Application.objects.filter(name="Aplikasi Perizinan", agency=world.agency_a_child).exists()
    assert AuditEvent.objects.filter(action="inventory.application.updated", actor=world.users["admin_a"]).exists()

    with page.expect_navigation():
        page.select_option("#language-select", "en")
    expect(page.get_by_role("heading", name="Applications")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.get_by_role("link", name="Audit log").click()
    assert "inventory.application.updated" in page.locator("table").inner_text()

    page.get_by_role("button", name="Log out").click()
    page.goto(f"{live_server.url}/console/")
    assert "/login/" in page.url
