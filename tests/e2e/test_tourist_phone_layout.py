"""On a phone (390×844) in each of the eight site languages, the chat widget never covers the
page's primary action, and the QRIS can be saved as an image."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

LOCALES = ["en-GB", "id-ID", "zh-CN", "ko-KR", "ja-JP", "ru-RU", "fr-FR", "de-DE"]

# Is the element's centre the element itself (or inside it), in every scroll position that
# shows it? elementFromPoint answers what a tap there would hit.
TAP_REACHES = """(element) => {
  const results = [];
  for (const block of ["start", "center", "end"]) {
    element.scrollIntoView({block, behavior: "instant"});  // Bootstrap makes scrolling smooth
    const r = element.getBoundingClientRect();
    const x = r.left + r.width / 2, y = r.top + r.height / 2;
    if (y < 0 || y > window.innerHeight) continue;
    const hit = document.elementFromPoint(x, y);
    results.push(hit === element || element.contains(hit));
  }
  window.scrollTo({top: document.body.scrollHeight, behavior: "instant"});
  const r = element.getBoundingClientRect();
  if (r.bottom > 0 && r.top < window.innerHeight) {
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    results.push(hit === element || element.contains(hit));
  }
  return results;
}"""


def _assert_reachable(page, test_id: str, what: str) -> None:
    reaches = page.get_by_test_id(test_id).evaluate(TAP_REACHES)
    assert reaches and all(reaches), (what, test_id, reaches)


@pytest.mark.django_db(transaction=True)
def test_chat_never_covers_the_primary_action_on_a_phone(live_server, browser, levy_site):
    """All eight languages in one browser session (one context per language): the pay page
    short and long (three travellers), then the order page's "pay now"."""
    for locale in LOCALES:
        context = browser.new_context(locale=locale, viewport={"width": 390, "height": 844})
        page = context.new_page()
        page.set_default_timeout(15000)
        page.goto(f"{live_server.url}/lovebali/pay/")
        for test_id in ("create-order", "add-traveller"):
            _assert_reachable(page, test_id, locale)
        page.get_by_test_id("add-traveller").click()  # a longer page that scrolls: the button meets the bottom edge
        page.get_by_test_id("add-traveller").click()
        for test_id in ("create-order", "add-traveller"):
            _assert_reachable(page, test_id, f"{locale}, three travellers")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, locale  # nothing wider than the phone
        if locale == "ru-RU":  # the longest labels: the order page too
            page.goto(f"{live_server.url}/lovebali/pay/")
            page.fill("#id_email", "guest@example.com")
            page.fill("#id_t-0-full_name", "Anna Petrova")
            page.select_option("#id_t-0-nationality", "RU")
            page.fill("#id_t-0-passport", "751234567")
            page.fill("#id_t-0-arrival_date", (timezone.localdate() + timedelta(days=2)).isoformat())
            page.get_by_test_id("create-order").click()
            page.get_by_test_id("order-status").wait_for()
            _assert_reachable(page, "pay-now", locale)
        context.close()


@pytest.mark.django_db(transaction=True)
def test_the_qris_can_be_saved_as_an_image(live_server, browser, levy_site):
    context = browser.new_context(locale="en-GB", viewport={"width": 390, "height": 844}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto(f"{live_server.url}/lovebali/pay/")
    page.fill("#id_email", "guest@example.com")
    page.fill("#id_t-0-full_name", "Olivia Smith")
    page.select_option("#id_t-0-nationality", "AU")
    page.fill("#id_t-0-passport", "PA1234567")
    page.fill("#id_t-0-arrival_date", (timezone.localdate() + timedelta(days=2)).isoformat())
    page.get_by_test_id("create-order").click()
    page.get_by_label("QRIS").check()
    page.get_by_test_id("pay-now").click()
    with page.expect_download() as download_info:
        page.get_by_test_id("save-qris").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".png")
    path = download.path()
    data = open(path, "rb").read()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    import shutil
    import subprocess

    if shutil.which("zbarimg"):  # read back by an independent decoder: the same QRIS payload
        decoded = subprocess.run(["zbarimg", "--raw", "-q", path], capture_output=True, text=True).stdout.strip()
        assert decoded == page.get_by_test_id("qris-payload").input_value()
    context.close()
