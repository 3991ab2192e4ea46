"""One font setup for every PDF the platform writes (vouchers, statements, certificates,
evaluation exports, ITSA reports, TTE stamps and signature appearances).

Fonts are embedded (subset) TrueType files from Debian's packages, installed by the Makefile:
Noto Sans (fonts-noto-core: Latin, Cyrillic, Greek) and Droid Sans Fallback
(fonts-droid-fallback: Chinese, Japanese kana, Korean Hangul). ReportLab does not fall back
from one font to another by itself, so text is split into runs by script and each run is set
in the font that covers it (``runs``, ``paragraph_markup``, ``draw_string``).

Paths can be overridden with SPBE_FONT_DIR (a directory holding the same file names).
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

BODY = "SPBE-Sans"
BOLD = "SPBE-Sans-Bold"
CJK = "SPBE-CJK"

FILES = {
    BODY: ("NotoSans-Regular.ttf", "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf"),
    BOLD: ("NotoSans-Bold.ttf", "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf"),
    CJK: ("DroidSansFallbackFull.ttf", "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"),
}
DEBIAN_PACKAGES = ("fonts-noto-core", "fonts-droid-fallback")


class FontsMissing(RuntimeError):
    pass


def path(name: str) -> Path:
    filename, default = FILES[name]
    override = os.environ.get("SPBE_FONT_DIR")
    candidate = Path(override) / filename if override else Path(default)
    if not candidate.is_file():
        raise FontsMissing(f"font file {candidate} is missing: install {' and '.join(DEBIAN_PACKAGES)} "
                           f"(make install does it) or set SPBE_FONT_DIR")
    return candidate


@lru_cache(maxsize=1)
def register() -> None:
    """Register the fonts with ReportLab once per process (bold maps onto the family)."""
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    for name in FILES:
        pdfmetrics.registerFont(TTFont(name, str(path(name))))
    addMapping(BODY, 0, 0, BODY)
    addMapping(BODY, 1, 0, BOLD)
    addMapping(BODY, 0, 1, BODY)
    addMapping(BODY, 1, 1, BOLD)


def needs_cjk(char: str) -> bool:
    code = ord(char)
    return (0x1100 <= code <= 0x11FF or 0x2E80 <= code <= 0x9FFF or 0xA960 <= code <= 0xA97F
            or 0xAC00 <= code <= 0xD7FF or 0xF900 <= code <= 0xFAFF or 0xFE30 <= code <= 0xFE4F
            or 0xFF00 <= code <= 0xFFEF or 0x20000 <= code <= 0x2FA1F)


def runs(text: str, base: str = BODY) -> list[tuple[str, str]]:
    """[(font name, text)] with CJK and Hangul characters in the CJK font."""
    out: list[tuple[str, str]] = []
    for char in text:
        font = CJK if needs_cjk(char) else base
        if out and out[-1][0] == font:
            out[-1] = (font, out[-1][1] + char)
        else:
            out.append((font, char))
    return out


def paragraph_markup(text: str, base: str = BODY) -> str:
    """Platypus Paragraph markup of ``text`` (escaped) with a font per script run."""
    register()
    return "".join(escape(part) if font == base else f'<font name="{font}">{escape(part)}</font>'
                   for font, part in runs(text, base))


def string_width(text: str, size: float, base: str = BODY) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    register()
    return sum(stringWidth(part, font, size) for font, part in runs(text, base))


def draw_string(canvas, x: float, y: float, text: str, size: float, *, base: str = BODY, anchor: str = "left") -> None:
    """Draw one line with per-script fonts; ``anchor`` left, right or centre."""
    register()
    width = string_width(text, size, base)
    if anchor == "right":
        x -= width
    elif anchor == "centre":
        x -= width / 2
    from reportlab.pdfbase.pdfmetrics import stringWidth

    for font, part in runs(text, base):
        canvas.setFont(font, size)
        canvas.drawString(x, y, part)
        x += stringWidth(part, font, size)


def wrap(text: str, size: float, width: float, base: str = BODY) -> list[str]:
    """Greedy word wrap to ``width`` points (CJK text breaks between characters)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        tokens = []
        for word in paragraph.split(" "):
            if any(needs_cjk(c) for c in word):
                tokens.extend(word)  # CJK: every character is a break opportunity
            else:
                tokens.append(word)
        for token in tokens:
            joiner = "" if (not line or needs_cjk(token[:1]) or needs_cjk(line[-1:])) else " "
            candidate = line + joiner + token if line else token
            if line and string_width(candidate, size, base) > width:
                lines.append(line)
                line = token
            else:
                line = candidate
        lines.append(line)
    return lines


def styles():
    """ReportLab sample styles switched to the embedded fonts."""
    from reportlab.lib.styles import getSampleStyleSheet

    register()
    sheet = getSampleStyleSheet()
    for style in sheet.byName.values():
        if hasattr(style, "fontName"):
            style.fontName = BOLD if "Bold" in style.fontName or style.name.startswith(("Heading", "Title")) else BODY
    return sheet
