"""One page, end to end: fetch the variants (or read a file), extract, render where the static
view cannot tell, decide."""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

from .detector import SiteContext, Verdict, analyze
from .extract import Carrier, PageFeatures, extract
from .fetch import MOBILE_PROFILES, Fetched
from .normalize import normalize


def extract_variants(fetched: dict[str, Fetched]) -> tuple[dict, dict]:
    """Parsed pages and off-site redirect targets per variant (HTML responses only)."""
    pages, redirects = {}, {}
    for variant, result in fetched.items():
        if result.error:
            continue
        start_host = urlsplit(result.url).hostname
        off_site = result.final_url if urlsplit(result.final_url).hostname != start_host else None
        if off_site is None and not result.is_html:
            continue
        pages[variant] = extract(result.text if result.is_html else "", result.final_url)
        redirects[variant] = off_site
    return pages, redirects


def merge_rendered(static: PageFeatures, html: str, url: str, navigations: list[str], blocked: list[str]) -> PageFeatures:
    """The rendered DOM as this visitor's page, keeping what only the static pass knows: what
    scripts added (text and links) is marked as script-written; refused third-party requests and
    attempted navigations become evidence."""
    from .render import added_text

    rendered = extract(html, url)
    rendered.rendered = True
    known = {link.url for link in static.links}
    for link in rendered.links:
        if link.url not in known:
            link.scripted = True
    added = added_text(static.text, rendered.text)
    rendered.script_text = normalize(" ".join(part for part in (static.script_text, added) if part))
    rendered.scripted_redirects = static.scripted_redirects + [n for n in navigations if n.startswith(("http://", "https://"))]
    rendered.redirects = static.redirects + rendered.redirects
    rendered.blocked_requests = blocked
    for target in blocked:
        rendered.carriers.append(Carrier("script", target, (urlsplit(target).hostname or "").lower()))
    rendered.obfuscated_js = static.obfuscated_js or rendered.obfuscated_js
    rendered.cloaking_js = static.cloaking_js or rendered.cloaking_js
    return rendered


async def render_where_needed(pages: dict[str, PageFeatures], fetched: dict[str, Fetched] | None, renderer,
                              bodies: dict[str, tuple[str, bytes]] | None = None) -> int:
    """Replace each view that ``needs_render`` by its rendered DOM, while the budget lasts.
    Identical bodies for the same kind of visitor are rendered once."""
    if renderer is None:
        return 0
    done: dict[tuple, object] = {}
    rendered_count = 0
    browser = fetched.get("browser") if fetched is not None else None
    for variant, features in list(pages.items()):
        if not features.needs_render:
            continue
        if variant != "browser" and browser is not None and not features.cloaking_js \
                and fetched[variant].body == browser.body and "browser" in pages:
            # Same bytes and no script that looks at the visitor: the browser's rendering stands for it.
            pages[variant] = pages["browser"]
            continue
        if fetched is not None:
            result = fetched[variant]
            url, body, content_type = result.final_url, result.body, result.headers.get("content-type", "text/html")
        else:
            url, body = bodies[variant]
            content_type = "text/html; charset=utf-8"
        key = (hash(body), variant in MOBILE_PROFILES, "referrer" in variant)
        outcome = done.get(key)
        if outcome is None:
            outcome = await renderer.render(url, body, variant, content_type)
            done[key] = outcome
        if outcome is None or outcome.error or not outcome.html:
            continue
        pages[variant] = merge_rendered(features, outcome.html, url, outcome.navigations, outcome.blocked)
        rendered_count += 1
    return rendered_count


SAVED_PAGE_URL = "http://saved-page.invalid/page.html"  # a saved file renders with no network at all


def analyze_html(html: str, url: str = "file:///page.html", context: SiteContext | None = None,
                 render: bool = False) -> Verdict:
    """A saved page as the plain browser sees it; ``render`` opens it in Chromium first when
    its scripts call for it (no network: only the page itself is served)."""
    return next(analyze_documents([(html, url)], context=context, render=render))


def analyze_documents(documents, context: SiteContext | None = None, render: bool | None = False,
                      render_budget: int | None = None):
    """Verdicts for (html, url) pairs, in order, sharing one Chromium (started only if a page
    needs it) — what a batch of saved pages costs is the pages, not one browser each. A pair
    whose html is None (a file that could not be read) yields None in its place."""
    from .render import LazyRenderer

    loop = None  # only pages that need rendering pay for an event loop and a browser
    renderer = LazyRenderer("operator", render, render_budget) if render is not False else None
    try:
        for html, url in documents:
            if html is None:
                yield None
                continue
            pages = {"browser": extract(html, url)}
            if renderer is not None and renderer.enabled and pages["browser"].needs_render:
                loop = loop or asyncio.new_event_loop()
                page_url = url if url.startswith(("http://", "https://")) else SAVED_PAGE_URL
                loop.run_until_complete(render_where_needed(
                    pages, None, renderer, {"browser": (page_url, html.encode("utf-8"))}))
            yield analyze(pages, context)
    finally:
        if loop is not None:
            loop.run_until_complete(renderer.close())
            loop.close()


def analyze_fetched(fetched: dict[str, Fetched], context: SiteContext | None = None) -> Verdict:
    pages, redirects = extract_variants(fetched)
    if not pages:
        return Verdict("clean", 0.0, [], [])
    return analyze(pages, context, redirects)


def analyze_url(url: str, context: SiteContext | None = None, purpose: str = "operator",
                render: bool | None = None) -> tuple[Verdict, dict[str, Fetched]]:
    """One URL through the crawler's fetch path (every visitor profile, no off-site fetching,
    rendering where needed). By default an operator's own request (the command line), which may
    reach private addresses."""
    from .crawler import crawl

    page = crawl(url, only_urls=[url], interval=0.0, context=context, purpose=purpose, render=render).pages[0]
    return page.verdict, page.fetched
