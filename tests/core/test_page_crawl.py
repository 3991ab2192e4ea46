"""Every page each demo role can reach by following links, in Indonesian: no server error, no
link to a page the role may not open, no raw code and no English sentence the Indonesian
catalogue translates.

The crawl follows the links a person would click from the console home and the public portal
(GET only, same site). "Untranslated" is decided by the catalogue itself: a text on the page
that is an English msgid with a different Indonesian msgstr was rendered without translation.
Raw codes are text nodes that look like identifiers (``bot:topic``, ``partner_endpoint``) or
equal a stored choice value whose label differs (``approved``), or "None".
"""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import polib
import pytest
from django.test import Client

from spbe.core.demo import DEMO_USERS
from spbe.core.models import User
from tests.conftest import login
from tests.core.test_export_scopes import demo_world  # noqa: F401  (shared fixture)

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "spbe"
SKIP_PREFIXES = ("/logout", "/admin/", "/api/", "/i18n/", "/jsi18n/", "/static/", "/metrics", "/healthz", "/livez",
                 "/readyz", "/media/")
SKIP_SUFFIXES = (".pdf", ".csv", ".xlsx", ".txt", ".json", ".png", ".svg", ".js", ".ics", ".zip", ".xml")
PAGES_PER_ROLE = 160
SAME_SHAPE_LIMIT = 2  # /orders/1/, /orders/2/ … are one page template: two of each are enough
IDENTIFIER = re.compile(r"^[a-z][a-z0-9]*(?:[_:][a-z0-9]+)+$")
SKIPPED_TAGS = {"script", "style", "code", "pre", "kbd", "samp", "textarea", "template"}


class _Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.texts: list[str] = []
        self._skip = 0
        self._stack: list[tuple[str, bool]] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "a" and attributes.get("href") and "download" not in attributes:
            self.links.append(attributes["href"])
        if tag in ("br", "img", "input", "meta", "link", "hr", "source", "wbr"):
            return
        # Code, and text marked as another language (lang="en" on an English FAQ answer), are not UI.
        language = attributes.get("lang") or "id"
        skips = tag in SKIPPED_TAGS or attributes.get("translate") == "no" or not language.startswith("id")
        self._stack.append((tag, skips))
        self._skip += skips
        for name in ("title", "aria-label", "placeholder", "alt"):
            if attributes.get(name) and not self._skip:
                self.texts.append(attributes[name].strip())

    def handle_endtag(self, tag):
        if not any(opened == tag for opened, _ in self._stack):
            return  # a stray closing tag
        while self._stack:
            opened, skips = self._stack.pop()
            self._skip -= skips
            if opened == tag:
                break

    def handle_data(self, data):
        text = " ".join(data.split())
        if text and not self._skip:
            self.texts.append(text)


def _translated_msgids() -> set[str]:
    """English texts the staff catalogue translates to something else (several words, so that
    names and one-word codes shared by both languages do not count)."""
    found = set()
    for path in PACKAGE.glob("**/locale/id/LC_MESSAGES/django.po"):
        for entry in polib.pofile(str(path)):
            if entry.msgstr and entry.msgstr != entry.msgid and not entry.obsolete and "%" not in entry.msgid \
                    and len(entry.msgid.split()) >= 2 and "{" not in entry.msgid:
                found.add(entry.msgid)
    return found


def _choice_codes() -> set[str]:
    """Stored choice values that have a different label, e.g. ``approved`` → "Disetujui"."""
    from django.apps import apps

    codes = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            for value, label in getattr(field, "flatchoices", None) or ():
                if isinstance(value, str) and re.fullmatch(r"[a-z_]{4,}", value) and str(label).lower() != value:
                    codes.add(value)
    return codes


def _text_problem(text: str, english: set[str], codes: set[str]) -> str:
    if IDENTIFIER.match(text) or text in codes or text == "None" or text.startswith("None ") or " None" in text:
        return f"raw code {text!r}"
    if text in english:
        return f"untranslated {text!r}"
    return ""


def _shape(path: str) -> str:
    return re.sub(r"/[^/]*\d[^/]*(?=/|$)", "/N", path)


def crawl(client, starts: list[str], english: set[str], codes: set[str]) -> tuple[list[str], int]:
    problems, seen, queue, shapes = [], set(), list(starts), Counter()
    linked_from: dict[str, str] = {}
    pages = 0
    while queue and pages < PAGES_PER_ROLE:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        shape = _shape(urlsplit(url).path)
        if shapes[shape] >= SAME_SHAPE_LIMIT:
            continue
        shapes[shape] += 1
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="id")
        pages += 1
        if response.status_code >= 500:
            problems.append(f"{url}: server error {response.status_code}")
            continue
        if response.status_code == 403 and url not in starts:
            problems.append(f"{url}: linked but denied (from {linked_from.get(url, '?')})")
            continue
        if response.status_code in (301, 302):
            continue
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        parser = _Page()
        parser.feed(response.content.decode())
        problems += [f"{url}: {found}" for found in (_text_problem(t, english, codes) for t in parser.texts) if found]
        for href in parser.links:
            target = urlsplit(urljoin(url, href))
            if target.netloc not in ("", "testserver") or not target.path.startswith("/"):
                continue
            path = target.path + (f"?{target.query}" if target.query else "")
            if target.path.startswith(SKIP_PREFIXES) or target.path.endswith(SKIP_SUFFIXES) or path in seen:
                continue
            queue.append(path)
            linked_from.setdefault(path, url)
    return problems, pages


@pytest.mark.django_db
def test_every_reachable_page_is_indonesian_and_openable_for_every_demo_role(demo_world, settings):  # noqa: F811
    settings.LANGUAGE_CODE = "id"
    english, codes = _translated_msgids(), _choice_codes()
    assert len(english) > 500 and "approved" in codes
    problems, total = [], 0
    for username, *_rest in DEMO_USERS:
        client = login(User.objects.get(username=username), Client(raise_request_exception=False))
        found, pages = crawl(client, ["/console/", "/"], english, codes)
        total += pages
        problems += [f"{username} {p}" for p in found]
    public, pages = crawl(Client(raise_request_exception=False), ["/", "/lovebali/"], english, codes)
    problems += [f"anonymous {p}" for p in public]
    assert total > 300
    unique = sorted(set(problems))
    assert not unique, f"{len(unique)} problems:\n" + "\n".join(unique[:200])


def test_the_crawl_reports_english_raw_codes_and_none():
    parser = _Page()
    parser.feed('<p>Status</p><td>approved</td><span>bot:topic</span><em>None · submitted</em><code>x_y</code>'
                '<a href="/a/">Save changes</a><div lang="en"><p>Who pays?</p></div><p>Selesai</p>')
    texts = parser.texts
    assert "x_y" not in texts and "Who pays?" not in texts and texts[-1] == "Selesai" and parser.links == ["/a/"]
    flagged = [t for t in texts if _text_problem(t, {"Save changes"}, {"approved"})]
    assert flagged == ["approved", "bot:topic", "None · submitted", "Save changes"]
