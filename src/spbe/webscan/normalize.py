"""Text normalisation that undoes the usual judol obfuscations before matching.

NFKC (fullwidth, math-bold, circled letters) → drop zero-width characters → map every
character Unicode TR39 lists as confusable with an ASCII letter (``data/confusables.json``,
built by ``tools/make_confusables.py``) → casefold → the hand-made map for lowercase look-alikes
and small capitals → fold diacritics ("Ślòt gâcör" → "slot gacor") → join letters split by
separators ("s.l.o.t", "c a s i n o", "s-l.o t") → squeeze spaces.
``deleet`` additionally maps digits and symbols inside words ("g4c0r" → "gacor"); it is kept
separate because brand names such as "slot88" must still be seen with their digits.
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\ufeff\u00ad\u180e"))

# Look-alike letters seen in spam (Cyrillic, Greek, Latin extensions) → ASCII.
_CONFUSABLES = str.maketrans({
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c",
    "т": "t", "у": "y", "х": "x", "і": "i", "ї": "i", "ј": "j", "ѕ": "s", "ԁ": "d", "ԛ": "q", "ԝ": "w",
    "ɡ": "g", "ɑ": "a", "ɩ": "i", "ο": "o", "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k",
    "μ": "u", "ν": "v", "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "ω": "w", "ğ": "g", "ı": "i", "ł": "l",
    "ø": "o", "đ": "d", "ß": "ss", "ᴀ": "a", "ʙ": "b", "ᴄ": "c", "ᴅ": "d", "ᴇ": "e", "ɢ": "g", "ʜ": "h",
    "ɪ": "i", "ᴊ": "j", "ᴋ": "k", "ʟ": "l", "ᴍ": "m", "ɴ": "n", "ᴏ": "o", "ᴘ": "p", "ʀ": "r", "ꜱ": "s",
    "ᴛ": "t", "ᴜ": "u", "ᴠ": "v", "ᴡ": "w", "ʏ": "y", "ᴢ": "z",
})

_TR39 = str.maketrans(json.loads((Path(__file__).resolve().parent / "data" / "confusables.json").read_text(encoding="utf-8")))

# Four or more single letters (or leet digits) joined by separators: "s.l.o.t", "c a s i n o",
# "g-a.c o r", "s l 0 t". Two-letter runs are left alone ("a . b" in ordinary prose).
_SPLIT_LETTERS = re.compile(r"(?<![\w])[a-z0-9](?:[ .\-_*·•|/+~]{1,2}[a-z0-9]){3,}(?![\w])")
_SEPARATORS = re.compile(r"[ .\-_*·•|/+~]")

_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "@": "a", "$": "s",
                       "!": "i", "€": "e"})
_MIXED_WORD = re.compile(r"\b(?=[\w@$!€]*[a-z])(?=[\w@$!€]*[0-9@$!€])[\w@$!€]{3,}\b")


_HAS_ZERO_WIDTH = re.compile("[" + "".join(map(chr, _ZERO_WIDTH)) + "]")
_HAS_CONFUSABLE = re.compile("[" + re.escape("".join(map(chr, _CONFUSABLES))) + "]")


def fold_diacritics(text: str) -> str:
    """Letters with accents as their base letter ("é" → "e"); only non-ASCII text pays."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _join_split_letters(match: re.Match) -> str:
    run = match.group(0)
    chunks = run.split(" ")
    # "s.l.o.t g.a.c.o.r": dots split letters, spaces still split words.
    if len(chunks) > 1 and any(len(c) > 1 for c in chunks if c):
        return " ".join(_join_letters(c) for c in chunks)
    return _join_letters(run)


def _join_letters(run: str) -> str:
    letters = [p for p in _SEPARATORS.split(run) if p]
    # Only runs of single characters ("s l o t"), not a list of short words.
    if len(letters) >= 3 and all(len(p) == 1 for p in letters) and sum(p.isalpha() for p in letters) >= 3:
        return "".join(letters)
    return run


def normalize(text: str) -> str:
    if text.isascii():
        text = text.lower()
    else:
        # Each step only when needed: most pages have a few non-ASCII characters (©, –).
        if not unicodedata.is_normalized("NFKC", text):
            text = unicodedata.normalize("NFKC", text)
        if _HAS_ZERO_WIDTH.search(text):
            text = text.translate(_ZERO_WIDTH)
        text = text.translate(_TR39).casefold()
        if _HAS_CONFUSABLE.search(text):
            text = text.translate(_CONFUSABLES)
        if not text.isascii():
            text = fold_diacritics(text)
    if _SPLIT_LETTERS.search(text):
        text = _SPLIT_LETTERS.sub(_join_split_letters, text)
    return " ".join(text.split())


_LETTER_NEXT_TO_SYMBOL = re.compile(r"[a-z][0-9@$!€]|[0-9@$!€][a-z]")


def has_mixed_words(text: str) -> bool:
    """Cheap test: does any word mix letters with digits/symbols ("g4c0r", "slot88")?"""
    return _LETTER_NEXT_TO_SYMBOL.search(text) is not None


def deleet(text: str) -> str:
    """Leetspeak inside words that mix letters with digits or symbols; plain numbers stay."""
    if not has_mixed_words(text):
        return text
    return _MIXED_WORD.sub(lambda m: m.group(0).translate(_LEET), text)
