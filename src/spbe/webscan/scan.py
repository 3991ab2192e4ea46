"""One page, end to end: fetch the variants (or read a file), extract, decide."""

from __future__ import annotations

from urllib.parse import urlsplit

from .detector import SiteContext, Verdict, analyze
from .extract import extract
from .fetch import Fetched


def analyze_html(html: str, url: str = "file:///page.html", context: SiteContext | None = None) -> Verdict:
    return analyze({"browser": extract(html, url)}, context)


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


def analyze_fetched(fetched: dict[str, Fetched], context: SiteContext | None = None) -> Verdict:
    pages, redirects = extract_variants(fetched)
    if not pages:
        return Verdict("clean", 0.0, [], [])
    return analyze(pages, context, redirects)


def analyze_url(url: str, context: SiteContext | None = None, purpose: str = "operator") -> tuple[Verdict, dict[str, Fetched]]:
    """One URL through the crawler's fetch path (four variants, no off-site fetching). By default
    an operator's own request (the command line), which may reach private addresses."""
    from .crawler import crawl

    page = crawl(url, only_urls=[url], interval=0.0, context=context, purpose=purpose).pages[0]
    return page.verdict, page.fetched
