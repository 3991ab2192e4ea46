"""The four visitor profiles cloakers tell apart, and what one fetch returned.

A plain desktop browser (how an OPD admin checks), Googlebot, a desktop visitor arriving from
Google, and a phone arriving from Google. The fetching itself is in ``crawler._get``: redirects
followed by hand (at most 5, never off the site) so the chain is evidence. Googlebot verified by reverse DNS cannot be imitated from here: cloakers
that check it stay invisible to any external scanner (documented blind spot).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property

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

    @cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self.body).hexdigest()

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    @property
    def is_html(self) -> bool:
        return "html" in self.headers.get("content-type", "html").lower()
