"""The knowledge base: built from the Love Bali FAQ in eight languages, approval, versions,
effective dates, and the rule that nothing unapproved or expired is ever answered."""

import json
from datetime import timedelta
from importlib import resources

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from spbe.assistant import knowledge, services
from spbe.assistant.models import LANGUAGES, EntryText, KnowledgeEntry
from spbe.audit.models import AuditEvent
from spbe.core.services import ConflictError, ServiceError


def test_import_builds_pending_entries_in_every_language_with_numbers_from_policy(levy, settings):
    counts = services.import_site_faq()
    assert counts["created"] == 32
    entry = KnowledgeEntry.objects.get(key="amount")
    assert entry.status == KnowledgeEntry.Status.PENDING and entry.source == KnowledgeEntry.Source.SITE
    assert {t.language for t in entry.texts.all()} == set(LANGUAGES)
    assert "150,000" in entry.texts.get(language="en").answer
    assert "150.000" in entry.texts.get(language="id").answer  # the amount in the language's own format
    validity = KnowledgeEntry.objects.get(key="validity").texts.get(language="de").answer
    assert str(settings.LEVY_VOUCHER_VALID_DAYS) in validity
    assert KnowledgeEntry.objects.get(key="lost_voucher").action == KnowledgeEntry.Action.VOUCHER_RESEND
    assert services.import_site_faq() == {"created": 0, "updated": 0, "unchanged": 32}  # idempotent


def test_nothing_is_answered_before_approval(levy):
    services.import_site_faq()
    services.import_handoff_topics()
    knowledge.forget()
    reply = services.ask("How much is the levy?")
    assert reply.handoff and reply.reason in ("pending_approval", "low_confidence")
    assert "150,000" not in reply.answer


def test_approved_entries_answer_and_cite_their_source(kb):
    reply = services.ask("Do cruise passengers have to pay the levy?")
    assert not reply.handoff and reply.entry_key == "cruise"
    assert reply.sources[0]["id"] == "cruise" and reply.sources[0]["url"] == "/lovebali/faq/#cruise"
    assert AuditEvent.objects.filter(action="assistant.entry.approved").count() == KnowledgeEntry.objects.count()


def test_a_changed_answer_waits_for_approval_while_the_old_version_keeps_answering(kb):
    amount = KnowledgeEntry.objects.get(key="amount", version=1)
    texts = {t.language: {"question": t.question, "paraphrases": list(t.paraphrases), "keywords": t.keywords, "answer": t.answer}
             for t in amount.texts.all()}
    texts["en"]["answer"] = "The levy is Rp175,000 per person."
    new = services.edit_entry(amount, texts, by=kb.officer)
    assert new.version == 2 and new.status == KnowledgeEntry.Status.PENDING
    assert "150,000" in services.ask("How much is the levy?").answer  # v1 still in force
    services.approve_entry(new, by=kb.officer)
    amount.refresh_from_db()
    assert amount.status == KnowledgeEntry.Status.RETIRED and amount.effective_to == timezone.localdate() - timedelta(days=1)
    assert "175,000" in services.ask("How much is the levy?").answer


def test_a_version_approved_for_a_future_date_takes_over_on_that_day(kb):
    amount = KnowledgeEntry.objects.get(key="amount")
    texts = {t.language: {"question": t.question, "paraphrases": list(t.paraphrases), "keywords": t.keywords, "answer": t.answer}
             for t in amount.texts.all()}
    texts["en"]["answer"] = "From next month the levy is Rp200,000 per person."
    new = services.edit_entry(amount, texts, by=kb.officer)
    start = timezone.localdate() + timedelta(days=30)
    services.approve_entry(new, by=kb.officer, effective_from=start)
    assert "150,000" in services.ask("How much is the levy?").answer
    assert "200,000" in services.ask("How much is the levy?", day=start).answer
    assert "150,000" in services.ask("How much is the levy?", day=start - timedelta(days=1)).answer


def test_expired_and_retired_entries_are_never_answered(kb):
    cruise = KnowledgeEntry.objects.get(key="cruise")
    services.retire_entry(cruise, by=kb.officer)
    reply = services.ask("Do cruise passengers have to pay the levy?")
    assert reply.entry_key != "cruise" or reply.handoff
    assert "cruise agent" not in reply.answer


