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




def _strip_accents(text: str) -> str:
    """Letters with accents as their base letter ("é" → "e")."""
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


_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_CHAR_CACHE: dict[str, str] = {}


def _normalize_char(char: str) -> str:
    """The whole non-ASCII pipeline for one character, computed once per character."""
    folded = _CHAR_CACHE.get(char)
    if folded is None:
        folded = unicodedata.normalize("NFKC", char).translate(_ZERO_WIDTH).translate(_TR39).casefold()
        folded = _strip_accents(folded.translate(_CONFUSABLES))
        _CHAR_CACHE[char] = folded
    return folded


def normalize(text: str) -> str:
    text = text.lower()
    if not text.isascii():
        # Character by character, so an 80 KB page with a few "©" and "–" costs only those.
        # Per character equals whole-text NFKC here: a decomposed "é" becomes "e" + a combining
        # mark, and the mark folds away.
        text = _NON_ASCII.sub(lambda match: _normalize_char(match.group(0)), text)
    if _SPLIT_LETTERS.search(text):
        text = _SPLIT_LETTERS.sub(_join_split_letters, text)
    return " ".join(text.split())


_LETTER_NEXT_TO_SYMBOL = re.compile(r"[a-z][0-9@$!€]|[0-9@$!€][a-z]")


_WORD_CHAR = re.compile(r"[\w@$!€]")


def mixed_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every word of 3+ characters that mixes letters with digits or symbols
    ("g4c0r", "slot88"). One scan for the letter-digit seams, then each word around a seam —
    pages are full of plain words and numbers, and only a few words mix them."""
    spans: list[tuple[int, int]] = []
    covered = -1
    for seam in _LETTER_NEXT_TO_SYMBOL.finditer(text):
        if seam.start() < covered:
            continue
        start, end = seam.start(), seam.end()
        while start > 0 and _WORD_CHAR.match(text[start - 1]):
            start -= 1
        while end < len(text) and _WORD_CHAR.match(text[end]):
            end += 1
        covered = end
        # Symbols at the edges are punctuation ("naga303!", "@slot88"), as a word boundary sees them.
        while start < end and text[start] in "@$!€":
            start += 1
        while end > start and text[end - 1] in "@$!€":
            end -= 1
        if end - start >= 3:
            spans.append((start, end))
    return spans


def deleet(text: str, spans: list[tuple[int, int]] | None = None) -> str:
    """Leetspeak inside words that mix letters with digits or symbols; plain numbers stay."""
    spans = mixed_spans(text) if spans is None else spans
    if not spans:
        return text
    pieces, last = [], 0
    for start, end in spans:
        pieces.append(text[last:start])
        pieces.append(text[start:end].translate(_LEET))
        last = end
    pieces.append(text[last:])
    return "".join(pieces)


