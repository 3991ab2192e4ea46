"""Loopback websites for the demo, so "scan now" never reaches a real government server.

``spbe webscan_demosites`` (started by ``make run``) serves each demo OPD website on its own
port of 127.0.0.1 (``WEBSCAN_DEMO_PORT`` and up). Most are clean; two carry injections as they
are found in the wild, so a demo scan has something to find:

* Dinas Pariwisata: a hidden footer block of gambling links on every page, and a news page that
  shows promotion only to Googlebot;
* Dinas Kebudayaan: a script-written (base64) link block and a doorway page listed only in the
  sitemap.

The demo data points the demo websites' base URL here (see ``load_demo``), and development
settings let the scanner reach these ports.
"""

from __future__ import annotations

import base64
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from django.conf import settings

_SHELL = """<!doctype html><html lang="id"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title} | {site}</title>
<style>body{{font-family:sans-serif;margin:0}}header,main,footer{{padding:1rem 1.5rem}}header{{background:#0b4f8a;color:#fff}}
header a{{color:#fff;margin-right:1rem}}footer{{background:#eee;font-size:.9rem}}</style></head>
<body><header><strong>{site}</strong><nav><a href="/">Beranda</a><a href="/berita/1">Berita</a>
<a href="/berita/2">Pengumuman</a><a href="/layanan">Layanan</a></nav></header>
<main><h1>{title}</h1>{body}</main>
<footer><p>{site} &middot; Pemerintah Provinsi Bali &middot; Jl. Basuki Rahmat, Denpasar</p>{footer}</footer>
</body></html>"""

_CLEAN_PAGES = {
    "": ("Beranda", "<p>Selamat datang di laman resmi kami. Informasi layanan, berita dan pengumuman terbaru tersedia "
                    "di sini.</p><ul><li><a href='/berita/1'>Rapat koordinasi program prioritas</a></li>"
                    "<li><a href='/berita/2'>Jadwal pelayanan akhir tahun</a></li></ul>"),
    "berita/1": ("Rapat Koordinasi Program Prioritas",
                 "<p>Kepala dinas memimpin rapat koordinasi capaian program prioritas triwulan III bersama para "
                 "kepala bidang. Realisasi anggaran mencapai 78 persen.</p>"),
    "berita/2": ("Jadwal Pelayanan Akhir Tahun",
                 "<p>Selama libur akhir tahun, layanan tatap muka tutup pada 25 dan 26 Desember. Layanan daring "
                 "tetap berjalan.</p>"),
    "layanan": ("Layanan", "<ol><li>Permohonan informasi publik</li><li>Pengaduan masyarakat</li>"
                           "<li>Konsultasi perizinan</li></ol>"),
}

_HIDDEN_FOOTER = ('<div style="position:absolute;left:-9999px">'
                  '<a href="https://slot88resmi.example/">slot gacor</a> <a href="https://toto4d.example/">togel online</a> '
                  '<a href="https://maxwin77.example/">situs slot maxwin</a></div>')
_GOOGLEBOT_PROMO = ("<p>Situs slot gacor hari ini gampang maxwin, daftar slot deposit pulsa tanpa potongan, bonus new "
                    "member 100 persen. <a href='https://gacor-mobile.example/'>Daftar</a></p>")
_SCRIPTED = base64.b64encode(
    b'<div style="display:none"><a href="https://rajaslot303.example/">bandar slot online</a> '
    b'<a href="https://rajaslot303.example/rtp">rtp live slot gacor</a></div>').decode()
_DOORWAY = ("<h2>Slot Gacor Gampang Menang</h2><p>Situs slot online terpercaya dengan RTP live tertinggi. Bonus new "
            "member 100%, deposit dana dan pulsa tanpa potongan, withdraw cepat. Daftar sekarang dan raih maxwin!</p>")
_ANTI_JUDOL = ("<p>Diskominfos bersama Satgas memblokir ratusan situs judi online yang menyusup ke laman sekolah "
               "dan desa. Waspadai iklan \"slot gacor\" dan \"bonus new member\": itu jebakan. Laporkan ke "
               "<a href='https://aduankonten.id/'>aduankonten.id</a>.</p>")


@dataclass
class DemoSite:
    domain: str
    name: str
    footer: str = ""
    extra: dict[str, tuple[str, str]] = field(default_factory=dict)  # path → (title, body)
    googlebot: dict[str, str] = field(default_factory=dict)  # path → body only Googlebot gets
    sitemap_only: tuple[str, ...] = ()


