"""Fetching a page the four ways cloakers tell apart.

A plain desktop browser (how an OPD admin checks), Googlebot, a desktop visitor arriving from
Google, and a phone arriving from Google. Redirects are followed by hand (at most 5) so the
chain is evidence. Googlebot verified by reverse DNS cannot be imitated from here: cloakers
that check it stay invisible to any external scanner (documented blind spot).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from urllib.parse import urljoin

import httpx

DESKTOP = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
           "Chrome/130.0.0.0 Safari/537.36")
MOBILE = ("Mozilla/5.0 (Linux; Android 14; SM-A155F) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Chrome/130.0.0.0 Mobile Safari/537.36")
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
GOOGLE = "https://www.google.com/"

PROFILES = {
    "browser": {"User-Agent": DESKTOP},
    "googlebot": {"User-Agent": GOOGLEBOT},
    "google_referrer": {"User-Agent": DESKTOP, "Referer": GOOGLE},
    "mobile_google_referrer": {"User-Agent": MOBILE, "Referer": GOOGLE},
}
MAX_BYTES = 5 * 1024 * 1024
MAX_REDIRECTS = 5


@dataclass
class Fetched:
    variant: str
    url: str
    final_url: str
    status: int
    headers: dict
    body: bytes
    chain: list[str] = field(default_factory=list)
    error: str = ""

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.body).hexdigest()

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    @property
    def is_html(self) -> bool:
        return "html" in self.headers.get("content-type", "html").lower()


def _read_capped(response: httpx.Response) -> bytes:
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > MAX_BYTES:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def fetch(client: httpx.Client, url: str, variant: str, extra_headers: dict | None = None) -> Fetched:
    headers = dict(PROFILES[variant], **(extra_headers or {}))
    chain, current = [url], url
    try:
        for _ in range(MAX_REDIRECTS + 1):
            with client.stream("GET", current, headers=headers, follow_redirects=False) as response:
                if response.is_redirect and "location" in response.headers:
                    current = urljoin(current, response.headers["location"])
                    chain.append(current)
                    continue
                body = _read_capped(response)
                return Fetched(variant, url, current, response.status_code, dict(response.headers), body, chain)
        return Fetched(variant, url, current, 0, {}, b"", chain, "too many redirects")
    except httpx.HTTPError as exc:
        return Fetched(variant, url, current, 0, {}, b"", chain, f"{type(exc).__name__}: {exc}")


def fetch_variants(client: httpx.Client, url: str, variants=tuple(PROFILES)) -> dict[str, Fetched]:
    return {variant: fetch(client, url, variant) for variant in variants}


def new_client(timeout: float = 15.0) -> httpx.Client:
    return httpx.Client(timeout=timeout, headers={"Accept-Language": "id-ID,id;q=0.9,en;q=0.8"})
