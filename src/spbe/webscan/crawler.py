"""Polite crawler for one registered site: robots.txt, sitemaps, same-host links, one fetch per
visitor profile per page (each with a fresh client: no shared cookies or connections), a
per-host concurrency cap and request interval, conditional requests, and a bounded browser
rendering pass for pages whose scripts write content we could not decode statically.

The plain-browser fetch is conditional (If-None-Match / If-Modified-Since from the last scan):
an unchanged page is not downloaded again for the baseline. The three cloaking variants are
always fetched in full, because cloaked content can sit behind an unchanged ETag.
"""

from __future__ import annotations

import asyncio
import time
import zlib
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from urllib.parse import urldefrag, urljoin, urlsplit

import httpx
from protego import Protego
from selectolax.lexbor import LexborHTMLParser

from spbe.core import outbound

from .detector import SiteContext, Verdict, analyze
from .fetch import MAX_BYTES, MAX_REDIRECTS, PROFILES, Fetched
from .scan import extract_variants, render_where_needed

USER_AGENT_TOKEN = "SPBE-judol-bot"
MAX_SITEMAP_BYTES = 50 * 1024 * 1024  # the sitemap protocol's own limit for one (uncompressed) file
SKIP_EXTENSIONS = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg", ".pdf", ".zip", ".rar", ".mp4", ".mp3",
                   ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".css", ".js", ".ico", ".woff", ".woff2")


@dataclass
class PageResult:
    url: str
    verdict: Verdict
    fetched: dict[str, Fetched]
    not_modified: bool = False

    @property
    def etag(self) -> str:
        return self.fetched["browser"].headers.get("etag", "") if "browser" in self.fetched else ""

    @property
    def last_modified(self) -> str:
        return self.fetched["browser"].headers.get("last-modified", "") if "browser" in self.fetched else ""


@dataclass
class CrawlResult:
    base_url: str
    pages: list[PageResult] = field(default_factory=list)
    sitemap_urls: set[str] = field(default_factory=set)
    linked_urls: set[str] = field(default_factory=set)
    outbound_domains: set[str] = field(default_factory=set)
    verification_tokens: set[str] = field(default_factory=set)
    requests: int = 0
    errors: int = 0
    seconds: float = 0.0
    rendered: int = 0
    render_seconds: float = 0.0


class HostLimiter:
    """At most ``concurrency`` requests in flight and ``interval`` seconds between starts."""

    def __init__(self, concurrency: int, interval: float):
        self.semaphore = asyncio.Semaphore(concurrency)
        self.interval = interval
        self._next_start = 0.0
        self._lock = asyncio.Lock()

    async def __aenter__(self):
        await self.semaphore.acquire()
        if self.interval > 0:
            async with self._lock:
                now = time.monotonic()
                wait = self._next_start - now
                self._next_start = max(now, self._next_start) + self.interval
            if wait > 0:
                await asyncio.sleep(wait)
        return self

    async def __aexit__(self, *exc):
        self.semaphore.release()


def _normalise_url(url: str) -> str:
    return urldefrag(url)[0]


def _same_site(url: str, host: str) -> bool:
    return (urlsplit(url).hostname or "").lower() == host


class ClientFactory:
    """A new guarded client for every fetch: a first-time visitor each time, as cloakers see it.
    Cookies set during one fetch's redirect chain are kept for that chain only."""

    def __init__(self, purpose: str, timeout: float):
        self.purpose, self.timeout = purpose, timeout

    def __call__(self):
        return outbound.async_client(self.purpose, timeout=self.timeout,
                                     headers={"Accept-Encoding": outbound.ACCEPT_ENCODING},
                                     limits=httpx.Limits(max_connections=2, max_keepalive_connections=0))


async def _get(clients: ClientFactory, limiter, url, variant, extra_headers=None) -> Fetched:
    async with clients() as client:
        return await _get_with(client, limiter, url, variant, extra_headers)