DEMO_SITES = [
    DemoSite("baliprov.go.id", "Portal Provinsi Bali"),
    DemoSite("diskominfos.baliprov.go.id", "Diskominfos Provinsi Bali",
             extra={"berita/3": ("Waspada Judi Online", _ANTI_JUDOL)}),
    DemoSite("disparda.baliprov.go.id", "Dinas Pariwisata", footer=_HIDDEN_FOOTER,
             googlebot={"berita/2": _GOOGLEBOT_PROMO}),
    DemoSite("bappeda.baliprov.go.id", "Bappeda Provinsi Bali"),
    DemoSite("bpkad.baliprov.go.id", "BPKAD Provinsi Bali"),
    DemoSite("diskes.baliprov.go.id", "Dinas Kesehatan"),
    DemoSite("disdikpora.baliprov.go.id", "Disdikpora"),
    DemoSite("disbud.baliprov.go.id", "Dinas Kebudayaan", footer=f"<script>document.write(atob('{_SCRIPTED}'))</script>",
             extra={"promo/slot-gacor-hari-ini": ("Slot Gacor Hari Ini", _DOORWAY)},
             sitemap_only=("promo/slot-gacor-hari-ini",)),
]


def base_url(site: DemoSite) -> str:
    port = settings.WEBSCAN_DEMO_PORT + DEMO_SITES.index(site)
    return f"http://127.0.0.1:{port}/"


def site_for(domain: str) -> DemoSite | None:
    return next((site for site in DEMO_SITES if site.domain == domain), None)


def _handler(site: DemoSite):
    pages = {**_CLEAN_PAGES, **site.extra}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def _send(self, status: int, body: str, content_type: str = "text/html; charset=utf-8"):
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        def do_GET(self):  # noqa: N802
            path = self.path.split("?", 1)[0].strip("/")
            root = f"http://{self.headers.get('Host')}"
            if path == "robots.txt":
                return self._send(200, f"User-agent: *\nAllow: /\nSitemap: {root}/sitemap.xml\n", "text/plain")
            if path == "sitemap.xml":
                urls = "".join(f"<url><loc>{root}/{p}</loc></url>" for p in pages)
                return self._send(200, '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/'
                                       f'sitemap/0.9">{urls}</urlset>', "application/xml")
            if path not in pages:
                return self._send(404, _SHELL.format(title="Halaman tidak ditemukan", site=site.name, body="", footer=""))
            title, body = pages[path]
            if "Googlebot" in self.headers.get("User-Agent", "") and path in site.googlebot:
                body = site.googlebot[path]
            return self._send(200, _SHELL.format(title=title, site=site.name, body=body, footer=site.footer))

        do_HEAD = do_GET

    return Handler


class DemoSites:
    """Every demo site on its port; ``with DemoSites(): ...`` or ``serve_forever()``."""

    def __init__(self, host: str = "127.0.0.1", first_port: int | None = None):
        self.host = host
        self.first_port = settings.WEBSCAN_DEMO_PORT if first_port is None else first_port
        self.servers: list[ThreadingHTTPServer] = []

    def __enter__(self) -> DemoSites:
        for offset, site in enumerate(DEMO_SITES):
            server = ThreadingHTTPServer((self.host, self.first_port + offset), _handler(site))
            server.daemon_threads = True
            threading.Thread(target=server.serve_forever, daemon=True).start()
            self.servers.append(server)
        return self

    def __exit__(self, *exc) -> None:
        for server in self.servers:
            server.shutdown()
            server.server_close()

    def urls(self) -> dict[str, str]:
        return {site.domain: f"http://{self.host}:{server.server_address[1]}/"
                for site, server in zip(DEMO_SITES, self.servers)}


def demo_allow_list() -> list[str]:
    """host:port entries development settings add for the scanner."""
    return [f"127.0.0.1:{settings.WEBSCAN_DEMO_PORT + i}" for i in range(len(DEMO_SITES))]


def load_demo() -> None:
    """Point the demo websites at their loopback copies (idempotent)."""
    from spbe.inventory import services as inventory

    for website in inventory.websites_to_scan():
        site = site_for(website.domain)
        if site is not None and website.base_url == f"https://{website.domain}/":
            inventory.update_asset(website, base_url=base_url(site))
