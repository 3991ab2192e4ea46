"""A tourist pays the levy in the browser; a checkpoint officer verifies the voucher offline."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from spbe.core.roles import Role
from spbe.levy.models import CheckpointScan, Order, Voucher

from ..conftest import PASSWORD, make_user


@pytest.mark.django_db(transaction=True)
def test_tourist_pays_for_two_and_officer_checks_offline(live_server, browser, levy_site, world):
    arrival = (timezone.localdate() + timedelta(days=2)).isoformat()
    context = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 844})  # a phone
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto(f"{live_server.url}/lovebali/")
    assert "Payer la taxe" in page.get_by_test_id("start-pay").inner_text()
    page.get_by_test_id("start-pay").click()

    page.fill("#id_email", "famille@example.com")
    page.fill("#id_t-0-full_name", "Camille Martin")
    page.select_option("#id_t-0-nationality", "FR")
    page.fill("#id_t-0-passport", "12AB34567")
    page.fill("#id_t-0-arrival_date", arrival)
    page.get_by_test_id("add-traveller").click()
    assert page.input_value("#id_t-0-full_name") == "Camille Martin"  # kept
    page.fill("#id_t-1-full_name", "Louis Martin")
    page.select_option("#id_t-1-nationality", "FR")
    page.fill("#id_t-1-passport", "12AB34568")
    page.fill("#id_t-1-arrival_date", arrival)
    page.get_by_test_id("create-order").click()

    expect(page.get_by_test_id("order-status")).to_have_text("En attente de paiement")
    page.get_by_label("QRIS").check()
    page.get_by_test_id("pay-now").click()
    payload = page.get_by_test_id("qris-payload").input_value()
    assert payload.startswith("000201010212")
    # The tourist's banking app scans the QRIS; the bank notifies the platform; the page updates itself.
    assert httpx.post(f"{levy_site.url}/v1/qris/pay", json={"payload": payload}).status_code == 200
    expect(page.get_by_test_id("voucher")).to_have_count(2, timeout=20000)
    expect(page.get_by_test_id("order-status")).to_have_text("Payée")
    with page.expect_download() as download:
        page.get_by_test_id("download-pdf").click()
    assert open(download.value.path(), "rb").read(5) == b"%PDF-"
    context.close()

    order = Order.objects.get()
    assert order.status == "paid" and Voucher.objects.filter(traveller__order=order).count() == 2
    code = Voucher.objects.filter(traveller__order=order).order_by("traveller__position").first().code

    # The checkpoint officer: keys and revocations sync once, then checks work without network.
    make_user("petugas", world.agency_a, Role.CHECKPOINT_OFFICER)
    officer_context = browser.new_context(locale="id-ID")
    officer = officer_context.new_page()
    officer.set_default_timeout(15000)
    officer.goto(f"{live_server.url}/login/?next=/console/levy/checkpoint/")
    officer.fill("#id_username", "petugas")
    officer.fill("#id_password", PASSWORD)
    officer.get_by_role("button", name="Masuk").click()
    expect(officer.get_by_test_id("trust-status")).to_contain_text("1 kunci")
    officer.fill("#checkpoint-name", "Uluwatu")

    officer_context.set_offline(True)
    officer.fill("#code", code)
    officer.click("#check")
    expect(officer.get_by_test_id("scan-result")).to_have_attribute("data-result", "valid")
    assert "Camille Martin" in officer.get_by_test_id("scan-result").inner_text()
    officer.fill("#passport", "12AB34567")
    officer.click("#passport-compare")
    expect(officer.locator("#passport-result")).to_have_text("Cocok dengan voucher.")
    officer.fill("#passport", "99ZZ00000")
    officer.click("#passport-compare")
    expect(officer.locator("#passport-result")).to_have_text("TIDAK cocok dengan voucher.")

    forged = code[:30] + ("A" if code[30] != "A" else "B") + code[31:]
    officer.fill("#code", forged)
    officer.click("#check")
    expect(officer.get_by_test_id("scan-result")).to_have_attribute("data-result", "invalid")
    expect(officer.get_by_test_id("queue-status")).to_contain_text("2")
    assert CheckpointScan.objects.count() == 0  # nothing uploaded while offline

    officer_context.set_offline(False)
    officer.click("#upload")
    expect(officer.get_by_test_id("queue-status")).to_contain_text("0")
    officer.click("#upload")  # uploading again sends nothing twice
    assert sorted(CheckpointScan.objects.values_list("result", flat=True)) == ["invalid", "valid"]
    assert set(CheckpointScan.objects.values_list("offline", flat=True)) == {True}
    officer_context.close()