def test_a_pending_draft_sends_matching_questions_to_a_person(kb):
    draft = json.loads(resources.files("spbe.assistant").joinpath("data/pending_drafts.json").read_text())["qris_abroad"]
    texts = {lang: {"question": q, "paraphrases": p, "keywords": "", "answer": a} for lang, (q, p, a) in draft["texts"].items()}
    entry, _ = services.upsert_entry("qris_abroad", texts, kind=KnowledgeEntry.Kind.ANSWER, source=KnowledgeEntry.Source.STAFF)
    reply = services.ask("Can I pay the levy with a QR app from my own country?")
    assert reply.handoff and "Draft" not in reply.answer
    services.approve_entry(entry, by=kb.officer)
    reply = services.ask("Can I pay the levy with a QR app from my own country?")
    assert not reply.handoff and reply.entry_key == "qris_abroad" and "Draft" in reply.answer


def test_only_levy_officers_approve(kb):
    pending, _ = services.upsert_entry("x-topic", {"en": {"question": "Q?", "paraphrases": [], "keywords": "", "answer": "A."}},
                                       kind=KnowledgeEntry.Kind.ANSWER, source=KnowledgeEntry.Source.STAFF)
    with pytest.raises(PermissionDenied):
        services.approve_entry(pending, by=kb.duty)
    services.approve_entry(pending, by=kb.officer)
    with pytest.raises(ConflictError):
        services.approve_entry(pending, by=kb.officer)


def test_bad_entries_are_refused_with_a_reason(kb):
    with pytest.raises(ServiceError, match="answer in en is empty"):
        services.upsert_entry("empty", {"en": {"question": "Q?", "answer": " "}}, kind="answer", source="staff")
    with pytest.raises(ServiceError, match="Unsupported language"):
        services.upsert_entry("klingon", {"tlh": {"question": "Q?", "answer": "A"}}, kind="answer", source="staff")


def test_gold_questions_are_not_in_the_knowledge_base(kb):
    """The evaluation would mean nothing if its questions were indexed."""
    gold = [json.loads(line) for line in resources.files("spbe.assistant").joinpath("data/gold.jsonl").read_text().splitlines()]
    indexed = set()
    for entry in KnowledgeEntry.objects.prefetch_related("texts"):
        for text in entry.texts.all():
            indexed |= {text.question.casefold().strip(), *(p.casefold().strip() for p in text.paraphrases)}
    drafts = json.loads(resources.files("spbe.assistant").joinpath("data/pending_drafts.json").read_text())
    for draft in drafts.values():
        for question, paraphrases, _answer in draft["texts"].values():
            indexed |= {question.casefold(), *(p.casefold() for p in paraphrases)}
    negatives = resources.files("spbe.assistant").joinpath("data/calibration_negatives.txt").read_text().casefold().splitlines()
    for item in gold:
        assert item["question"].casefold().strip() not in indexed, item
        assert item["question"].casefold().strip() not in negatives, item


def test_realistic_calibration_messages_are_apart_from_gold_and_the_knowledge_base(kb):
    """They choose the answer threshold, so they must never be what the assistant is measured on."""
    from spbe.assistant import calibration, evaluation

    gold = {item["question"].casefold().strip() for item in evaluation.load_gold()}
    indexed = set()
    for text in EntryText.objects.all():
        indexed |= {text.question.casefold().strip(), *(p.casefold().strip() for p in text.paraphrases)}
    keys = set(KnowledgeEntry.objects.values_list("key", flat=True))
    messages = calibration.realistic_messages()
    assert len(messages) >= 100 and {m["language"] for m in messages} == {"en", "id", "zh", "ko", "ja", "ru", "fr", "de"}
    for message in messages:
        text = message["message"].casefold().strip()
        assert text not in gold and text not in indexed, message
        assert message["expect"] == calibration.HANDOFF or set(message["expect"].split("|")) <= keys, message


def test_a_restart_loads_the_fitted_calibration_instead_of_refitting(kb, monkeypatch):
    from spbe.assistant.engine.retrieval import Index

    fitted = knowledge.current().index.calibration
    knowledge.forget()

    def refit(*args, **kwargs):
        raise AssertionError("refitted although nothing changed")

    monkeypatch.setattr(Index, "calibrate", refit)
    loaded = knowledge.current().index.calibration
    assert loaded.threshold == fitted.threshold and list(loaded.weights) == list(fitted.weights)
    # Any change to what the model depends on (here the wrong-answer target) fits it again.
    monkeypatch.undo()
    knowledge.forget()
    monkeypatch.setattr("django.conf.settings.ASSISTANT_MAX_WRONG_RATE", 0.05)
    assert knowledge.current().index.calibration.threshold <= fitted.threshold
