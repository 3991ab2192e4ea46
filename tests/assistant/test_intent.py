"""Cases before retrieval: messages that report a problem or ask for a review, a correction, a
refund or a person go to an officer with the right topic, in all eight languages; questions the
site answers are never taken for cases.

The case and question messages (``data/``) were written apart from the cue patterns, as tourists
write to a help desk: long, narrative, with dates, amounts and asides.
"""

import json
from pathlib import Path

import pytest

from spbe.assistant import evaluation, services
from spbe.assistant.engine.intent import CASE_PATTERNS, detect_case
from spbe.assistant.models import CASE_TOPICS, Conversation

DATA = Path(__file__).parent / "data"


def _lines(name):
    return [json.loads(line) for line in (DATA / name).read_text(encoding="utf-8").splitlines() if line.strip()]


CASES = _lines("case_messages.jsonl")
QUESTIONS = _lines("question_messages.jsonl")


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c['language']}-{c['topic']}")
def test_case_messages_are_recognised_with_their_topic(case):
    assert detect_case(case["text"]) == case["topic"]


def test_every_topic_has_a_case_in_every_language_and_a_staff_label():
    covered = {(c["topic"], c["language"]) for c in CASES}
    for topic in CASE_PATTERNS:
        assert topic in CASE_TOPICS
        if topic != "visa":
            assert {language for t, language in covered if t == topic} == {"en", "id", "zh", "ko", "ja", "ru", "fr", "de"}, topic


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q["text"][:40])
def test_questions_the_site_answers_are_not_cases(question):
    assert detect_case(question["text"]) == ""


def test_no_answerable_gold_question_or_knowledge_phrasing_reads_as_a_case():
    gold = [g["question"] for g in evaluation.load_gold() if g["expect"] != evaluation.HANDOFF]
    phrasings = [p for langs in services._data("paraphrases.json").values() for items in langs.values() for p in items]
    assert [text for text in gold + phrasings if detect_case(text)] == []


def test_a_rejected_exemption_is_handed_off_not_answered_with_how_to_apply(kb):
    reply = services.ask("My exemption was rejected but I have a student visa, please review it", "en")
    assert (reply.handoff, reply.reason, reply.entry_key) == (True, "topic", "exemption_appeal")
    reply = services.ask("I deleted the voucher email and remember neither the order code nor the email", "en")
    assert (reply.handoff, reply.entry_key) == (True, "lost_no_details")
    # The plain question still gets the site's answer.
    assert services.ask("I lost my voucher, how can I get it again?", "en").entry_key == "lost_voucher"


def test_a_case_in_the_chat_reaches_the_inbox_with_its_topic_in_words(kb, on_shift):
    conversation = services.start_conversation(language="ko")
    services.visitor_message(conversation, "면제 신청이 거절됐는데 다시 검토해 주실 수 있나요?")
    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.WAITING
    assert conversation.handoff_reason == "bot:topic:exemption_appeal"
    assert conversation.handoff_reason_label == "A case for an officer: Review of a rejected exemption"
