"""The rendered view: a page whose scripts write content or navigate in ways the static decoder
could not follow is opened in headless Chromium (Playwright driving Debian's chromium, as the
browser tests do), as the same visitor profile fetched it.

* The document is the body already fetched for that profile (the cloaked variant itself, no
  second request); the page's own host serves its scripts and styles through the outbound guard
  (``core.outbound``); every third-party request is refused and recorded as evidence — a
  rendered page never calls an outside server.
* Bounded: a time limit per page, a JS heap limit, one page at a time, and a rendering budget
  per scan (``WEBSCAN_RENDER_BUDGET``).
* After load (and a short wait for timers) every element the browser lays out as invisible
  (display/visibility/opacity, zero size, off-screen, transparent or zero-size text) is marked
  ``data-spbe-hidden``; the final DOM, the navigations it attempted and the refused requests go
  back to ``extract`` as that profile's page.

No Chromium installed: rendering is skipped (logged once) and the static view stands.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import shutil
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings

from .fetch import MOBILE_PROFILES, PROFILES

logger = logging.getLogger("spbe.webscan")

CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-extensions", "--mute-audio", "--js-flags=--max-old-space-size=192"]
MAX_SUBRESOURCE = 2 * 1024 * 1024
_NOT_NEEDED = {"image", "media", "font", "manifest", "texttrack", "beacon", "ping"}
SETTLE_MS = 2500  # timers that write content a moment after load: wait at most this long...
QUIET_MS = 150  # ...and stop once the DOM has been still this long with no short timer pending

# Counts timers due within SETTLE_MS, so a script that writes its links after a second is waited for.
_COUNT_TIMERS = """(() => {
  const original = window.setTimeout, most = %d;
  window.__spbePendingTimers = 0;
  window.setTimeout = function (callback, delay, ...rest) {
    if (typeof callback !== 'function' || !(Number(delay) <= most)) return original.call(window, callback, delay, ...rest);
    window.__spbePendingTimers++;
    return original.call(window, function () {
      window.__spbePendingTimers--;
      return callback.apply(this, arguments);
    }, delay, ...rest);
  };
})();""" % SETTLE_MS

_SETTLE = """([quiet, most]) => new Promise(resolve => {
  const started = performance.now();
  let changed = performance.now();
  const observer = new MutationObserver(() => { changed = performance.now(); });
  observer.observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
  const check = () => {
    const now = performance.now();
    const still = now - changed >= quiet && !(window.__spbePendingTimers > 0);
    if (still || now - started >= most) { observer.disconnect(); resolve(); } else { requestAnimationFrame(check); }
  };
  requestAnimationFrame(check);
})"""

_MARK_HIDDEN = """() => {
  const vw = window.innerWidth, vh = window.innerHeight;
  let marked = 0;
  for (const el of document.querySelectorAll('body *')) {
    if (el.closest('[data-spbe-hidden]')) continue;
    const tag = el.tagName;
    if (tag === 'SCRIPT' || tag === 'STYLE' || tag === 'NOSCRIPT' || tag === 'TEMPLATE') continue;
    const text = (el.textContent || '').trim();
    const interesting = text.length > 0 || tag === 'A' || tag === 'IFRAME' || tag === 'IMG';
    if (!interesting) continue;
    const s = getComputedStyle(el);
    const r = el.getBoundingClientRect();
    const hidden = s.display === 'none' || s.visibility === 'hidden' || parseFloat(s.opacity) === 0
      || (r.width <= 1 && r.height <= 1) || r.right < 0 || r.bottom < -vh || r.left > vw * 4
      || parseFloat(s.fontSize) === 0 || s.color === 'rgba(0, 0, 0, 0)' || s.color === 'transparent'
      || (s.clip && s.clip.startsWith('rect(0'));
    if (hidden) { el.setAttribute('data-spbe-hidden', '1'); marked++; }
  }
  return marked;
}"""


@dataclass
class Rendered:
    html: str
    final_url: str
    navigations: list[str] = field(default_factory=list)  # off-site navigations the page attempted
    blocked: list[str] = field(default_factory=list)  # third-party requests refused
    seconds: float = 0.0
    error: str = ""


def chromium_path() -> str:
    configured = getattr(settings, "WEBSCAN_CHROMIUM", "") or os.environ.get("SPBE_CHROMIUM", "")
    for candidate in (configured, "/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if candidate and (os.path.exists(candidate) or shutil.which(candidate)):
            return candidate
    return ""


_WARNED = False


def available() -> bool:
    global _WARNED
    if not getattr(settings, "WEBSCAN_RENDER", True):
        return False
    if chromium_path():
        try:
            import playwright  # noqa: F401
        except ImportError:
            pass
        else:
            return True
    if not _WARNED:
        logger.warning("webscan: no Chromium/Playwright here; pages are analysed without rendering")
        _WARNED = True
    return False


class Renderer:
    """One headless Chromium for a scan; ``render`` opens one page in a fresh context."""

    def __init__(self, *, purpose: str = "webscan", budget: int | None = None, timeout: float | None = None):
        self.purpose = purpose
        self.budget = getattr(settings, "WEBSCAN_RENDER_BUDGET", 30) if budget is None else budget
        self.timeout = getattr(settings, "WEBSCAN_RENDER_TIMEOUT", 8.0) if timeout is None else timeout
        self.used = 0
        # A few pages at once: most of a render is waiting for timers, not CPU.
        self._lock = asyncio.Semaphore(max(1, getattr(settings, "WEBSCAN_RENDER_CONCURRENCY", 2)))
        self._playwright = self._browser = None

    async def __aenter__(self) -> Renderer:
        from playwright.async_api import async_playwright

        self._playwright = await async_playwright().start()
        self._browser = await self._playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS,
                                                               headless=True)
        return self

    async def __aexit__(self, *exc) -> None:
        if self._browser is not None:
            await self._browser.close()
        if self._playwright is not None:
            await self._playwright.stop()

    @property
    def exhausted(self) -> bool:
        return self.used >= self.budget

    async def render(self, url: str, body: bytes, variant: str = "browser", content_type: str = "text/html") -> Rendered | None:
        """``body`` as the document at ``url``, seen by ``variant``; None once the budget is spent."""
        async with self._lock:
            if self.exhausted:
                return None
            self.used += 1
            loop = asyncio.get_running_loop()
            started = loop.time()
            try:
                result = await asyncio.wait_for(self._render(url, body, variant, content_type), self.timeout + 4)
            except (TimeoutError, asyncio.TimeoutError) as exc:
                result = Rendered("", url, error=f"timed out: {exc.__class__.__name__}")
            except Exception as exc:  # noqa: BLE001 - a page that crashes the renderer is analysed statically
                logger.info("render of %s failed: %s", url, exc)
                result = Rendered("", url, error=exc.__class__.__name__)
            result.seconds = loop.time() - started
            return result

    async def _render(self, url: str, body: bytes, variant: str, content_type: str) -> Rendered:
        from spbe.core import outbound

        headers = dict(PROFILES.get(variant, PROFILES["browser"]))
        user_agent = headers.pop("User-Agent")
        mobile = variant in MOBILE_PROFILES
        context = await self._browser.new_context(
            user_agent=user_agent, viewport={"width": 412, "height": 915} if mobile else {"width": 1366, "height": 900},
            is_mobile=mobile, has_touch=mobile, java_script_enabled=True, service_workers="block",
            extra_http_headers={k: v for k, v in headers.items() if k.lower() in ("referer", "accept-language")},
            locale="id-ID")
        host = (urlsplit(url).hostname or "").lower()
        blocked: list[str] = []
        navigations: list[str] = []
        served_document = False

        async def route(route_request):
            nonlocal served_document
            request = route_request.request
            target = request.url
            if not served_document and request.is_navigation_request() and target.split("#")[0] == url.split("#")[0]:
                served_document = True
                await route_request.fulfill(status=200, body=body, headers={"Content-Type": content_type})
                return
            target_host = (urlsplit(target).hostname or "").lower()
            if target.startswith("data:"):
                await route_request.continue_()
                return
            if request.resource_type in _NOT_NEEDED:
                await route_request.abort("blockedbyclient")  # pixels and fonts change no text or link
                return
            if target_host != host or not target.startswith(("http://", "https://")):
                (navigations if request.is_navigation_request() and request.frame == page.main_frame else blocked).append(target)
                await route_request.abort("blockedbyclient")
                return
            if request.is_navigation_request() and request.frame == page.main_frame:
                navigations.append(target)  # same-site navigation: recorded, not followed
                await route_request.abort("blockedbyclient")
                return
            try:
                async with outbound.async_client(self.purpose, timeout=5) as client:
                    response = await client.get(target, headers={"User-Agent": user_agent})
                    data = response.content[:MAX_SUBRESOURCE]
                await route_request.fulfill(status=response.status_code, body=data,
                                            headers={"Content-Type": response.headers.get("content-type", "application/octet-stream")})
            except Exception:  # noqa: BLE001 - an unreachable subresource is just missing
                await route_request.abort("failed")

        loop = asyncio.get_running_loop()
        started = loop.time()
        timings = {}
        await context.add_init_script(_COUNT_TIMERS)
        page = await context.new_page()
        timings["page"] = loop.time() - started
        try:
            await page.route("**/*", route)
            try:
                await page.goto(url, wait_until="load", timeout=self.timeout * 1000)
            except Exception as exc:  # noqa: BLE001 - a navigation away aborts goto; the DOM still counts
                if not navigations:
                    raise exc
            timings["load"] = loop.time() - started
            try:
                await page.evaluate(_SETTLE, [QUIET_MS, SETTLE_MS])
            except Exception:  # noqa: BLE001 - navigated away while settling; the DOM still counts
                await page.wait_for_timeout(100)
            timings["settle"] = loop.time() - started
            try:
                await page.evaluate(_MARK_HIDDEN)
                html = await page.content()
            except Exception:  # noqa: BLE001 - the page navigated away while we looked
                html = ""
            timings["content"] = loop.time() - started
            logger.debug("rendered %s: %s", url, timings)
            return Rendered(html, page.url, navigations, blocked)
        finally:
            await context.close()


class LazyRenderer:
    """Starts Chromium only when the first page needs it; ``render`` is None when rendering is
    off or Chromium is missing."""

    def __init__(self, purpose: str, render: bool | None = None, budget: int | None = None):
        self.enabled = available() if render is None else (render and available())
        self.purpose, self.budget = purpose, budget
        self._renderer = None
        self._starting = asyncio.Lock()  # pages analysed concurrently must share one browser
        self.rendered, self.seconds = 0, 0.0

    async def render(self, url, body, variant="browser", content_type="text/html"):
        if not self.enabled:
            return None
        async with self._starting:
            if self._renderer is None:
                self._renderer = await Renderer(purpose=self.purpose, budget=self.budget).__aenter__()
        outcome = await self._renderer.render(url, body, variant, content_type)
        if outcome is not None:
            self.rendered += 1
            self.seconds += outcome.seconds
        return outcome

    async def close(self):
        if self._renderer is not None:
            await self._renderer.__aexit__(None, None, None)
            self._renderer = None


_WORD = re.compile(r"\S+")


def added_text(static_text: str, rendered_text: str, window: int = 5) -> str:
    """Runs of the rendered text that the static page does not contain: what scripts wrote."""
    static_words = static_text.split()
    known = {" ".join(static_words[i:i + window]) for i in range(max(1, len(static_words) - window + 1))}
    words = rendered_text.split()
    new = [False] * len(words)
    for i in range(max(0, len(words) - window + 1)):
        if " ".join(words[i:i + window]) not in known:
            for j in range(i, i + window):
                new[j] = True
    runs, current = [], []
    for word, is_new in zip(words, new, strict=True):
        if is_new:
            current.append(word)
        elif current:
            runs.append(" ".join(current))
            current = []
    if current:
        runs.append(" ".join(current))
    return " … ".join(runs)
