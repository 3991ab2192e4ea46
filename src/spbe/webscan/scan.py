"""One page, end to end: fetch the variants (or read a file), extract, decide."""

from __future__ import annotations

from urllib.parse import urlsplit

from .detector import SiteContext, Verdict, analyze
from .extract import extract
from .fetch import Fetched, fetch_variants, new_client


def analyze_html(html: str, url: str = "file:///page.html", context: SiteContext | None = None) -> Verdict:
    return analyze({"browser": extract(html, url)}, context)


def analyze_fetched(fetched: dict[str, Fetched], context: SiteContext | None = None) -> Verdict:
    pages, redirects = {}, {}
    for variant, result in fetched.items():
        if result.error or not result.is_html:
            continue
        pages[variant] = extract(result.text, result.final_url)
        start_host = urlsplit(result.url).hostname
        redirects[variant] = result.final_url if urlsplit(result.final_url).hostname != start_host else None
    if not pages:
        from .detector import Verdict as _Verdict

        return _Verdict("clean", 0.0, [], [])
    return analyze(pages, context, redirects)


def analyze_url(url: str, context: SiteContext | None = None) -> tuple[Verdict, dict[str, Fetched]]:
    with new_client() as client:
        fetched = fetch_variants(client, url)
    return analyze_fetched(fetched, context), fetched
