"""Realistic calibration samples for the answer threshold.

The knowledge base's own phrasings are short and close to the entries; what tourists type is
long, narrative, misspelt, mixed with other languages and often holds several questions. A
threshold fitted only on the KB's phrasings therefore hands off most real questions. Two kinds of
samples bring the calibration closer to real messages:

* ``data/calibration_realistic.jsonl`` — messages written the way people write in travel forums
  and to help desks, each labelled with the entries that answer it (``a|b``: either part of a
  two-question message) or ``HANDOFF``. Written apart from the gold set (a test checks that no
  message is shared) and never used to measure the assistant.
* framed phrasings — one phrasing per entry and language, put inside a greeting and a story
  (``data/calibration_frames.json``) with a deterministic typo, and asked with the original
  phrasing left out of the index; the out-of-scope negatives are framed the same way, so length
  alone never tells a question from an out-of-scope one. They help fit the model (entries
  without hand-written messages get long, noisy examples too) but do not choose the threshold:
  a framed phrasing is harder than a real message, and on 5-fold cross-validation over the
  realistic messages letting them choose it cost a tenth of the answers for no fewer mistakes.

* "this didn't help" — recent answers tourists marked in the chat (``knowledge.not_helpful_questions``,
  one per conversation, redacted): the entry that answered counts as wrong for that question.

Messages that ``engine.intent`` routes to a person never reach the threshold and are left out.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from importlib import resources

from .engine import intent
from .engine.retrieval import Sample

HANDOFF = "HANDOFF"
# A hand-written realistic message counts as much as this many framed or leave-one-out rows.
REALISTIC_WEIGHT = 8.0
FRAMED_WEIGHT = 1.0
# A tourist's "this didn't help" is a weaker label (some press it at an answer they dislike).
NOT_HELPFUL_WEIGHT = 2.0


def _text(name: str) -> str:
    return resources.files("spbe.assistant").joinpath(f"data/{name}").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def realistic_messages() -> tuple[dict, ...]:
    return tuple(json.loads(line) for line in _text("calibration_realistic.jsonl").splitlines() if line.strip())


@lru_cache(maxsize=1)
def frames() -> dict[str, list[str]]:
    return json.loads(_text("calibration_frames.json"))


def _pick(seed: str, count: int) -> int:
    return int(hashlib.sha256(seed.encode()).hexdigest()[:8], 16) % count


def typo(text: str, seed: str) -> str:
    """A deterministic slip of the finger: two neighbouring letters of one longer word swapped
    (alphabetic scripts), or the final punctuation dropped (every script)."""
    words = text.split(" ")
    candidates = [i for i, word in enumerate(words)
                  if len(word) >= 5 and word.isalpha() and (word.isascii() or "\u0400" <= word[0] <= "\u04ff")]
    text = text.rstrip("?？!！.。 ")
    if not candidates:
        return text
    index = candidates[_pick(seed, len(candidates))]
    word = words[index]
    at = 1 + _pick(seed + "at", len(word) - 2)
    words[index] = word[:at] + word[at + 1] + word[at] + word[at + 2:]
    return " ".join(words).rstrip("?？!！.。 ")


def framed(text: str, language: str, seed: str) -> str:
    options = frames().get(language) or frames()["en"]
    frame = options[_pick(seed, len(options))]
    core = typo(text, seed) if _pick(seed + "typo", 2) else text
    return frame.replace("{q}", core)


def samples(index, entries, negatives: list[tuple[str, str]], not_helpful: list[tuple[str, str, str]] = ()) -> list[Sample]:
    """Calibration samples for ``index`` over ``entries`` (``knowledge.IndexedEntry`` in index order);
    ``not_helpful``: (question, language, entry key) a tourist said the answer did not help with."""
    return [*realistic_samples(entries), *framed_samples(index, entries, negatives), *feedback_samples(entries, not_helpful)]


def _not_answered(entries) -> frozenset:
    """Positions of winners that are never answered from: hand-off topics, entries awaiting approval."""
    return frozenset(p for p, entry in enumerate(entries) if entry.kind != "answer" or not entry.usable)


def realistic_samples(entries) -> list[Sample]:
    """The hand-written messages whose entries are all in force, minus those intent routes to a person."""
    position_of = {entry.key: position for position, entry in enumerate(entries)}
    not_answered = _not_answered(entries)
    result: list[Sample] = []
    for message in realistic_messages():
        expected = message["expect"]
        if intent.detect_case(message["message"]):
            continue
        answers: frozenset = frozenset()
        if expected != HANDOFF:
            keys = expected.split("|")
            if any(key not in position_of for key in keys):
                continue  # an entry not in force: the message says nothing about this knowledge base
            answers = frozenset(position_of[key] for key in keys)
        result.append(Sample(message["message"], message["language"], answers, skip_if_top=not_answered, weight=REALISTIC_WEIGHT))
    return result


def framed_samples(index, entries, negatives: list[tuple[str, str]]) -> list[Sample]:
    """One framed phrasing per approved entry and language, and the framed out-of-scope negatives;
    they help fit the model but do not choose the threshold."""
    not_answered = _not_answered(entries)
    chosen: dict[tuple[int, str], int] = {}
    for position, phrasing in enumerate(index.phrasings):
        if phrasing.role == "paraphrase" and entries[phrasing.entry].kind == "answer":
            key = (phrasing.entry, phrasing.language)
            # One phrasing per entry and language, picked by a stable hash of its text.
            if key not in chosen or _pick(phrasing.text, 1 << 30) < _pick(index.phrasings[chosen[key]].text, 1 << 30):
                chosen[key] = position
    result: list[Sample] = []
    for (entry, language), position in sorted(chosen.items()):
        phrasing = index.phrasings[position]
        if not entries[entry].usable:
            continue
        text = framed(phrasing.text, language, phrasing.text)
        if intent.detect_case(text):
            continue
        result.append(Sample(text, language, frozenset({entry}), exclude=position, skip_if_top=not_answered,
                             weight=FRAMED_WEIGHT, sets_threshold=False))
    for text, language in negatives:
        result.append(Sample(framed(text, language, text), language, skip_if_top=not_answered, weight=FRAMED_WEIGHT,
                             sets_threshold=False))
    return result


def feedback_samples(entries, not_helpful: list[tuple[str, str, str]]) -> list[Sample]:
    """Each "this didn't help": only says that this entry was wrong for the question, so it counts
    only when that entry wins again."""
    position_of = {entry.key: position for position, entry in enumerate(entries)}
    not_answered = _not_answered(entries)
    return [Sample(text, language, only_if_top=frozenset({position_of[key]}), skip_if_top=not_answered, weight=NOT_HELPFUL_WEIGHT)
            for text, language, key in not_helpful if key in position_of]