async def _get_with(client, limiter, url, variant, extra_headers=None) -> Fetched:
    headers = dict(PROFILES[variant], **(extra_headers or {}))
    chain, current = [url], url
    try:
        for _ in range(MAX_REDIRECTS + 1):
            async with limiter, client.stream("GET", current, headers=headers, follow_redirects=False) as response:
                if response.is_redirect and "location" in response.headers:
                    current = urljoin(current, response.headers["location"])
                    chain.append(current)
                    if not _same_site(current, urlsplit(url).hostname or ""):
                        # Leaving the site: record where it goes, never fetch third-party pages.
                        return Fetched(variant, url, current, response.status_code, dict(response.headers), b"",
                                       chain)
                    continue
                return Fetched(variant, url, current, response.status_code, dict(response.headers),
                               await _read_capped(response), chain)
        return Fetched(variant, url, current, 0, {}, b"", chain, "too many redirects")
    except httpx.HTTPError as exc:
        return Fetched(variant, url, current, 0, {}, b"", chain, f"{type(exc).__name__}: {exc}")


async def _read_capped(response: httpx.Response) -> bytes:
    try:
        body, _cut = await outbound.aread_capped(response, MAX_BYTES)
    except (outbound.TooLarge, zlib.error):
        return b""
    return body


def _sitemap_locs(body: bytes) -> tuple[list[str], list[str]]:
    """(page URLs, nested sitemap URLs) from a sitemap or sitemap index (gzip accepted)."""
    if body[:2] == b"\x1f\x8b":
        try:
            body = outbound.inflate_capped(body, MAX_SITEMAP_BYTES)
        except (outbound.TooLarge, zlib.error):
            return [], []
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        return [], []
    pages, nested = [], []
    for element in root.iter():
        if element.tag.endswith("loc") and element.text:
            parent_is_index = root.tag.endswith("sitemapindex")
            (nested if parent_is_index else pages).append(element.text.strip())
    return pages, nested


def _links(html: str, base: str) -> list[str]:
    tree = LexborHTMLParser(html)
    out = []
    for anchor in tree.css("a[href]"):
        href = (anchor.attributes.get("href") or "").strip()
        if href and not href.startswith(("mailto:", "tel:", "javascript:", "#")):
            out.append(_normalise_url(urljoin(base, href)))
    return out


