"""Judol scanner throughput.

* Analysis: full verdicts per second on one core for typical OPD pages (~75 KB, like the
  research measurement), against a baseline measured in the same run: selectolax parse +
  whole-body text, the least any full-DOM detector must do.
* Crawl: pages per second through the loopback cloaking server (four fetches per page),
  against plain sequential-per-site GETs of the same URLs (no variants, no analysis).
"""

from __future__ import annotations

import asyncio
import time


def _typical(html: str, k: int) -> str:
    """Pad a corpus page with the boilerplate real CMS pages carry (menus, cards, CSS, JS)."""
    menu = "".join(f'<li class="menu-item"><a href="/kategori/{i}">Kategori layanan {i}</a></li>' for i in range(120))
    cards = "".join(
        f'<article class="card"><img src="/wp-content/uploads/2026/{i % 12 + 1}/foto-{i}.jpg" alt="Kegiatan {i}">'
        f'<h3><a href="/berita/{k}-{i}">Kegiatan perangkat daerah nomor {i}</a></h3>'
        f"<p>Pemerintah Provinsi Bali menyelenggarakan kegiatan pelayanan publik ke-{i} bersama masyarakat.</p>"
        "</article>" for i in range(60))
    css = "<style>" + "".join(f".c{i}{{margin:{i % 7}px;padding:{i % 5}px;color:#{i:06x}}}" for i in range(900)) + "</style>"
    js = "<script>" + "".join(f"var v{i}=document.querySelectorAll('.c{i}');" for i in range(400)) + "</script>"
    return html.replace("</head>", css + js + "</head>").replace("<nav>", f"<nav><ul>{menu}</ul>").replace(
        "</main>", f"<section>{cards}</section></main>")


def _rate(fn, items, seconds: float = 3.0) -> float:
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for item in items:
            fn(item)
            done += 1
    return done / (time.perf_counter() - start)


def run() -> dict:
    from selectolax.lexbor import LexborHTMLParser

    from benchmarks.webscan.server import CorpusServers, load_corpus
    from spbe.webscan.crawler import crawl_site
    from spbe.webscan.scan import analyze_html

    records = load_corpus()
    sample = [r for r in records if r["kind"] in ("clean", "hard_negative")][:60] + \
             [r for r in records if r["kind"] == "injected"][:20]
    pages = [_typical(r["html"], k) for k, r in enumerate(sample)]
    average_kb = sum(len(p) for p in pages) / len(pages) / 1024

    def baseline(html):
        tree = LexborHTMLParser(html)
        return tree.body.text(separator=" ")

    def analysis(html):
        return analyze_html(html, "https://dinas.baliprov.go.id/berita")

    base_rate = _rate(baseline, pages)
    analysis_rate = _rate(analysis, pages)

    async def plain_fetch(urls):
        import httpx

        async with httpx.AsyncClient() as client:
            for url in urls:
                await client.get(url)

    with CorpusServers() as servers:
        sites = list(servers.urls.items())[:8]
        started = time.perf_counter()

        async def crawl_all():
            return await asyncio.gather(*(crawl_site(base, max_pages=1000, concurrency=2, interval=0.0, purpose="operator")
                                          for _, base in sites))

        results = asyncio.run(crawl_all())
        crawl_seconds = time.perf_counter() - started
        crawled = sum(len(r.pages) for r in results)
        requests = sum(r.requests for r in results)
        urls = [p.url for r in results for p in r.pages]
        started = time.perf_counter()
        asyncio.run(plain_fetch(urls))
        plain_seconds = time.perf_counter() - started
    return {
        "typical_page_kb": round(average_kb, 1),
        "baseline_parse_text_pages_per_s": round(base_rate),
        "analysis_pages_per_s_one_core": round(analysis_rate),
        "analysis_vs_parse_baseline": round(analysis_rate / base_rate, 3),
        "analysis_target_300_met": analysis_rate >= 300,
        "crawl_sites": len(sites),
        "crawl_pages": crawled,
        "crawl_requests": requests,
        "crawl_pages_per_s": round(crawled / crawl_seconds, 1),
        "crawl_requests_per_s": round(requests / crawl_seconds, 1),
        "plain_get_pages_per_s": round(len(urls) / plain_seconds, 1),
        "crawl_vs_plain_get": round((crawled / crawl_seconds) / (len(urls) / plain_seconds), 3),
    }
