"""Which language a tourist wrote in.

Scripts decide first (Hangul, kana, Han, Cyrillic are unambiguous for our languages); Latin text
goes to py3langid's packaged model restricted to the Latin-script languages we expect. Short
messages ("KITAS?", "refund") are unreliable for any detector, so below a confidence floor the
conversation's earlier language or the page locale wins.
"""

from __future__ import annotations

import threading
import unicodedata

SUPPORTED = ("en", "id", "zh", "ko", "ja", "ru", "fr", "de")
# Latin-script languages the model may pick; Malay is answered as Indonesian, the rest in English.
_LATIN_CANDIDATES = ["en", "id", "ms", "fr", "de", "es", "it", "nl", "pt"]
_ALIASES = {"ms": "id"}
_MIN_PROBABILITY = 0.75

_identifier = None
_lock = threading.Lock()


def _model():
    global _identifier
    if _identifier is None:
        with _lock:
            if _identifier is None:
                from py3langid.langid import _load_identifier

                _identifier = _load_identifier(norm_probs=True, langs=_LATIN_CANDIDATES)
    return _identifier


def _script_counts(text: str) -> dict[str, int]:
    counts = {"hangul": 0, "kana": 0, "han": 0, "cyrillic": 0, "latin": 0}
    for char in text:
        code = ord(char)
        if 0xAC00 <= code <= 0xD7A3 or 0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F:
            counts["hangul"] += 1
        elif 0x3040 <= code <= 0x30FF:
            counts["kana"] += 1
        elif 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF:
            counts["han"] += 1
        elif 0x0400 <= code <= 0x04FF:
            counts["cyrillic"] += 1
        elif char.isalpha() and unicodedata.name(char, "").startswith("LATIN"):
            counts["latin"] += 1
    return counts


def detect(text: str, hint: str | None = None) -> tuple[str, float]:
    """(language code, confidence 0–1). ``hint`` is the conversation's or page's language."""
    counts = _script_counts(text or "")
    if counts["hangul"]:
        return "ko", 1.0
    if counts["kana"]:
        return "ja", 1.0
    if counts["han"]:
        return "zh", 1.0
    if counts["cyrillic"] > counts["latin"]:
        return "ru", 1.0
    if not counts["latin"]:
        return (hint if hint in SUPPORTED else "en"), 0.0
    language, probability = _model().classify(text)
    language = _ALIASES.get(language, language)
    words = len(text.split())
    if (probability < _MIN_PROBABILITY or words < 3) and hint in SUPPORTED and hint != language:
        return hint, float(probability)
    return language, float(probability)
