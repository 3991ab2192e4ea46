"""Answers: the command-line contract, languages, hand-off topics, small talk, and the optional
language model behind an OpenAI-compatible endpoint (a real HTTP server on loopback)."""

import json
import threading
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from spbe.assistant import generation, services
from spbe.assistant.models import KnowledgeEntry
from spbe.core.loopback import LoopbackServer, QuietHandler


def test_assistant_ask_json_contract(kb):
    out = StringIO()
    call_command("assistant_ask", "Do I pay again if I go to Lombok and come back?", "--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    assert list(data) == ["language", "answer", "sources", "confidence", "handoff"]
    assert data["language"] == "en" and data["handoff"] is False
    assert "same visit" in data["answer"] and data["sources"][0]["id"] == "once_per_visit"
    assert 0 <= data["confidence"] <= 1


def test_assistant_ask_hands_off_refunds_and_refuses_empty_questions(kb):
    out = StringIO()
    call_command("assistant_ask", "我想退款，行程取消了", "--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["language"] == "zh" and data["handoff"] is True and "值班人员" in data["answer"]
    with pytest.raises(CommandError):
        call_command("assistant_ask", "  ")


@pytest.mark.parametrize("question, language, key, fragment", [
    ("Berapa biaya pungutan untuk turis asing?", "id", "amount", "Rp150.000"),
    ("크루즈 승객도 관광세를 내나요?", "ko", "cruise", "크루즈"),
    ("Принимаете ли вы карты Visa?", "ru", "payment_methods", "Visa"),
    ("J'ai un KITAS, dois-je payer la taxe ?", "fr", "kitas", "KITAS"),
])
def test_answers_come_in_the_tourists_language(kb, question, language, key, fragment):
    reply = services.ask(question)
    assert (reply.language, reply.entry_key, reply.handoff) == (language, key, False)
    assert fragment in reply.answer


def test_an_answer_missing_in_a_language_falls_back_to_english_with_a_note(kb):
    texts = {"en": {"question": "Is there a levy office in Denpasar?", "paraphrases": ["levy office address Denpasar", "where is the levy office",
                                                                                   "Wo ist das Büro für die Abgabe in Denpasar?"],
                    "keywords": "office address Denpasar Renon", "answer": "The levy office is at the Tourism Office in Renon, Denpasar."}}
    entry, _ = services.upsert_entry("office", texts, kind=KnowledgeEntry.Kind.ANSWER, source=KnowledgeEntry.Source.STAFF)
    services.approve_entry(entry)
    reply = services.ask("Wo finde ich das Büro für die Abgabe in Denpasar?")
    assert reply.entry_key == "office" and reply.language == "de"
    assert reply.answer.startswith("The levy office") and "nicht in Ihrer Sprache" in reply.answer


def test_small_talk_gets_a_friendly_reply_not_a_handoff(kb):
    assert services.ask("Terima kasih!").reason == "small_talk"
    reply = services.ask("안녕하세요")
    assert reply.language == "ko" and not reply.handoff and "Love Bali" in reply.answer


def test_personal_data_in_a_question_is_masked_before_retrieval():
    from spbe.assistant.answering import redact

    masked = redact("My passport A12345678 and email jo@example.com, order LB7K2M9QXA")
    assert "A12345678" not in masked and "jo@example.com" not in masked and "LB7K2M9QXA" not in masked


class FakeLLM(QuietHandler):
    """An OpenAI-compatible /chat/completions that answers what the test tells it to."""

    reply = {}
    requests = []
    lock = threading.Lock()

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with self.lock:
            self.requests.append({"path": self.path, "body": body, "auth": self.headers.get("Authorization")})
        content = json.dumps(self.reply)
        self.send_body(200, {"choices": [{"message": {"role": "assistant", "content": content}}]})


@pytest.fixture
def llm(settings):
    FakeLLM.requests = []
    server = LoopbackServer(FakeLLM)
    url = server.start()
    settings.ASSISTANT_LLM_BASE_URL = url + "/v1"
    settings.ASSISTANT_LLM_API_KEY = "test-key"
    yield FakeLLM
    server.stop()


def test_generation_is_off_by_default(kb, settings):
    assert settings.ASSISTANT_LLM_BASE_URL == "" and not generation.enabled()


def test_grounded_generation_is_used_and_cites_the_passage(kb, llm):
    llm.reply = {"answer": "It costs Rp150,000 per person, once per visit.", "cited": [1]}
    reply = services.ask("How much is the levy?")
    assert reply.generated and reply.answer == "It costs Rp150,000 per person, once per visit."
    request = llm.requests[0]
    assert request["path"] == "/v1/chat/completions" and request["auth"] == "Bearer test-key"
    assert "150,000" in request["body"]["messages"][1]["content"]  # the approved passage is given


@pytest.mark.parametrize("bad", [
    {"answer": "It costs Rp100,000 per person.", "cited": [1]},  # a number not in the passage
    {"answer": "Pay at https://bali-tax.example.com quickly.", "cited": [1]},  # a link not in the passage
    {"answer": "It costs Rp150,000.", "cited": []},  # no citation
    {"answer": "conversation_handoff", "cited": [1]},
])
def test_ungrounded_generation_falls_back_to_the_curated_answer(kb, llm, bad):
    llm.reply = bad
    reply = services.ask("How much is the levy?")
    assert not reply.generated and reply.answer.startswith("The levy is Rp150,000 per person")


def test_unreachable_model_server_falls_back_to_the_curated_answer(kb, settings):
    settings.ASSISTANT_LLM_BASE_URL = "http://127.0.0.1:9/v1"  # nothing listens on the discard port
    settings.ASSISTANT_LLM_TIMEOUT = 2
    reply = services.ask("How much is the levy?")
    assert not reply.generated and "150,000" in reply.answer


def test_grounding_check():
    passage = "The levy is Rp150,000 per person. Pay only on lovebali.baliprov.go.id."
    assert generation.grounded("Rp 150,000 each, on lovebali.baliprov.go.id", [passage])
    assert not generation.grounded("Rp 150.001 each", [passage])
    assert not generation.grounded("see lovebali-pay.com", [passage])


@pytest.mark.parametrize("question, language", [
    ("徴収金はいくらですか？", "ja"), ("부담금은 얼마인가요?", "ko"), ("征费是多少钱？", "zh"),
])
def test_the_word_the_tourist_pages_use_for_the_levy_is_understood(kb, question, language):
    """ja/ko/zh pages call the levy 徴収金 / 부담금 / 征费; the knowledge base says 観光税 / 관광세 / 旅游税."""
    reply = services.ask(question, language_hint=language)
    assert (reply.language, reply.entry_key, reply.handoff) == (language, "amount", False)


def test_every_page_term_in_the_synonym_table_is_what_the_pages_say():
    from pathlib import Path

    from spbe.assistant.engine.textproc import PAGE_TERMS

    catalogs = Path(__file__).resolve().parents[2] / "src" / "spbe" / "lovebali" / "locale"
    text = " ".join(p.read_text(encoding="utf-8").casefold() for p in catalogs.glob("*/LC_MESSAGES/django.po"))
    assert all(term.replace(" ", "") in text.replace("-", "") for term in PAGE_TERMS), PAGE_TERMS


def test_question_parts_split_only_on_separate_questions():
    from spbe.assistant.answering import question_parts

    assert question_parts("How much is the levy?") == []
    assert question_parts("How much is the levy? Do children pay too?") == ["How much is the levy?", "Do children pay too?"]
    assert question_parts("入境税多少钱？孩子也要交吗？") == ["入境税多少钱？", "孩子也要交吗？"]
    assert question_parts("Hi? How much is the levy?") == []  # "Hi?" cannot stand alone
    assert question_parts("How much is it? Who has to pay? Where do I pay? When do I pay?") == []  # over three: the whole decides


@pytest.mark.parametrize("question, language, keys", [
    ("Hi! How much is the levy per person? And do children have to pay too?", "en", ["amount", "children"]),
    ("Wie viel kostet die Abgabe? Kann ich bar bezahlen?", "de", ["amount", "payment_methods"]),
    ("入境税多少钱？孩子也要交吗？", "zh", ["amount", "children"]),
])
def test_a_message_with_several_questions_is_answered_in_parts(kb, question, language, keys):
    reply = services.ask(question, language)
    assert not reply.handoff and [s["id"] for s in reply.sources] == keys
    assert reply.answer.count("\n\n") == len(keys) - 1  # one paragraph per answer, no "could not answer" note


def test_a_part_the_assistant_is_unsure_of_is_named_not_silently_dropped(kb):
    reply = services.ask("How much is the levy per person? What is the best beach in Uluwatu?", "en")
    assert not reply.handoff and [s["id"] for s in reply.sources] == ["amount"]
    assert "150,000" in reply.answer and "could not answer every question" in reply.answer
    assert services.ask("Where is a good beach? Which restaurant is best?", "en").handoff  # no certain part: the whole decides
