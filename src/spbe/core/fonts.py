"""One font setup for every PDF the platform writes (vouchers, statements, certificates,
evaluation exports, ITSA reports, TTE stamps and signature appearances).

Fonts are embedded (subset) TrueType files from Debian's packages, installed by the Makefile:
Noto Sans (fonts-noto-core: Latin, Cyrillic, Greek), Droid Sans Fallback
(fonts-droid-fallback: Chinese, Japanese kana and kanji) and Nanum Gothic (fonts-nanum: Korean
Hangul, which Droid Sans Fallback Full does not carry). ReportLab does not fall back
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
HANGUL = "SPBE-Hangul"

FILES = {
    BODY: ("NotoSans-Regular.ttf", "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf"),
    BOLD: ("NotoSans-Bold.ttf", "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf"),
    CJK: ("DroidSansFallbackFull.ttf", "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"),
    HANGUL: ("NanumGothic.ttf", "/usr/share/fonts/truetype/nanum/NanumGothic.ttf"),
}
DEBIAN_PACKAGES = ("fonts-noto-core", "fonts-droid-fallback", "fonts-nanum")


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


def is_hangul(char: str) -> bool:
    code = ord(char)
    return (0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F or 0xA960 <= code <= 0xA97F
            or 0xAC00 <= code <= 0xD7FF)


def needs_cjk(char: str) -> bool:
    """East Asian characters (Hangul included): the text breaks between any two of them."""
    code = ord(char)
    return (0x1100 <= code <= 0x11FF or 0x2E80 <= code <= 0x9FFF or 0xA960 <= code <= 0xA97F
            or 0xAC00 <= code <= 0xD7FF or 0xF900 <= code <= 0xFAFF or 0xFE30 <= code <= 0xFE4F
            or 0xFF00 <= code <= 0xFFEF or 0x20000 <= code <= 0x2FA1F)


def _breaks_anywhere(char: str) -> bool:
    return bool(char) and needs_cjk(char) and not is_hangul(char)


def font_for(char: str, base: str = BODY) -> str:
    if is_hangul(char):
        return HANGUL
    return CJK if needs_cjk(char) else base


def runs(text: str, base: str = BODY) -> list[tuple[str, str]]:
    """[(font name, text)] with Hangul in the Korean font and other CJK characters in the CJK font."""
    out: list[tuple[str, str]] = []
    for char in text:
        font = font_for(char, base)
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
            if any(_breaks_anywhere(c) for c in word):
                tokens.extend(word)  # Chinese, Japanese: every character is a break opportunity
            else:
                tokens.append(word)  # Korean, like Latin text, breaks at spaces
        for token in tokens:
            joiner = "" if (not line or _breaks_anywhere(token[:1]) or _breaks_anywhere(line[-1:])) else " "
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


def draw_paragraph(canvas, x: float, y: float, text: str, size: float, width: float, *,
                   base: str = BODY, leading: float | None = None, anchor: str = "left") -> float:
    """Draw ``text`` wrapped to ``width`` points from baseline ``y`` downwards; returns the
    baseline below the last line, so callers can stack paragraphs without measuring them."""
    leading = leading or size * 1.3
    for line in wrap(text, size, width, base):
        if anchor == "centre":
            draw_string(canvas, x + width / 2, y, line, size, base=base, anchor="centre")
        else:
            draw_string(canvas, x, y, line, size, base=base, anchor=anchor)
        y -= leading
    return y


def new_canvas(buffer, pagesize, **options):
    """A ReportLab canvas whose initial font is an embedded one (ReportLab would otherwise list a
    non-embedded Helvetica in every page's resources, even when no text uses it)."""
    from reportlab.pdfgen import canvas

    register()
    return canvas.Canvas(buffer, pagesize=pagesize, initialFontName=BODY, **options)
