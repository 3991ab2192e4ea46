"""Normalisation, extraction and the correlation-gated verdict, on hand-written pages."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from spbe.webscan import lexicon
from spbe.webscan.extract import extract
from spbe.webscan.normalize import normalize
from spbe.webscan.scan import analyze_html

pytestmark = pytest.mark.db_independent  # pure analysis: the database leg of CI skips it

PAGE = ("<html><head><title>Dinas Kesehatan</title>{head}</head><body><main><h1>Berita</h1>"
        "<p>Vaksinasi gratis dibuka di seluruh puskesmas Provinsi Bali.</p>{main}</main>{extra}</body></html>")


def page(main="", extra="", head=""):
    return PAGE.format(main=main, extra=extra, head=head)


@pytest.mark.parametrize(
    "text",
    ["𝘀𝗹𝗼𝘁 𝗴𝗮𝗰𝗼𝗿", "ｓｌｏｔ ｇａｃｏｒ", "sl\u200bo\u200bt ga\u200bcor", "slоt gасоr", "s.l.o.t g.a.c.o.r", "5L0T G4C0R",
     "s-l-o-t g-a-c-o-r", "SLOT   GACOR"],
)
def test_obfuscations_normalise_to_the_lexicon(text):
    assert "slot gacor" in {hit.term for hit in lexicon.find(normalize(text))}


@pytest.mark.parametrize("text", ["slot waktu konsultasi", "bonus demografi", "Toto Wirawan juara", "sepak bola",
                                  "tahun 2024 dan 2025", "jackpot sesungguhnya adalah SDM"])
def test_innocent_words_stay_weak(text):
    assert lexicon.score(lexicon.find(normalize(text))) < 3


def test_extract_sees_hidden_blocks_alt_text_and_redirects():
    html = page(
        extra=('<style>.x{display:none}</style><div class="x"><a href="https://naga303.site/">slot gacor</a></div>'
               '<div style="position:absolute;left:-9999px"><a href="https://dewa99.bet/"><img alt="situs toto"></a></div>'),
        head='<meta http-equiv="refresh" content="0;url=https://kilat77.xyz/">'
             '<script>if(document.referrer.indexOf("google")>-1){location.replace("https://raja168.vip/")}</script>',
    )
    features = extract(html, "https://diskes.baliprov.go.id/berita")
    assert "slot gacor" in features.hidden_text and "situs toto" in features.hidden_text
    assert {"naga303.site", "dewa99.bet"} <= features.external_domains
    assert all(link.hidden for link in features.links if link.external)
    assert "https://kilat77.xyz/" in features.redirects and "https://raja168.vip/" in features.redirects
    assert features.cloaking_js


def test_hidden_link_farm_is_infected_with_evidence():
    links = " ".join(f'<a href="https://{d}/">{t}</a>' for d, t in
                     [("naga303.site", "slot gacor malam ini"), ("dewa99.bet", "situs toto 4d"),
                      ("kilat77.xyz", "bonus new member 100"), ("raja168.vip", "link alternatif resmi")])
    verdict = analyze_html(page(extra=f'<div style="display:none">{links}</div>'), "https://diskes.baliprov.go.id/")
    assert verdict.verdict == "infected"
    names = {s.name for s in verdict.signals}
    assert {"hidden_gambling_content", "gambling_link_farm"} <= names
    assert "hidden_links" in verdict.techniques and verdict.score > 0.5


@pytest.mark.parametrize(
    "main",
    [
        "<p>Diskominfos bersama Polda Bali memblokir ratusan situs judi online. Warga diimbau tidak tergiur iklan slot "
        "gacor, bonus new member, maupun deposit pulsa yang menjerat korban. Pelaku diancam pidana UU ITE.</p>",
        "<p>Pilih slot waktu konsultasi pukul 09.00 WITA. Bonus demografi Bali menjadi peluang pembangunan.</p>",
        "<div style=\"display:none\"><p>Apa itu judi online? Judi online seperti slot gacor dan togel menjerat "
        "korban dengan bonus new member dan deposit pulsa. Laporkan ke kanal aduan resmi.</p></div>",
    ],
)
def test_news_and_look_alike_words_are_clean(main):
    verdict = analyze_html(page(main=main), "https://diskominfos.baliprov.go.id/berita/1")
    assert verdict.verdict == "clean", [s.name for s in verdict.signals]


def test_doorway_page_and_gambling_redirect_are_infected():
    doorway = page(main="".join(
        "<p>Main di raja168: slot gacor malam ini, rtp live tertinggi, wd kilat tanpa ribet. Gabung sekarang!</p>"
        "<p>Situs toto 4d terpercaya dengan bonus new member 100 dan deposit pulsa tanpa potongan.</p>" for _ in range(2)))
    assert analyze_html(doorway, "https://bappeda.baliprov.go.id/wp-content/uploads/x.html").verdict == "infected"
    redirect = page(head='<script>window.location.href="https://naga303.site/daftar";</script>')
    verdict = analyze_html(redirect, "https://bappeda.baliprov.go.id/")
    assert verdict.verdict == "infected" and "js_redirect" in verdict.techniques
    moved = page(head='<meta http-equiv="refresh" content="3;url=https://layanan.baliprov.go.id/izin">')
    assert analyze_html(moved, "https://bappeda.baliprov.go.id/lama").verdict == "clean"


def test_webscan_page_command_contract(tmp_path):
    infected = tmp_path / "infected.html"
    infected.write_text(page(extra='<div style="display:none">' + " ".join(
        f'<a href="https://{d}/">slot gacor situs toto bonus new member</a>'
        for d in ("a77.xyz", "b88.vip", "c99.bet")) + "</div>"), encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "spbe.manage", "webscan_page", str(infected), "--format", "json"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["verdict"] == "infected" and isinstance(data["score"], float) and data["signals"]
    assert {"name", "detail", "variant", "excerpts", "weight"} <= set(data["signals"][0])
    clean = tmp_path / "clean.html"
    clean.write_text(page(), encoding="utf-8")
    data = json.loads(subprocess.run([sys.executable, "-m", "spbe.manage", "webscan_page", str(clean), "--format",
                                      "json"], capture_output=True, text=True).stdout)
    assert data["verdict"] == "clean"
    missing = subprocess.run([sys.executable, "-m", "spbe.manage", "webscan_page", str(tmp_path / "nope.html")],
                             capture_output=True, text=True)
    assert missing.returncode == 2 and "no such file" in missing.stderr
