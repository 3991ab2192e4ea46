"""The hand-written judol corpus (see README.md): blocks of pages put into four CMS shells and
turned into records the cloaking server serves, in the same shape as the generated corpus."""

from __future__ import annotations

import html as html_lib
import json
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHELLS = {"wordpress": "{slug}/", "joomla": "index.php/berita/{slug}", "opd": "berita/{slug}",
          "repository": "id/eprint/{number}/"}
KINDS = {"infected.html": "injected", "hard_negatives.html": "hard_negative", "clean.html": "clean"}

_BLOCK = re.compile(r"<!-- page: (?P<name>[\w-]+) (?P<meta>\{.*?\}) -->(?P<body>.*?)(?=<!-- page: |\Z)", re.S)
_SECTION = re.compile(r"<!-- (head|content|footer|cloak) -->(.*?)(?=<!-- (?:head|content|footer|cloak) -->|\Z)", re.S)


def blocks() -> list[dict]:
    found = []
    for filename, kind in KINDS.items():
        text = (HERE / "pages" / filename).read_text(encoding="utf-8")
        for match in _BLOCK.finditer(text):
            meta = json.loads(match.group("meta"))
            sections = {name: body.strip() for name, body in _SECTION.findall(match.group("body"))}
            found.append({"name": match.group("name"), "kind": kind, **meta, "sections": sections})
    return found


def _fill(shell: str, site_name: str, title: str, sections: dict, content_key: str = "content") -> str:
    page = shell
    for slot, value in (("{{head}}", sections.get("head", "")), ("{{footer}}", sections.get("footer", "")),
                        ("{{content}}", sections.get(content_key, "")), ("{{site_name}}", site_name),
                        ("{{title}}", title)):
        page = page.replace(slot, value)
    return page


SITE_NAMES = {"wordpress": "Dinas Kesehatan Kabupaten", "joomla": "Badan Perencanaan Pembangunan Daerah",
              "opd": "Dinas Pendidikan Kepemudaan dan Olahraga", "repository": "Repositori Universitas"}


def records() -> list[dict]:
    """One record per (shell, block), plus each site's home page."""
    out = []
    all_blocks = blocks()
    for site, pattern in SHELLS.items():
        shell = (HERE / "shells" / f"{site}.html").read_text(encoding="utf-8")
        site_name = SITE_NAMES[site]
        paths = []
        for number, block in enumerate(all_blocks, start=1001):
            path = pattern.format(slug=block["name"], number=number)
            title = block.get("title") or block["name"].replace("-", " ").title()
            record = {
                "site": f"independent-{site}", "path": path, "kind": block["kind"],
                "technique": block.get("technique", "none"), "name": block["name"],
                "html": _fill(shell, site_name, title, block["sections"]),
                "cloak": block.get("cloak"), "cloak_redirect": block.get("cloak_redirect"),
                "linked": block.get("linked", True),
            }
            if "cloak" in block["sections"]:
                record["cloak_html"] = _fill(shell, site_name, title, block["sections"], "cloak")
            out.append(record)
            paths.append((path, html_lib.unescape(title)))
        home = "<ul>" + "".join(f'<li><a href="/{p}">{html_lib.escape(t)}</a></li>' for p, t in paths[:8]) + "</ul>"
        out.append({"site": f"independent-{site}", "path": "", "kind": "clean", "technique": "none", "name": "home",
                    "html": _fill(shell, site_name, "Beranda", {"content": "<main>" + home + "</main>"}),
                    "cloak": None, "linked": True})
    return out
