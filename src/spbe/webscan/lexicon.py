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

from .normalize import deleet, mixed_spans

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

# English and international casino / betting spam (the copy is often translated or reused).
for phrase in (
    "online casino", "casino online", "best online casino", "casino bonus", "casino games", "real money casino",
    "crypto casino", "bitcoin casino", "no deposit bonus", "free spins", "welcome bonus", "deposit bonus",
    "slot machines", "online slots", "slot machine", "play slots", "slots online", "jackpot slots", "progressive jackpot",
    "sportsbook", "sports betting", "online betting", "betting site", "betting odds", "bet now", "place your bet",
    "live dealer", "live roulette", "roulette online", "online poker", "poker online", "texas holdem",
    "baccarat online", "blackjack online", "bookmaker", "best odds", "casino site", "gambling site", "online gambling",
    "win real money", "withdraw instantly", "instant withdrawal", "high rtp", "rtp rate", "megaways", "bonus buy",
):
    TERMS[phrase] = STRONG
for phrase in ("casino", "roulette", "blackjack", "baccarat", "betting", "wager", "jackpot", "sportsbet",
               "gambling", "odds", "bets", "slots", "poker", "pokies"):
    TERMS[phrase] = MEDIUM if phrase not in ("odds", "bets") else WEAK

# Euphemisms spam uses to avoid the obvious words, and the jargon of "bocoran"/"pola" posts.
for phrase in (
    "toto daring", "toto online", "hiburan digital", "permainan digital berhadiah", "peluang jp", "peluang maxwin",
    "jam hoki", "jam gacor", "pola gacor", "info gacor", "room gacor", "situs gacor", "link gacor", "akun gacor",
    "auto jp", "jp besar", "cuan harian", "cuan maksimal", "modal kecil", "modal 10rb", "modal 10 ribu",
    "deposit 10rb", "deposit 5rb", "depo 10k", "depo 5k", "via qris", "tanpa potongan", "wd lancar", "withdraw cepat",
    "agen resmi", "bandar resmi", "bandar terpercaya", "situs resmi slot", "provider terbaik", "winrate tinggi",
    "rtp gacor", "bocoran rtp", "prediksi jitu", "angka jitu", "nomor jitu", "colok bebas", "shio hari ini",
    "paito", "data hk", "data sgp", "live draw hk", "live draw sgp", "result macau", "toto hk", "toto sgp",
    "sabung ayam online", "tembak ikan", "slot qris", "slot via dana", "slot tanpa potongan", "mix parlay",
    "judi bola", "bandar bola", "agen bola", "taruhan bola", "odds bola", "link slot", "akun demo slot",
    "free chip", "freechip", "bonus deposit", "bonus harian", "bonus rollingan", "event scatter", "scatter naga",
):
    TERMS[phrase] = STRONG
for phrase in ("situs hiburan", "hiburan online", "permainan online berhadiah", "main sekarang", "daftar akun",
               "akun baru", "wd", "deposit", "rtp", "pola", "bocoran", "prediksi", "parlay", "jitu", "hoki"):
    TERMS.setdefault(phrase, MEDIUM if phrase not in ("wd", "deposit", "pola", "prediksi", "hoki") else WEAK)

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
# Roots that mark a URL word as gambling wherever they occur in it ("slotgacor77", "situscasino").
_URL_ROOTS = ("slot", "gacor", "togel", "maxwin", "casino", "kasino", "sbobet", "scatter", "mahjong", "jackpot",
              "betting", "sportsbook", "roulette", "baccarat", "parlay", "pragmatic", "olympus", "zeus", "bonanza",
              "judol", "toto4d", "poker", "domino", "freespin", "freebet")
# Words that count only on their own or with digits ("toto", "toto88", "4d", "qq99", "bet365"):
# inside longer words they are ordinary ("fototoko", "judicial", "smartphone", "alphabet").
_URL_WORDS = ("toto", "judi", "rtp", "qq", "bet", "jp", "hoki", "cuan", "jitu", "4d", "situs", "bandar", "agen")
# Brand domains glue ordinary words together ("situstotomacau", "bandarbolajitu"): two of these
# inside one token make it gambling, one alone does not ("fototoko", "bolaroma").
_COMPOUND_PARTS = ("situs", "toto", "macau", "bandar", "hoki", "cuan", "jitu", "judi", "bola", "4d", "jp",
                   "sgp", "hk", "sdy", "rtp", "mpo", "qq")
_URL_TOKEN = re.compile(r"[a-z0-9]+")
_GAMBLING_TLDS = ("bet", "casino", "poker", "bingo", "lotto")  # ICANN top-level domains for gambling
_WITH_DIGITS = re.compile(r"^(?:\d*)([a-z]+)(?:\d*)$")


_ORDINARY_SLOT = ("slot", "slots", "timeslot", "timeslots")  # "/slot-pendaftaran", booking time slots


