"""Text normalisation that undoes the usual judol obfuscations before matching.

NFKC (fullwidth, math-bold, circled letters) → drop zero-width characters → casefold →
map confusable letters (Cyrillic/Greek look-alikes, a TR39-style skeleton for the letters that
matter here) → join letters split by separators ("s.l.o.t", "c a s i n o") → squeeze spaces.
``deleet`` additionally maps digits and symbols inside words ("g4c0r" → "gacor"); it is kept
separate because brand names such as "slot88" must still be seen with their digits.
"""

from __future__ import annotations

import re
import unicodedata

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

# Three or more single letters joined by the same kind of separator: "s.l.o.t", "c a s i n o".
_SPLIT_LETTERS = re.compile(r"(?<![\w])[a-z]([ .\-_*·•|/+])(?:[a-z]\1){1,}[a-z](?![\w])")

_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "@": "a", "$": "s",
                       "!": "i", "€": "e"})
_MIXED_WORD = re.compile(r"\b(?=[\w@$!€]*[a-z])(?=[\w@$!€]*[0-9@$!€])[\w@$!€]{3,}\b")


_HAS_ZERO_WIDTH = re.compile("[" + "".join(map(chr, _ZERO_WIDTH)) + "]")
_HAS_CONFUSABLE = re.compile("[" + re.escape("".join(map(chr, _CONFUSABLES))) + "]")


def normalize(text: str) -> str:
    if text.isascii():
        text = text.lower()
    else:
        # Each step only when needed: most pages have a few non-ASCII characters (©, –).
        if not unicodedata.is_normalized("NFKC", text):
            text = unicodedata.normalize("NFKC", text)
        if _HAS_ZERO_WIDTH.search(text):
            text = text.translate(_ZERO_WIDTH)
        text = text.casefold()
        if _HAS_CONFUSABLE.search(text):
            text = text.translate(_CONFUSABLES)
    if _SPLIT_LETTERS.search(text):
        text = _SPLIT_LETTERS.sub(lambda m: m.group(0).replace(m.group(1), ""), text)
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
