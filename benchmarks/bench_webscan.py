"""Judol scanner throughput.

* Analysis: full verdicts per second on one core for typical OPD pages (~75 KB, like the
  research measurement), against a baseline measured in the same run: selectolax parse +
  whole-body text, the least any full-DOM detector must do.
* Crawl: pages per second through the loopback cloaking server (five fetches per page, a fresh
  client each), against plain sequential-per-site GETs of the same URLs (no variants, no analysis).
* Rendering: pages per second through headless Chromium for pages whose scripts write content,
  against the static analysis of the same pages; and a crawl of the hand-written OPD-CMS site
  (every page has a script-written widget) with rendering on against the same crawl with it off.
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


def _rendering() -> dict:
    from benchmarks.webscan.independent import records
    from benchmarks.webscan.server import CorpusServers
    from spbe.webscan import render
    from spbe.webscan.crawler import crawl
    from spbe.webscan.extract import extract
    from spbe.webscan.scan import analyze_html

    if not render.available():
        return {"rendering": "Chromium not installed: not measured"}
    independent = records()
    scripted = [r for r in independent if extract(r["html"], "http://x/").needs_render]
    pages = [(f"http://127.0.0.1:9/{r['path']}", r["html"].encode()) for r in scripted][:20]

    async def render_all():
        async with render.Renderer(purpose="operator", budget=len(pages)) as renderer:
            started = time.perf_counter()
            for url, body in pages:
                await renderer.render(url, body)
            return time.perf_counter() - started

    render_seconds = asyncio.run(render_all())
    static_rate = _rate(lambda page: analyze_html(page[1].decode(), page[0]), pages, seconds=1.0)
    opd = [r for r in independent if r["site"] == "independent-opd"]
    timings = {}
    with CorpusServers(opd) as servers:
        base = servers.urls["independent-opd"]
        for mode in (False, True):
            started = time.perf_counter()
            result = crawl(base, max_pages=1000, concurrency=6, interval=0.0, purpose="operator", render=mode,
                           render_budget=1000)
            timings[mode] = (len(result.pages), time.perf_counter() - started, result.rendered)
    rendered_rate = len(pages) / render_seconds
    return {
        "rendered_pages": len(pages),
        "rendered_pages_per_s": round(rendered_rate, 2),
        "rendered_vs_static_analysis": round(rendered_rate / static_rate, 4),
        "crawl_rendering_on_pages_per_s": round(timings[True][0] / timings[True][1], 1),
        "crawl_rendering_on_rendered_views": timings[True][2],
        "crawl_rendering_off_pages_per_s": round(timings[False][0] / timings[False][1], 1),
        "crawl_rendering_on_vs_off": round((timings[True][0] / timings[True][1]) / (timings[False][0] / timings[False][1]), 3),
    }


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
    rendering = _rendering()
    return {
        **rendering,
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