def _hint_automaton() -> ahocorasick.Automaton:
    automaton = ahocorasick.Automaton()
    for word in {*_URL_ROOTS, *_URL_WORDS, *_COMPOUND_PARTS, *_ORDINARY_SLOT, *_GAMBLING_TLDS}:
        automaton.add_word(word, word)
    automaton.make_automaton()
    return automaton


_HINTS = _hint_automaton()


def gambling_url_words(url_text: str) -> list[str]:
    """The words of a host or path that mark it as a gambling address. A plain "slot" counts
    only next to another gambling word ("/slot-gacor", not "/slot-pendaftaran")."""
    url_text = url_text.lower()
    if next(_HINTS.iter(url_text), None) is None:
        return []  # most addresses on a page ("/kategori/12") contain none of the words at all
    found, plain_slot = [], False
    host = url_text.split(" ", 1)[0]
    if "." in host and host.rsplit(".", 1)[-1] in _GAMBLING_TLDS:
        found.append(host.rsplit(".", 1)[-1])
    for token in _URL_TOKEN.findall(url_text.lower()):
        if token in _ORDINARY_SLOT:
            plain_slot = True
            continue
        if any(root in token for root in _URL_ROOTS):
            found.append(token)
            continue
        if len(token) >= 7 and sum(part in token for part in _COMPOUND_PARTS) >= 2:
            found.append(token)
            continue
        bare = _WITH_DIGITS.match(token)
        word = bare.group(1) if bare else ""
        if word in _URL_WORDS and (word not in ("situs", "bandar", "agen") or token != word):
            # "situs"/"bandar"/"agen" alone are ordinary words; with digits they are brands.
            if word in ("situs", "bandar", "agen", "bet", "qq", "jp") and token == word:
                continue
            found.append(token)
    return found + ["slot"] if found and plain_slot else found




def _automaton() -> ahocorasick.Automaton:
    automaton = ahocorasick.Automaton()
    for term, weight in TERMS.items():
        # Padded with spaces: matched against text whose punctuation is blanked, the automaton
        # itself only reports whole words ("bet" never fires inside "alphabet").
        automaton.add_word(f" {term} ", (term, weight))
    automaton.make_automaton()
    return automaton


_AUTOMATON = _automaton()
_NOT_WORD = re.compile(r"[^a-z0-9 ]")


@dataclass(frozen=True)
class Hit:
    term: str
    weight: float
    start: int


def find(text: str) -> list[Hit]:
    """Terms in normalised text (see ``normalize``), on word boundaries, longest match wins."""
    mixed = mixed_spans(text)
    leet = deleet(text, mixed) if mixed else text  # same length: the leet map is one character for one
    candidates = []
    spaced = f" {_NOT_WORD.sub(' ', leet)} "  # same length plus the two pads
    for end, (term, weight) in _AUTOMATON.iter(spaced):
        start = end - len(term) - 1  # in ``leet``: the pattern is " term ", ``spaced`` is shifted by one
        candidates.append((start, start + len(term), term, weight))
    for start, end in mixed:  # brand names are letters followed by digits: always a mixed word
        for match in BRAND.finditer(text, start, end):
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


# Words of pages that explain or fight judol (news, campaigns, glossaries, research, court
# rulings). Hidden content or a link inside such a block is not by itself an injection.
_ANTI = re.compile(
    r"(?<!anti )\b(?:blokir|diblokir|memblokir|pemblokiran|berantas|memberantas|pemberantasan|bahaya|waspada|"
    r"waspadai|stop judi|stop judol|tolak judi|jerat|terjerat|pidana|penjara|dilarang|larangan|melarang|laporkan|"
    r"melaporkan|aduan|aduankonten|kecanduan|korban|glosarium|istilah|penelitian|responden|contoh iklan|modus|"
    r"ditangkap|tersangka|terdakwa|penipuan|sosialisasi|literasi|imbauan|mengimbau|satgas|ppatk|kuhp|uu ite|"
    r"hoaks|takedown|rehabilitasi|jangan|hindari|menjauhi|ancaman|kejahatan|"
    r"analisis|menganalisis|dianalisis|wacana|kajian|peneliti|jurnal|sampel|"
    # English: warnings, help and law
    r"illegal|banned|ban|blocked|block|addiction|addicted|addictive|helpline|counsell?ors?|counsell?ing|"
    r"warning|warns?|scams?|victims?|arrested|police|prosecuted|harm|harmful|problem gambling|recovery|"
    r"self-exclusion|researchers?|survey|prevention)\b")


def anti_judol_context(text: str) -> bool:
    """The text reads as reporting on or fighting gambling (two such words, or one in a short text)."""
    found = len(_ANTI.findall(text))
    return found >= 2 or (found == 1 and len(text) < 160)


def anti_judol_strength(text: str) -> int:
    """How many different reporting/fighting words the text uses ("diblokir", "korban", "satgas")."""
    return len(set(_ANTI.findall(text)))


# A whole page using this many different such words is an article about judol, not a doorway.
ANTI_ARTICLE = 3
