"""Injections as they are found in the wild: decoded scripts, a real Chromium for what static
decoding cannot follow, carriers, single hidden links, fetch identities, the batch command, and
the hand-written corpus measured apart from the generated one."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from spbe.webscan import jsdecode, render
from spbe.webscan.lexicon import gambling_url_words
from spbe.webscan.normalize import normalize
from spbe.webscan.scan import analyze_html, analyze_url

pytestmark = pytest.mark.db_independent  # pure analysis: the database leg of CI skips it

PAGE = "<html><head><title>Dinas Kesehatan</title>{head}</head><body><main><h1>Jadwal Posyandu</h1>" \
       "<p>Posyandu buka setiap Selasa di balai banjar. Bawa buku KIA.</p>{body}</main></body></html>"
LINK = '<a href="https://gacor77.xyz/">slot gacor maxwin</a>'


def page(body: str = "", head: str = "") -> str:
    return PAGE.format(body=body, head=head)


# --- static script decoding -------------------------------------------------------------------

@pytest.mark.parametrize("script", [
    f"document.write(atob('{base64.b64encode(LINK.encode()).decode()}'))",
    "document.write(String.fromCharCode(" + ",".join(str(ord(c)) for c in LINK) + "))",
    "document.write('" + "".join(f"\\x{ord(c):02x}" for c in LINK) + "')",
    f"var s = '{LINK[::-1]}'; document.body.innerHTML += s.split('').reverse().join('');",
    "var a='<a href=\"https://gac', b='or77.xyz/\">slot ', c='gacor maxwin</a>'; el.insertAdjacentHTML('beforeend', a+b+c);",
    f"eval(atob('{base64.b64encode(('document.write(' + json.dumps(LINK) + ')').encode()).decode()}'))",
    "document.write(unescape('" + "".join(f"%{ord(c):02X}" for c in LINK) + "'))",
])
def test_obfuscated_writes_are_decoded_without_a_browser(script):
    decoded = jsdecode.decode_script(script)
    assert any("gacor77.xyz" in text for text in decoded.written), decoded
    verdict = analyze_html(page(f"<script>{script}</script>"), "https://dinkes.example.go.id/jadwal")
    assert verdict.verdict == "infected"
    assert "script_injection" in verdict.techniques


def test_a_redirect_built_from_pieces_is_a_navigation():
    decoded = jsdecode.decode_script(
        'var p = "htt" + "ps://", h = "lapak" + "togel88" + ".com/"; '
        'if (document.referrer.indexOf("google") > -1) { window.location.href = p + h; }')
    assert decoded.navigations == ["https://lapaktogel88.com/"]


def test_a_large_harmless_script_decodes_in_linear_time():
    """Assignments are evaluated lazily: a vendored library must not tokenize itself once per `=`."""
    library = "var x0 = 1;\n" + "\n".join(f"var v{i} = 'label {i}'; obj.k{i} = function(a) {{ return a + {i}; }};"
                                          for i in range(3000))
    decoded = jsdecode.decode_script(library + "\ndocument.title = v12;")
    assert decoded.written == [] or all("gacor" not in w for w in decoded.written)


# --- carriers and single links ------------------------------------------------------------------

@pytest.mark.parametrize("head, body, technique", [
    ('<link rel="canonical" href="https://situstotomacau.io/">', "", "head_hijack"),
    ('<link rel="alternate" hreflang="id" href="https://gacor138.pro/id/">', "", "head_hijack"),
    ('<link rel="amphtml" href="https://amp-slot88.click/p">', "", "head_hijack"),
    ("", '<iframe src="https://rtpslotlive.live/" width="1" height="1"></iframe>', "frame_injection"),
    ("", '<object data="https://togelonline88.me/b.html" width="0" height="0"></object>', "frame_injection"),
    ("", '<div style="position:absolute;left:-9999px"><a href="https://mpo777vip.com/">mpo777</a></div>', "hidden_links"),
    ("", '<noscript><a href="https://agen-slot-online.bet/">agen terpercaya</a></noscript>', "hidden_links"),
    ("", '<a href="https://scatterhitam.xyz/"><img src="/p.gif" width="1" height="1" alt=""></a>', "hidden_links"),
])
def test_one_carrier_or_one_hidden_link_is_enough(head, body, technique):
    verdict = analyze_html(page(body, head), "https://dinkes.example.go.id/jadwal")
    assert verdict.verdict == "infected", verdict.signals
    assert technique in verdict.techniques


@pytest.mark.parametrize("head, body", [
    ('<link rel="canonical" href="https://dinkes.example.go.id/jadwal">', ""),
    ('<link rel="alternate" hreflang="en" href="https://en.example.go.id/schedule">', ""),
    ("", '<iframe src="https://www.youtube.com/embed/abc" width="560" height="315" title="Senam sehat"></iframe>'),
    ("", '<a href="https://www.antaranews.com/berita/satgas-judi-online">Satgas berantas 5.000 situs judi online</a>'),
])
def test_ordinary_carriers_and_news_links_are_clean(head, body):
    assert analyze_html(page(body, head), "https://dinkes.example.go.id/jadwal").verdict == "clean"


def test_hidden_content_that_explains_judol_is_not_an_injection():
    glossary = ('<div id="tab-1" style="display:none"><dl><dt>Slot gacor</dt><dd>Klaim promotor bahwa mesin sedang '
                'mudah menang; istilah untuk menjerat korban.</dd><dt>Maxwin</dt><dd>Kemenangan maksimal yang '
                'dijanjikan iklan.</dd><dt>Deposit pulsa</dt><dd>Modus agar anak-anak ikut berjudi. Laporkan ke '
                'aduankonten.id.</dd></dl></div>')
    appendix = ('<details><summary>Lampiran: contoh teks promosi yang dianalisis</summary><ol><li>"Slot gacor hari '
                'ini, modal 10rb auto maxwin!" (responden 12)</li><li>"Daftar sekarang bonus new member 100%" '
                '(responden 31)</li></ol></details><p>Penelitian ini menganalisis wacana iklan judi online.</p>')
    for body in (glossary, appendix):
        verdict = analyze_html(page(body), "https://unud.example.ac.id/artikel")
        assert verdict.verdict == "clean", (body[:40], verdict.signals)


@pytest.mark.parametrize("text", ["Ślòt gâcör hàri ìni", "ѕlоt gасоr", "𝐒𝐋𝐎𝐓 𝐆𝐀𝐂𝐎𝐑", "s.l.o.t g.a.c.o.r"])
def test_unicode_tricks_fold_to_plain_words(text):
    assert "slot gacor" in normalize(text)


@pytest.mark.parametrize("address, gambling", [
    ("situstotomacau.io", True), ("bandarbolajitu.net", True), ("gacor77.xyz", True), ("agen-resmi.bet", True),
    ("fototoko.com", False), ("agendabola.id", False), ("judicialreview.org", False), ("slot-pendaftaran.go.id", False),
])
def test_brand_domains_are_recognised_without_flagging_ordinary_ones(address, gambling):
    assert bool(gambling_url_words(address)) is gambling


# --- fetch identities against a server that keeps count ----------------------------------------

class _Recorder(BaseHTTPRequestHandler):
    """Cloaks two ways: Googlebot Smartphone gets promotion; a visitor from Google is redirected
    once and then remembered by cookie (any earlier visit sets the cookie)."""

    protocol_version = "HTTP/1.1"
    seen: list = []

    def log_message(self, *args):
        pass

    def do_GET(self):  # noqa: N802
        ua, cookie, referer = self.headers.get("User-Agent", ""), self.headers.get("Cookie", ""), self.headers.get("Referer", "")
        self.seen.append({"ua": ua, "cookie": cookie, "referer": referer, "path": self.path})
        if self.path == "/once" and "google." in referer and "vst=1" not in cookie:
            self.send_response(302)
            self.send_header("Location", "https://maxwin777.net/landing")
            self.send_header("Set-Cookie", "vst=1; Path=/")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = page()
        if self.path == "/mobile" and "Googlebot" in ua and "Mobile" in ua:
            body = page("<p>Situs slot gacor gampang maxwin, daftar slot deposit pulsa tanpa potongan, bonus new "
                        "member 100 persen.</p>")
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Set-Cookie", "vst=1; Path=/")
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def recorder():
    handler = type("Recorder", (_Recorder,), {"seen": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", handler.seen
    server.shutdown()
    server.server_close()


def test_every_visitor_profile_fetches_with_a_fresh_client(recorder):
    base, seen = recorder
    verdict, fetched = analyze_url(f"{base}/once", render=False)
    assert verdict.verdict == "infected" and "cloaking" in verdict.techniques
    assert {"browser", "googlebot", "googlebot_smartphone", "google_referrer", "mobile_google_referrer"} <= set(fetched)
    # The server set a cookie on every response; no fetch ever sent one back.
    assert seen and all(request["cookie"] == "" for request in seen)
    googlebots = [r for r in seen if "Googlebot" in r["ua"]]
    assert any("Mobile" in r["ua"] for r in googlebots) and any("Mobile" not in r["ua"] for r in googlebots)


def test_cloaking_for_the_smartphone_googlebot_only_is_found(recorder):
    base, _ = recorder
    verdict, _ = analyze_url(f"{base}/mobile", render=False)
    assert verdict.verdict == "infected"
    assert any(s.variant == "googlebot_smartphone" and s.name == "cloaked_content" for s in verdict.signals)


# --- a real Chromium for what static decoding cannot follow --------------------------------------

needs_chromium = pytest.mark.skipif(not render.available(), reason="Chromium is not installed")


class _Site(BaseHTTPRequestHandler):
    """The injection arrives as JSON from the site's own host and is written by a script that
    static decoding cannot evaluate; a third-party tracker is requested too."""

    protocol_version = "HTTP/1.1"
    PAGES = {
        "/": page('<div id="box"></div><script>fetch("/wp-json/cache.json").then(r => r.json()).then(d => {'
                  ' const box = document.getElementById("box"); box.style.display = "none"; box.innerHTML = d.html; });'
                  '</script><script src="https://stats.slot88-cdn.top/t.js"></script>'),
        "/wp-json/cache.json": json.dumps({"html": "<a href='https://gacor-mobile88.com/'>slot gacor maxwin</a> "
                                                   "<a href='https://togel-resmi.org/'>bandar togel</a>"}),
        "/clean": page('<span id="year"></span><script>fetch("/y.json").then(r => r.json()).then(d => {'
                       ' document.getElementById("year").textContent = "Hak cipta " + d.year; });</script>'),
        "/y.json": json.dumps({"year": 2026}),
    }

    def log_message(self, *args):
        pass

    def do_GET(self):  # noqa: N802
        body = self.PAGES.get(self.path)
        data = (body or "not found").encode()
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", "application/json" if self.path.endswith(".json") else "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def scripted_site():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@needs_chromium
def test_script_written_links_are_found_in_the_rendered_dom(scripted_site):
    static, _ = analyze_url(f"{scripted_site}/", render=False)
    rendered, _ = analyze_url(f"{scripted_site}/", render=True)
    assert not any("script-written" in s.detail for s in static.signals)  # the links come from JSON
    assert rendered.verdict == "infected"
    assert any("script-written" in s.detail for s in rendered.signals)
    # the third-party script was refused, and its gambling address is evidence
    assert any(s.name == "gambling_script" for s in rendered.signals)


@needs_chromium
def test_a_harmless_script_written_page_stays_clean_when_rendered(scripted_site):
    verdict, _ = analyze_url(f"{scripted_site}/clean", render=True)
    assert verdict.verdict == "clean"


# --- the batch command -------------------------------------------------------------------------

def _command(*args):
    command = Path(sys.executable).with_name("spbe")  # the installed console script, as an operator runs it
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="spbe.config.settings", LOG_LEVEL="WARNING")
    return subprocess.run([str(command), "webscan_page", *args], capture_output=True, text=True, timeout=120, env=env)


def test_batch_prints_one_json_line_per_page_and_goes_on_after_errors(tmp_path):
    (tmp_path / "site" / "berita").mkdir(parents=True)
    (tmp_path / "site" / "index.html").write_text(page(), encoding="utf-8")
    (tmp_path / "site" / "berita" / "a.htm").write_text(page(f'<div hidden>{LINK}</div>'), encoding="utf-8")
    (tmp_path / "site" / "notes.txt").write_text("not a page", encoding="utf-8")
    single = tmp_path / "one.html"
    single.write_text(page(), encoding="utf-8")

    batch = _command(str(tmp_path / "site"), str(tmp_path / "missing.html"), str(single), "--format", "json",
                     "--no-render")
    lines = [json.loads(line) for line in batch.stdout.splitlines()]
    assert lines, batch.stderr[-2000:]
    assert [line["target"] for line in lines] == [str(tmp_path / "site" / "berita" / "a.htm"),
                                                  str(tmp_path / "site" / "index.html"),
                                                  str(tmp_path / "missing.html"), str(single)]
    assert [line.get("verdict") for line in lines] == ["infected", "clean", None, "clean"]
    assert "error" in lines[2]
    assert batch.returncode == 2

    one = _command(str(single), "--format", "json")
    assert one.returncode == 0
    assert set(json.loads(one.stdout)) == {"verdict", "score", "techniques", "signals"}  # unchanged contract


# --- the hand-written corpus, reported apart from the generated one -----------------------------

def test_independent_corpus_meets_targets():
    from benchmarks.webscan.evaluate import run

    report = run(concurrency=6, corpus="independent")
    assert not report["missing"]
    overall = report["overall"]
    assert overall["recall"] >= 0.95, report["errors"]
    assert overall["precision"] >= 0.98, report["errors"]
    assert overall["false_alerts_per_1000_clean"] == 0 and overall["false_alerts_per_1000_hard_negatives"] <= 10
    assert {"cloaking_smartphone", "cloaking_redirect_once", "js_obfuscated", "link_hijack"} <= set(report["techniques"])
