"""Loopback fixture server for the judol corpus: one HTTP server per site, and real cloaking.

* ``googlebot`` pages send the gambling version only to a Googlebot user agent;
* ``google_referrer`` pages redirect visitors arriving from Google;
* ``mobile_google_referrer`` pages redirect only phones arriving from Google;
* ``googlebot_smartphone`` pages only to Googlebot's smartphone crawler (mobile-first indexing);
* ``cookie_once`` pages redirect a visitor from Google once, then remember it by cookie — any
  earlier visit (the scanner's own browser fetch, if it kept its cookies) sets that cookie;
* ``verified_googlebot`` pages would need reverse-DNS-verified Googlebot: never served here
  (the documented blind spot of any outside scanner).
Serves robots.txt, sitemap.xml (every page, as a poisoned sitemap would) and /arsip, an index
linking the regular pages; ETag / If-None-Match give 304s.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import socket
import threading
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

CORPUS = Path(__file__).resolve().parent / "corpus.jsonl.gz"
UNLINKED = {"doorway_page", "parameter_doorway", "sitemap_injection"}


def load_corpus(path: Path = CORPUS) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    site_pages: dict[str, dict] = {}

    def log_message(self, *args):  # quiet
        pass

    def setup(self):
        super().setup()
        # Headers and body go out as separate writes; without NODELAY, Nagle plus delayed
        # ACKs add ~40 ms to every keep-alive response.
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _send(self, status: int, body: bytes = b"", content_type: str = "text/html; charset=utf-8",
              headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self):  # noqa: N802
        base = f"http://{self.headers.get('Host')}"
        path = self.path.lstrip("/")
        if path == "robots.txt":
            return self._send(200, f"User-agent: *\nAllow: /\nSitemap: {base}/sitemap.xml\n".encode(), "text/plain")
        if path == "sitemap.xml":
            urls = "".join(f"<url><loc>{base}/{p.replace('&', '&amp;')}</loc></url>" for p in self.site_pages)
            body = f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
            return self._send(200, body.encode(), "application/xml")
        if path == "arsip":
            links = "".join(f'<li><a href="/{p}">{p}</a></li>' for p, r in self.site_pages.items()
                            if r["technique"] not in UNLINKED and r.get("linked", True) and p)
            return self._send(200, f"<html><body><h1>Arsip</h1><ul>{links}</ul></body></html>".encode())
        record = self.site_pages.get(path)
        if record is None:
            return self._send(404, b"<html><body>Tidak ditemukan</body></html>")
        ua = self.headers.get("User-Agent", "")
        referer = self.headers.get("Referer", "")
        from_google = "google." in referer
        mobile = "Mobile" in ua or "Android" in ua
        cloak = record.get("cloak")
        html = record["html"]
        seen = "vst=1" in self.headers.get("Cookie", "")
        remember = {"Set-Cookie": "vst=1; Path=/; Max-Age=86400"} if cloak == "cookie_once" else {}
        if cloak == "googlebot" and "Googlebot" in ua:
            html = record["cloak_html"]
        elif cloak == "googlebot_smartphone" and "Googlebot" in ua and mobile:
            html = record["cloak_html"]
        elif cloak == "cookie_once" and from_google and not seen:
            return self._send(302, b"", headers={"Location": record["cloak_redirect"], **remember})
        elif cloak == "google_referrer" and from_google:
            return self._send(302, b"", headers={"Location": record["cloak_redirect"]})
        elif cloak == "mobile_google_referrer" and from_google and mobile:
            return self._send(302, b"", headers={"Location": record["cloak_redirect"]})
        if path == "":
            html = html.replace("</main>", '<p><a href="/arsip">Arsip</a></p></main>')
        body = html.encode()
        etag = '"' + hashlib.sha1(body).hexdigest() + '"'
        if self.headers.get("If-None-Match") == etag:
            return self._send(304, b"", headers={"ETag": etag, **remember})
        return self._send(200, body, headers={"ETag": etag, **remember})


class CorpusServers:
    """Starts one loopback server per site; ``urls`` maps site id → base URL."""

    def __init__(self, records: list[dict] | None = None):
        self.records = records if records is not None else load_corpus()
        self.servers: list[ThreadingHTTPServer] = []
        self.urls: dict[str, str] = {}

    def __enter__(self):
        by_site: dict[str, dict] = defaultdict(dict)
        for record in self.records:
            by_site[record["site"]][record["path"]] = record
        for site, pages in sorted(by_site.items()):
            handler = type(f"Handler_{site}", (_Handler,), {"site_pages": pages})
            server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
            server.daemon_threads = True
            threading.Thread(target=server.serve_forever, daemon=True).start()
            self.servers.append(server)
            self.urls[site] = f"http://127.0.0.1:{server.server_address[1]}/"
        return self

    def __exit__(self, *exc):
        for server in self.servers:
            server.shutdown()
            server.server_close()
