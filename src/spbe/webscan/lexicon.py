"""Weighted gambling lexicon, matched with Aho-Corasick on word boundaries.

Strong terms are promotion jargon that ordinary government text never uses; medium terms are
game/provider names and payment phrases; weak terms (slot, jackpot, bonus, ...) count only
next to others and never make a finding alone. Brand names ("slot88", "mpo777") come from a
pattern. Scores count *distinct* terms so a page repeating one word is not inflated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import ahocorasick

from .normalize import deleet, has_mixed_words

STRONG = 3.0
MEDIUM = 1.5
WEAK = 0.4

TERMS: dict[str, float] = {}
for phrase in (
    "slot gacor", "gacor hari ini", "maxwin", "max win", "auto maxwin", "scatter hitam", "rtp live", "rtp slot",
    "pola slot", "bocoran slot", "anti rungkad", "spin gacor", "situs toto", "situs togel", "bandar togel",
    "prediksi togel", "toto macau", "hk pools", "keluaran sgp", "keluaran hk", "pengeluaran sgp", "pengeluaran hk",
    "bonus new member", "deposit pulsa", "depo pulsa", "wd cepat", "wd kilat", "langsung cair", "link alternatif",
    "daftar slot", "login slot", "akun pro", "akun vip", "server thailand", "server kamboja", "slot online",
    "judi slot", "situs slot", "slot terpercaya", "situs judi", "agen slot", "agen togel", "judi online terpercaya",
    "slot deposit", "slot dana", "slot pulsa", "mahjong ways", "gates of olympus", "sweet bonanza",
    "starlight princess", "slot zeus", "scatter", "rtp tertinggi", "gampang menang", "pasti jp", "jp paus",
    "freebet", "free bet", "buy spin", "slot demo", "togel online", "casino online", "live casino",
    "sbobet", "joker123", "slot88", "bet kecil", "modal receh",
):
    TERMS[phrase] = STRONG
for phrase in (
    "pragmatic play", "pg soft", "habanero", "microgaming", "spadegaming", "live draw", "4d", "toto", "togel",
    "deposit dana", "deposit ovo", "deposit gopay", "depo", "cashback", "rollingan", "turnover", "jackpot",
    "spaceman", "olympus", "bonanza", "taruhan", "bandar", "judi", "gacor", "jackpot besar", "menang besar",
    "hubungi admin", "link di bio", "daftar sekarang", "klaim bonus", "member baru",
)  :
    TERMS.setdefault(phrase, MEDIUM)
for phrase in ("slot", "bonus", "spin", "hoki", "cuan", "casino", "kasino", "bola", "member", "jp", "menang", "poker"):
    TERMS.setdefault(phrase, WEAK)

# Spam also writes phrases without spaces ("slotgacor", "bonusnewmember").
for phrase in [t for t, w in TERMS.items() if w == STRONG and " " in t]:
    TERMS.setdefault(phrase.replace(" ", ""), STRONG)

# "judi"/"togel"/"toto" are mentioned in news about fighting judol too; the classifier and
# structural signals decide, not these words.

BRAND = re.compile(
    r"\b[a-z]{0,10}(?:slot|toto|togel|gacor|bet|mpo|qq|poker|domino|win|zeus|jp|hoki|cuan|spin|olympus)"
    r"[a-z]{0,8}\d{2,4}\b"
)
# Throwaway gambling domains: a word plus digits on a cheap TLD ("naga303.site", "dewa99.bet").
BRAND_DOMAIN = re.compile(
    r"^(?:[a-z0-9-]+\.)?[a-z]{3,15}\d{2,4}\.(?:xyz|vip|pro|site|icu|top|bet|online|club|win|link|fun|live|cc|me|"
    r"asia|store|shop|art|lol|sbs|cfd|homes|boats|quest|monster)$"
)
GAMBLING_URL = re.compile(
    r"(slot|gacor|togel|toto|maxwin|judi|casino|sbobet|rtp|bet\d|poker|domino|qq|scatter|mahjong|zeus|olympus)",
    re.IGNORECASE,
)


def _automaton() -> ahocorasick.Automaton:
    automaton = ahocorasick.Automaton()
    for term, weight in TERMS.items():
        automaton.add_word(term, (term, weight))
    automaton.make_automaton()
    return automaton


_AUTOMATON = _automaton()


@dataclass(frozen=True)
class Hit:
    term: str
    weight: float
    start: int


def find(text: str) -> list[Hit]:
    """Terms in normalised text (see ``normalize``), on word boundaries, longest match wins."""
    mixed = has_mixed_words(text)
    leet = deleet(text) if mixed else text  # same length: the leet map is one character for one
    candidates = []
    for end, (term, weight) in _AUTOMATON.iter(leet):
        start = end - len(term) + 1
        if (start > 0 and leet[start - 1].isalnum()) or (end + 1 < len(leet) and leet[end + 1].isalnum()):
            continue
        candidates.append((start, end + 1, term, weight))
    if mixed:  # brand names are letters followed by digits
        for match in BRAND.finditer(text):
            candidates.append((match.start(), match.end(), match.group(0), MEDIUM))
    candidates.sort(key=lambda c: (c[0], -(c[1] - c[0])))
    hits, covered_until = [], -1
    for start, end, term, weight in candidates:
        if end <= covered_until:
            continue  # inside a longer match ("slot" within "slot gacor")
        hits.append(Hit(term, weight, start))
        covered_until = max(covered_until, end)
    return hits


def score(hits: list[Hit]) -> float:
    distinct: dict[str, float] = {}
    for hit in hits:
        distinct[hit.term] = hit.weight
    return round(sum(distinct.values()), 2)


def strong_terms(hits: list[Hit]) -> set[str]:
    return {h.term for h in hits if h.weight >= STRONG}
