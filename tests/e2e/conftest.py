"""Browser tests: Debian's chromium driven by Playwright against a live server on loopback."""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM = os.environ.get("SPBE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}; run `make browser` (apt-get install chromium).")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # live_server + sync Playwright in one process
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


CSP_VIOLATIONS: list[str] = []


def _watch_csp(context) -> None:
    def on_console(message):
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            CSP_VIOLATIONS.append(message.text[:300])

    context.on("console", on_console)


@pytest.fixture(autouse=True)
def no_csp_violations(request):
    """Every browser test fails if a page broke the Content-Security-Policy (an inline script,
    a foreign source): the console reports each refusal."""
    if "browser" not in request.fixturenames:
        yield
        return
    browser = request.getfixturevalue("browser")
    original = browser.new_context

    def new_context(*args, **kwargs):
        context = original(*args, **kwargs)
        _watch_csp(context)
        return context

    CSP_VIOLATIONS.clear()
    browser.new_context = new_context
    try:
        yield
    finally:
        browser.new_context = original
    assert not CSP_VIOLATIONS, CSP_VIOLATIONS


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="id-ID", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


from tests.evaluation.conftest import evaluation  # noqa: E402,F401  (shared fixture)


def browser_login(page, base_url: str, username: str, next_url: str = "/console/") -> None:
    """Log in through the real login form (Indonesian interface)."""
    from tests.conftest import PASSWORD

    code = _recovery_code_if_needed(username)
    page.goto(f"{base_url}/login/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    if code:
        # The role asks for a second factor: answer with a one-time recovery code.
        page.wait_for_url("**/account/2fa/verify/**")
        page.fill("#token", code)
        page.get_by_test_id("otp-submit").click()


def _recovery_code_if_needed(username: str) -> str | None:
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    from spbe.core import twofactor
    from spbe.core.models import User
    from tests.conftest import verified_device

    user = User.objects.get(username=username)
    if not (twofactor.required_by_role(user) or twofactor.is_enrolled(user)):
        return None
    verified_device(user)
    static, _ = StaticDevice.objects.get_or_create(user=user, name="recovery", defaults={"confirmed": True})
    return StaticToken.objects.create(device=static, token=StaticToken.random_token()).token


@pytest.fixture
def levy_site(live_server, settings, world):
    from spbe.levy.banksim import BankSimulator

    sim = BankSimulator("e2e-key", retry_delays=(0.1, 0.2, 0.5))
    url = sim.start()
    settings.LEVY_PROVIDERS = {"banksim": {"base_url": url, "server_key": "e2e-key"}}
    settings.LEVY_INSTITUTION_CODE = world.province.code
    settings.SITE_URL = live_server.url
    from spbe.levy import services

    services.clear_caches()
    yield sim
    sim.stop()