async def crawl_site(
    base_url: str,
    *,
    max_pages: int = 300,
    concurrency: int = 2,
    interval: float = 0.25,
    conditional: dict[str, dict] | None = None,
    context: SiteContext | None = None,
    only_urls: list[str] | None = None,
    timeout: float = 15.0,
    purpose: str = "webscan",
    render: bool | None = None,
    render_budget: int | None = None,
) -> CrawlResult:
    """Crawl one site (or just ``only_urls`` for a re-check) and analyse every page. ``render``
    (default: when Chromium is available) opens pages whose scripts could not be decoded in a
    headless browser, at most ``render_budget`` of them (``WEBSCAN_RENDER_BUDGET``)."""
    started = time.monotonic()
    host = (urlsplit(base_url).hostname or "").lower()
    result = CrawlResult(base_url=base_url)
    limiter = HostLimiter(concurrency, interval)
    conditional = conditional or {}
    context = context or SiteContext()
    fetched_pages: dict[str, dict[str, Fetched]] = {}
    not_modified: set[str] = set()

    clients = ClientFactory(purpose, timeout)
    robots = Protego.parse("")
    if only_urls is None:
        robots_response = await _get(clients, limiter, urljoin(base_url, "/robots.txt"), "browser")
        result.requests += 1
        if 200 <= robots_response.status < 300:
            robots = Protego.parse(robots_response.text)
        sitemaps = list(robots.sitemaps) or [urljoin(base_url, "/sitemap.xml")]
        seen_sitemaps: set[str] = set()
        while sitemaps and len(seen_sitemaps) < 50:
            sitemap_url = sitemaps.pop()
            if sitemap_url in seen_sitemaps or not _same_site(sitemap_url, host):
                continue
            seen_sitemaps.add(sitemap_url)
            response = await _get(clients, limiter, sitemap_url, "browser")
            result.requests += 1
            if response.status == 200:
                pages, nested = _sitemap_locs(response.body)
                result.sitemap_urls.update(_normalise_url(u) for u in pages if _same_site(u, host))
                sitemaps.extend(nested)
        queue = [_normalise_url(base_url)] + sorted(result.sitemap_urls)
    else:
        queue = [_normalise_url(u) for u in only_urls]
    enqueued = set(queue)

    async def visit(url: str) -> None:
        previous = conditional.get(url, {})
        extra = {}
        if previous.get("etag"):
            extra["If-None-Match"] = previous["etag"]
        if previous.get("last_modified"):
            extra["If-Modified-Since"] = previous["last_modified"]
        browser = await _get(clients, limiter, url, "browser", extra)
        variants = {"browser": browser}
        if browser.status == 304:
            not_modified.add(url)
            # Nothing new for the baseline; cloakers can still hide behind the same ETag.
            browser = await _get(clients, limiter, url, "browser")
            variants["browser"] = browser
        others = await asyncio.gather(*(_get(clients, limiter, url, v) for v in PROFILES if v != "browser"))
        for fetched in others:
            variants[fetched.variant] = fetched
        result.requests += len(variants) + (1 if url in not_modified else 0)
        result.errors += sum(1 for f in variants.values() if f.error)
        fetched_pages[url] = variants
        if only_urls is None and browser.status == 200 and browser.is_html:
            for link in _links(browser.text, browser.final_url):
                if not _same_site(link, host):
                    continue
                result.linked_urls.add(link)
                if (link not in enqueued and len(enqueued) < max_pages and not link.lower().endswith(SKIP_EXTENSIONS)
                        and robots.can_fetch(link, USER_AGENT_TOKEN)):
                    enqueued.add(link)
                    queue.append(link)

    index = 0
    while index < len(queue):
        batch = queue[index : index + concurrency * 4]
        index += len(batch)
        await asyncio.gather(*(visit(url) for url in batch if robots.can_fetch(url, USER_AGENT_TOKEN)))

    linked = result.linked_urls | {_normalise_url(base_url)}
    from .render import LazyRenderer

    renderer = LazyRenderer(purpose, render, render_budget)
    try:
        await _analyse_all(result, fetched_pages, not_modified, linked, context, only_urls, renderer)
    finally:
        await renderer.close()
    result.rendered = renderer.rendered
    result.render_seconds = renderer.seconds
    result.seconds = time.monotonic() - started
    return result


async def _analyse_all(result, fetched_pages, not_modified, linked, context, only_urls, renderer) -> None:
    async def analyse(url, variants):
        page_context = SiteContext(
            known_outbound_domains=context.known_outbound_domains,
            sitemap_urls=result.sitemap_urls,
            linked_urls=linked,
            verification_tokens=context.verification_tokens,
            in_sitemap_only=only_urls is None and url in result.sitemap_urls and url not in linked,
            new_in_sitemap=bool(context.sitemap_urls) and url in result.sitemap_urls and url not in context.sitemap_urls,
        )
        pages, redirects = extract_variants(variants)
        await render_where_needed(pages, variants, renderer)  # the renderer limits how many at once
        verdict = analyze(pages, page_context, redirects) if pages else Verdict("clean", 0.0, [], [])
        return url, variants, pages, verdict

    analysed = await asyncio.gather(*(analyse(url, variants) for url, variants in fetched_pages.items()))
    for url, variants, pages, verdict in analysed:
        result.pages.append(PageResult(url, verdict, variants, url in not_modified))
        if "browser" in pages and variants["browser"].status == 200:
            result.outbound_domains |= pages["browser"].external_domains
            result.verification_tokens |= set(pages["browser"].verification_tokens)


def crawl(base_url: str, **kwargs) -> CrawlResult:
    """Synchronous entry point; works even where the calling thread already runs an event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(crawl_site(base_url, **kwargs))
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(crawl_site(base_url, **kwargs))).result()
