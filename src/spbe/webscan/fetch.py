"""The visitor profiles cloakers tell apart, and what one fetch returned.

A plain desktop browser (how an OPD admin checks), Googlebot (desktop and smartphone — Google
indexes mobile-first, so cloakers serve the phone crawler too), a desktop visitor arriving from
Google, and a phone arriving from Google. Each profile sends the headers that client really
sends (Chrome's client hints and fetch metadata, Googlebot's From header) so a cloaker cannot
spot the scanner by a missing header. Each fetch uses a fresh HTTP client (see ``crawler._get``):
no cookie or connection is shared between profiles or pages, since "redirect each visitor
once" cloakers set a cookie on the first visit and would otherwise show the scanner clean pages.
Googlebot verified by reverse DNS cannot be imitated from here: cloakers that check it stay
invisible to any external scanner (documented blind spot).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property

DESKTOP = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
           "Chrome/130.0.0.0 Safari/537.36")
MOBILE = ("Mozilla/5.0 (Linux; Android 14; SM-A155F) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Chrome/130.0.0.0 Mobile Safari/537.36")
GOOGLEBOT = ("Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; Googlebot/2.1; "
             "+http://www.google.com/bot.html) Chrome/130.0.6723.69 Safari/537.36")
GOOGLEBOT_SMARTPHONE = ("Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like "
                        "Gecko) Chrome/130.0.6723.69 Mobile Safari/537.36 (compatible; Googlebot/2.1; "
                        "+http://www.google.com/bot.html)")
GOOGLE = "https://www.google.com/"
ACCEPT_HTML = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8"
CHROME_HINTS = '"Chromium";v="130", "Google Chrome";v="130", "Not?A_Brand";v="99"'


def _chrome(user_agent: str, *, mobile: bool, referer: str = "") -> dict:
    headers = {
        "User-Agent": user_agent,
        "Accept": ACCEPT_HTML,
        "Accept-Language": "id-ID,id;q=0.9,en-US;q=0.8,en;q=0.7",
        "Upgrade-Insecure-Requests": "1",
        "Sec-CH-UA": CHROME_HINTS,
        "Sec-CH-UA-Mobile": "?1" if mobile else "?0",
        "Sec-CH-UA-Platform": '"Android"' if mobile else '"Windows"',
        "Sec-Fetch-Dest": "document",
        "Sec-Fetch-Mode": "navigate",
        "Sec-Fetch-Site": "cross-site" if referer else "none",
        "Sec-Fetch-User": "?1",
    }
    if referer:
        headers["Referer"] = referer
    return headers


def _googlebot(user_agent: str) -> dict:
    return {"User-Agent": user_agent, "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            "From": "googlebot(at)googlebot.com"}


PROFILES = {
    "browser": _chrome(DESKTOP, mobile=False),
    "googlebot": _googlebot(GOOGLEBOT),
    "googlebot_smartphone": _googlebot(GOOGLEBOT_SMARTPHONE),
    "google_referrer": _chrome(DESKTOP, mobile=False, referer=GOOGLE),
    "mobile_google_referrer": _chrome(MOBILE, mobile=True, referer=GOOGLE),
}
MOBILE_PROFILES = ("googlebot_smartphone", "mobile_google_referrer")
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
