"""The Content-Security-Policy is really enforced by the browser (so the watcher that fails
every browser test on a violation is watching something real)."""

from __future__ import annotations

import pytest

from . import conftest


@pytest.mark.django_db(transaction=True)
def test_an_injected_inline_script_does_not_run(live_server, page):
    response = page.goto(f"{live_server.url}/")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    page.evaluate("""() => { const s = document.createElement('script'); s.textContent = 'window.injected = 1';
                             document.body.appendChild(s); }""")
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.injected") is None
    assert any("Content Security Policy" in v for v in conftest.CSP_VIOLATIONS)
    conftest.CSP_VIOLATIONS.clear()  # expected here; every other browser test must see none


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", ["/api/v1/docs", "/admin/login/", "/lovebali/", "/lovebali/pay/", "/tte/verify/", "/lovebali/chat/"])
def test_pages_with_their_own_scripts_keep_to_the_policy(live_server, page, path):
    response = page.goto(f"{live_server.url}{path}")
    assert response.status == 200
    page.wait_for_load_state("networkidle")
    assert not conftest.CSP_VIOLATIONS, conftest.CSP_VIOLATIONS
