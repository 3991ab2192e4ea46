"""axe-core (vendored, tests/e2e/vendor) on every page shape each demo role reaches from its
console home, and on the public pages: zero critical and zero serious violations. Then the
console on a phone (390×844): nothing wider than the screen, the menu folded behind its
button, the checkpoint scanner first.

Pages are found by following links in the browser, as a person would; /orders/1/ and
/orders/2/ are one shape, checked once, so the run stays short.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.management import call_command

from ..conftest import PASSWORD
from tests.core.test_page_crawl import _shape

from .conftest import browser_login

AXE = (Path(__file__).parent / "vendor" / "axe-4.14.1.min.js").read_text()
RULES = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}}
ROLES = ["koordinator.spbe", "kominfo.admin", "asesor.eksternal", "petugas.pungutan", "petugas.checkpoint", "petugas.piket",
         "penandatangan", "triase.keamanan", "mitra.hotel", "peneliti.mahasiswa"]
PUBLIC = ["/", "/indeks-spbe/", "/tte/verify/", "/security/", "/security/signup/", "/security/leaderboard/", "/login/",
          "/lovebali/", "/lovebali/pay/", "/lovebali/faq/", "/lovebali/chat/"]
SKIP = ("/logout", "/admin/", "/api/", "/i18n/", "/jsi18n/", "/static/", "/metrics", "/account/2fa/disable")
PAGES_PER_ROLE = 16
PHONE = {"width": 390, "height": 844}


def _violations(page) -> list[str]:
    page.evaluate(AXE + ";0")  # through the protocol, so the page's CSP does not refuse it
    result = page.evaluate("(rules) => axe.run(document, rules)", RULES)
    return [f"{v['impact']} {v['id']}: {v['help']} — {v['nodes'][0]['target']} {v['nodes'][0]['html'][:120]} "
            f"{v['nodes'][0].get('failureSummary', '')[-160:]!r}"
            for v in result["violations"] if v["impact"] in ("critical", "serious")]


def _links(page, base: str) -> list[str]:
    found = []
    for href in page.eval_on_selector_all("a[href]:not([download])", "els => els.map(e => e.getAttribute('href'))"):
        target = urlsplit(urljoin(page.url, href))
        if target.netloc != urlsplit(base).netloc or target.path.startswith(SKIP):
            continue
        if re.search(r"\.(pdf|csv|xlsx|txt|json|png|svg|zip|xml)$", target.path):
            continue
        found.append(target.path + (f"?{target.query}" if target.query else ""))
    return found


def _check(page, base: str, starts: list[str], shapes: set[str], limit: int, problems: list[str], who: str) -> int:
    queue, checked = list(starts), 0
    while queue and checked < limit:
        path = queue.pop(0)
        shape = _shape(urlsplit(path).path) + ("?" if "?" in path else "")
        if shape in shapes:
            continue
        shapes.add(shape)
        response = page.goto(base + path)
        if response is None or response.status >= 400 or not page.url.startswith(base):
            continue
        checked += 1
        problems += [f"{who} {path}: {v}" for v in _violations(page)]
        queue += [link for link in _links(page, base) if link not in queue]
    return checked


@pytest.mark.django_db(transaction=True)
def test_axe_finds_no_serious_violation_on_any_page_a_role_reaches_and_the_console_fits_a_phone(live_server, browser):
    call_command("load_demo_data", "--password", PASSWORD, verbosity=0)
    base, shapes, problems, checked = live_server.url, set(), [], 0
    context = browser.new_context(locale="id-ID", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    checked += _check(page, base, PUBLIC, shapes, len(PUBLIC) + 4, problems, "anonymous")
    context.close()
    for username in ROLES:
        context = browser.new_context(locale="id-ID", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(15000)
        browser_login(page, base, username)
        page.wait_for_url("**/console/**")
        checked += _check(page, base, ["/console/"] + _links(page, base), shapes, PAGES_PER_ROLE, problems, username)
        context.close()
    assert not problems, "\n".join(problems)
    assert checked >= 45, checked
    _console_fits_a_phone(base, browser)  # same demo data: loading it twice in one process costs 15 s


def _console_fits_a_phone(base: str, browser) -> None:
    """Nothing wider than the screen, the menu folded behind its button, the scanner first."""
    for username, paths in (("koordinator.spbe", ["/console/", "/console/evaluation/", "/console/inventory/applications/"]),
                            ("petugas.pungutan", ["/console/levy/orders/", "/console/levy/endpoints/"]),
                            ("petugas.checkpoint", ["/console/levy/checkpoint/"])):
        context = browser.new_context(locale="id-ID", viewport=PHONE)
        page = context.new_page()
        page.set_default_timeout(15000)
        browser_login(page, base, username)
        page.wait_for_url("**/console/**")
        for path in paths:
            page.goto(base + path)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], f"{path} is {width} px wide"
            assert not page.locator("#console-nav").is_visible(), path  # folded behind "Menu"
        if username == "petugas.checkpoint":
            box = page.locator("#check").bounding_box()  # the "Check" button of the scanner form
            assert box["y"] + box["height"] < PHONE["height"], f"the scanner's button is {box['y']} px down"
        page.get_by_test_id("console-menu").click()
        page.locator("#console-nav").wait_for(state="visible")
        context.close()
