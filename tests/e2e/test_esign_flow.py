"""In the browser: a reviewer gives paraf, the signer signs, and anyone verifies the signed
PDF on the public page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from spbe.core.roles import Role
from spbe.esign import services
from spbe.esign.models import SignatureStep
from tests.esign.fixtures import letter

from ..conftest import make_user
from .conftest import browser_login


@pytest.mark.django_db(transaction=True)
def test_paraf_sign_and_public_verification(live_server, browser, world, esign, settings, tmp_path):
    settings.SITE_URL = live_server.url
    agency = world.agency_a
    reviewer = make_user("pemeriksa", agency, Role.DOCUMENT_REVIEWER)
    signer = make_user("sekretaris", agency, Role.SIGNER)
    document = services.create_document(
        agency=agency, title="Surat Edaran Uji", class_code="000.1", classification="biasa", file_name="se.pdf", data=letter(),
        reviewers=[reviewer], signers_=[(signer, SignatureStep.Method.SEAL)], level="B-T", by=world.users["staff_a"])
    services.submit(document, world.users["staff_a"])
    url = f"/console/tte/{document.pk}/"

    context = browser.new_context(locale="id-ID")
    page = context.new_page()
    page.set_default_timeout(20000)
    browser_login(page, live_server.url, "pemeriksa", url)
    page.get_by_test_id("approve").click()
    expect(page.get_by_test_id("document-status")).to_have_text("Menunggu tanda tangan")
    assert page.get_by_test_id("document-number").inner_text().startswith("000.1/1/")
    context.close()

    context = browser.new_context(locale="id-ID")
    page = context.new_page()
    page.set_default_timeout(20000)
    browser_login(page, live_server.url, "sekretaris", url)
    page.get_by_test_id("sign").click()
    page.wait_for_load_state()
    step = SignatureStep.objects.get(document=document)
    assert step.status == "signed", step.last_error
    expect(page.get_by_test_id("document-status")).to_have_text("Ditandatangani")
    with page.expect_download() as download:
        page.get_by_test_id("file-list").get_by_role("link").last.click()
    signed_path = download.value.path()
    page.get_by_role("link", name=services.verify_url(document)).click()
    expect(page.get_by_test_id("record-status")).to_have_text("Ditandatangani dan terdaftar")
    page.goto(f"{live_server.url}/tte/verify/")
    page.set_input_files("input[name=file]", signed_path)
    page.get_by_test_id("verify").click()
    expect(page.get_by_test_id("verify-result")).to_have_attribute("data-valid", "true")
    expect(page.get_by_test_id("registry-match")).to_be_visible()
    context.close()
