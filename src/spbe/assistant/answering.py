"""Answer one tourist message: detect the language, retrieve, decide answer or hand-off.

Read-only: conversations, events and actions are recorded by ``services``. The decision is:

* small talk (hello, thanks) → a fixed reply;
* the message reports a case (a refund, a double charge, a rejected exemption, a wish to talk to a
  person, …: ``engine.intent``) → hand off with that topic, before any retrieval;
* the best entry is a hand-off topic (refunds, double payment, …) → hand off;
* the best entry is still waiting for approval → hand off (never answer unapproved text);
* calibrated confidence below the threshold → hand off, offering the closest questions;
* several questions in one message → one cited answer per question that is confidently about an
  approved entry, plus a note when some part was not answered (none certain: the whole decides);
* otherwise → the approved answer in the tourist's language (English if not translated),
  citing the entry, optionally rephrased by a grounded language model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from . import generation, knowledge
from .engine import intent
from .engine import language as language_id
from .phrases import SMALL_TALK, phrase

MAX_QUESTION_LENGTH = 1000
# A hand-off topic (refund, double payment, …) needs less certainty than an answer: sending a
# tourist to a person by mistake costs an officer a minute, a wrong answer costs the tourist.
HANDOFF_TOPIC_MIN_CONFIDENCE = 0.3
ORDER_CODE = re.compile(r"\bLB[2-9A-HJKMNP-Z]{8}\b", re.IGNORECASE)
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


@dataclass
class Reply:
    language: str
    answer: str
    sources: list[dict] = field(default_factory=list)
    confidence: float = 0.0
    handoff: bool = False
    reason: str = ""  # answered | small_talk | topic | pending_approval | low_confidence | no_knowledge | empty
    entry_key: str = ""
    entry_pk: int | None = None
    action: str = ""  # voucher_status | voucher_resend, when the entry offers one
    candidates: list[dict] = field(default_factory=list)
    generated: bool = False

    def as_contract(self) -> dict:
        """The JSON of ``spbe assistant_ask --format json`` (keys are a contract)."""
        return {"language": self.language, "answer": self.answer, "sources": self.sources,
                "confidence": round(self.confidence, 3), "handoff": self.handoff}


def order_details(text: str) -> tuple[str, str] | None:
    """(order code, email) when a message carries both."""
    code, email = ORDER_CODE.search(text or ""), EMAIL.search(text or "")
    return (code.group(0).upper(), email.group(0).lower()) if code and email else None


def redact(text: str) -> str:
    """The message with emails, order codes and long digit runs (passports, cards) masked."""
    text = EMAIL.sub("[email]", text)
    text = ORDER_CODE.sub("[order]", text)
    return re.sub(r"\b[A-Z]{0,2}\d{6,}\b", "[number]", text)


def ask(question: str, language_hint: str | None = None, day: date | None = None, allow_generation: bool = True) -> Reply:
    question = (question or "").strip()[:MAX_QUESTION_LENGTH]
    language, _probability = language_id.detect(question, language_hint)
    if not question:
        return Reply(language, phrase("greeting", language), reason="empty")
    folded = re.sub(r"[\s!.?。！？~]+$", "", question.casefold()).strip()
    for kind, sayings in SMALL_TALK.items():
        if folded in sayings:
            return Reply(language, phrase(kind, language), confidence=1.0, reason="small_talk")

    live = knowledge.current(day)
    case = intent.detect_case(question)
    if case:
        topic = live.by_key.get(case) if live is not None else None
        sources = [_source(topic, language)] if topic is not None and topic.kind == "handoff" else []
        return Reply(language, phrase("handoff", language), sources, 1.0, True, "topic", case, topic.pk if topic else None)
    if live is None:
        return Reply(language, phrase("handoff", language), handoff=True, reason="no_knowledge")
    parts = _answer_in_parts(live, question, language)
    if parts is not None:
        return parts
    ranking, confidence, best = _retrieve(live, question, language)
    candidates = [_candidate(live.entries[int(i)], language) for i in ranking.order[:4]
                  if live.entries[int(i)].usable and live.entries[int(i)].kind == "answer"][:3]
    source = [_source(best, language)]
    if best.kind == "handoff" and confidence >= HANDOFF_TOPIC_MIN_CONFIDENCE:
        return Reply(language, phrase("handoff", language), source, confidence, True, "topic", best.key, best.pk)
    if confidence < live.index.calibration.threshold:
        return Reply(language, phrase("handoff", language), [], confidence, True, "low_confidence", candidates=candidates)
    if not best.usable:
        return Reply(language, phrase("handoff", language), [], confidence, True, "pending_approval", best.key, best.pk)

    text, answer_language = _answer_text(best, language)
    reply = Reply(language, text, source, confidence, False, "answered", best.key, best.pk, best.action)
    if allow_generation and generation.enabled():
        generated = generation.rephrase(question, language, [text])
        if generated is not None:
            reply.answer, reply.generated = generated.text, True
    elif answer_language != language and phrase("english_only", language):
        reply.answer = f"{text}\n{phrase('english_only', language)}"
    return reply


def _retrieve(live: knowledge.LiveIndex, text: str, language: str):
    """(ranking, calibrated confidence, winning entry) for a message, personal data masked first."""
    ranking = live.index.search(redact(text), language)
    return ranking, live.index.calibration.probability(ranking.features), live.entries[int(ranking.order[0])]


# A question ends at ? or ？ (a clause ending in 吗/か/까 without one is too loose a cue).
_QUESTION_END = re.compile(r"(?<=[?？])\s*")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7a3]")
MAX_PARTS = 3


def question_parts(text: str) -> list[str]:
    """The separate questions of a message ("How much is it? Do children pay?"): pieces ending
    in a question mark, each long enough to stand alone; [] for a single question."""
    pieces = [piece.strip() for piece in _QUESTION_END.split(text) if piece.strip()]
    questions = [piece for piece in pieces if piece[-1] in "?？" and len(piece) >= (4 if _CJK.search(piece) else 8)]
    return questions if 2 <= len(questions) <= MAX_PARTS else []


def _answer_in_parts(live: knowledge.LiveIndex, question: str, language: str) -> Reply | None:
    """A message with several questions: one answer per question that is confidently about an
    approved entry, in order, and a note that the others were not answered (the tourist can ask
    again or press "talk to a person"). With no certain part, the whole message decides."""
    parts = question_parts(question)
    if not parts:
        return None
    chosen: list[tuple[knowledge.IndexedEntry, float]] = []
    unsure = 0
    for part in parts:
        _ranking, confidence, best = _retrieve(live, part, language)
        if best.kind != "answer" or not best.usable or confidence < live.index.calibration.threshold:
            unsure += 1
        elif best.key not in [entry.key for entry, _ in chosen]:
            chosen.append((best, confidence))
    if not chosen or (len(chosen) < 2 and not unsure):
        return None  # nothing certain in any part, or all parts ask the same thing: decide on the whole
    texts = [_answer_text(entry, language) for entry, _ in chosen]
    answer = "\n\n".join(text for text, _ in texts)
    if any(answer_language != language for _, answer_language in texts) and phrase("english_only", language):
        answer = f"{answer}\n{phrase('english_only', language)}"
    if unsure:
        answer = f"{answer}\n\n{phrase('partly_answered', language)}"
    first = chosen[0][0]
    return Reply(language, answer, [_source(entry, language) for entry, _ in chosen], min(c for _, c in chosen), False,
                 "answered", first.key, first.pk, next((entry.action for entry, _ in chosen if entry.action), ""))


def _answer_text(entry: knowledge.IndexedEntry, language: str) -> tuple[str, str]:
    for candidate in (language, "en"):
        text = entry.texts.get(candidate)
        if text and text["answer"].strip():
            return text["answer"], candidate
    language, text = next(iter(entry.texts.items()))
    return text["answer"], language


def _question_text(entry: knowledge.IndexedEntry, language: str) -> str:
    text = entry.texts.get(language) or entry.texts.get("en") or next(iter(entry.texts.values()))
    return text["question"]


def _source(entry: knowledge.IndexedEntry, language: str) -> dict:
    return {"id": entry.key, "version": entry.version, "title": _question_text(entry, language), "url": entry.source_url}


def _candidate(entry: knowledge.IndexedEntry, language: str) -> dict:
    return {"id": entry.key, "question": _question_text(entry, language)}
