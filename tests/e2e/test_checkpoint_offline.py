"""The checkpoint scanner as an officer at a gate uses it on a phone: synced once, then the
network goes — the page reloads from its service worker and still verifies; a typed
reference offline is "not checked", never "not genuine"; a camera without BarcodeDetector
reads the QR with the vendored jsQR decoder."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from spbe.core.roles import Role
from spbe.levy.models import CheckpointScan, Voucher

from ..conftest import make_user
from .conftest import CHROMIUM, CHROMIUM_ARGS, browser_login

PHONE = {"width": 390, "height": 844}


def paid_voucher(banksim) -> Voucher:
    from spbe.levy import services

    arrival = timezone.localdate() + timedelta(days=1)
    order = services.create_order(email="gate@example.com", travellers=[
        services.TravellerInput("Emma Wilson", "GB", "123456789", arrival)])
    payment = services.start_payment(order, "qris", notify_url="")
    banksim.pay(payment.provider_reference)
    services.refresh_payment(payment)
    services.issue_vouchers(order.pk)
    return Voucher.objects.get(traveller__order=order)


@pytest.mark.django_db(transaction=True)
def test_the_scanner_reloads_and_verifies_with_no_network(live_server, browser, levy_site, world):
    voucher = paid_voucher(levy_site)
    make_user("petugas.gerbang", world.agency_a, Role.CHECKPOINT_OFFICER)
    context = browser.new_context(locale="id-ID", viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(15000)
    browser_login(page, live_server.url, "petugas.gerbang", "/console/levy/checkpoint/")
    expect(page.get_by_test_id("trust-status")).to_contain_text("kunci")
    # Scanner first on a phone: the code field is on the first screen, the menu folded away.
    assert page.locator("#code").bounding_box()["y"] < PHONE["height"] - 100
    assert not page.locator("#console-nav").is_visible()
    # The scanner's own script runs before the deferred Bootstrap bundle that folds the menu;
    # on a loaded CI machine a click in between does nothing.
    page.wait_for_function("typeof window.bootstrap !== 'undefined'")
    page.get_by_test_id("console-menu").click()
    expect(page.locator("#console-nav")).to_be_visible()
    assert page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # the worker now controls the page and has cached it
    expect(page.get_by_test_id("trust-status")).to_contain_text("kunci")

    context.set_offline(True)
    response = page.reload()
    assert response is not None and response.from_service_worker, "offline reload was not served by the worker"
    expect(page.get_by_test_id("trust-status")).to_contain_text("1 kunci")
    page.fill("#code", voucher.code)
    page.click("#check")
    expect(page.get_by_test_id("scan-result")).to_have_attribute("data-result", "valid")
    assert "Emma Wilson" in page.get_by_test_id("scan-result").inner_text()
    page.fill("#code", voucher.reference)  # typed from the printed voucher
    page.click("#check")
    expect(page.get_by_test_id("scan-result")).to_have_attribute("data-result", "unchecked")
    assert "Tidak asli" not in page.get_by_test_id("scan-result").inner_text()
    assert CheckpointScan.objects.count() == 0

    context.set_offline(False)
    page.click("#upload")
    expect(page.get_by_test_id("queue-status")).to_contain_text("0")
    results = sorted(CheckpointScan.objects.values_list("result", flat=True))
    assert results == ["valid", "valid"]  # the server judged the typed reference on upload
    context.close()


def _qr_video(tmp_path, text: str):
    """A Y4M clip (what Chromium's fake camera plays) showing the QR code, grey-scale frames."""
    import segno

    matrix = [list(row) for row in segno.make(text, error="m", micro=False).matrix]
    width, height, border = 640, 480, 4
    cell = height // (len(matrix) + 2 * border)  # the whole code fits the frame's height
    side = cell * (len(matrix) + 2 * border)
    luma = bytearray([235]) * (width * height)
    top, left = (height - side) // 2, (width - side) // 2
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            if not dark:
                continue
            for y in range(top + (r + border) * cell, top + (r + border + 1) * cell):
                if 0 <= y < height:
                    start = left + (c + border) * cell
                    luma[y * width + start: y * width + start + cell] = bytes([16]) * cell
    chroma = bytes([128]) * (width * height // 4)
    path = tmp_path / "qr.y4m"
    with open(path, "wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(10):
            out.write(b"FRAME\n" + bytes(luma) + chroma + chroma)
    return path


@pytest.mark.django_db(transaction=True)
def test_the_camera_reads_a_qr_without_barcode_detector(live_server, browser, levy_site, world, tmp_path):
    voucher = paid_voucher(levy_site)
    clip = _qr_video(tmp_path, voucher.code)
    make_user("petugas.kamera", world.agency_a, Role.CHECKPOINT_OFFICER)
    camera_browser = browser.browser_type.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS + [
        "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream", f"--use-file-for-fake-video-capture={clip}"])
    try:
        context = camera_browser.new_context(locale="id-ID", viewport=PHONE, permissions=["camera"])
        # As on iOS Safari or Firefox: no BarcodeDetector, so the page must use jsQR.
        context.add_init_script("delete window.BarcodeDetector; delete globalThis.BarcodeDetector;")
        page = context.new_page()
        page.set_default_timeout(20000)
        browser_login(page, live_server.url, "petugas.kamera", "/console/levy/checkpoint/")
        expect(page.get_by_test_id("trust-status")).to_contain_text("kunci")
        page.wait_for_function("typeof jsQR === 'function'")  # the decoder is a deferred script
        assert page.evaluate("typeof BarcodeDetector === 'undefined'")
        page.click("#camera-start")
        expect(page.get_by_test_id("scan-result")).to_have_attribute("data-result", "valid")
        assert page.input_value("#code") == voucher.code
        context.close()
    finally:
        camera_browser.close()
