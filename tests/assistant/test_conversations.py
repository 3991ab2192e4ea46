"""Conversations: the bot answers, hands off to the duty roster (assignment, queue, SLA), officers
reply and resolve, tourists rate, resolved conversations become knowledge-base suggestions, and
voucher actions go through the levy module without leaking personal data."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from spbe.assistant import services
from spbe.assistant.models import Conversation, ConversationEvent, KnowledgeEntry, Message, Suggestion
from spbe.audit.models import AuditEvent
from spbe.core.roles import Role
from spbe.core.services import ConflictError, ServiceError
from tests.conftest import make_user
from tests.levy.conftest import banksim, make_order, pay  # noqa: F401  (fixture)


def test_the_bot_answers_and_the_tourist_can_close_and_rate(kb):
    conversation = services.start_conversation(language="en")
    replies = services.visitor_message(conversation, "How much is the levy?")
    assert len(replies) == 1 and "150,000" in replies[0].body and replies[0].decision == Message.Decision.ANSWER
    services.resolve(conversation)  # the tourist ends a chat the bot handled
    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.RESOLVED and conversation.resolved_by_bot
    services.rate(conversation, 5, "quick")
    conversation.refresh_from_db()
    assert conversation.csat == 5
    with pytest.raises(ConflictError):
        services.rate(conversation, 4)
    kinds = list(conversation.events.values_list("kind", flat=True))
    assert kinds == ["bot_answered", "bot_resolved", "csat"]


def test_bad_ratings_and_messages_are_refused_with_reasons(kb):
    conversation = services.start_conversation()
    with pytest.raises(ServiceError, match="empty"):
        services.visitor_message(conversation, "   ")
    with pytest.raises(ServiceError, match="too long"):
        services.visitor_message(conversation, "x" * 1001)
    with pytest.raises(ConflictError):
        services.rate(conversation, 5)  # not closed yet
    services.resolve(conversation)
    with pytest.raises(ServiceError, match="1 to 5"):
        services.rate(conversation, 9)


def test_handoff_goes_to_the_on_duty_officer_who_speaks_the_language(kb, on_shift):
    french = make_user("duty_fr", kb.world.agency_a, Role.DUTY_OFFICER)
    now = timezone.now()
    services.add_shift(french, now - timedelta(hours=1), now + timedelta(hours=3), ["fr", "en"])
    conversation = services.start_conversation(language="fr")
    services.visitor_message(conversation, "Je veux être remboursé, mon voyage est annulé")
    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.WAITING and conversation.handoff_reason == "bot:topic:refund"
    assert conversation.handoff_reason_label == "A case for an officer: Refund"
    assert conversation.assigned_to == french
    assert conversation.first_response_due > now
    # Once an officer owns the chat the bot stays quiet.
    assert services.visitor_message(conversation, "Allô ?") == []


def test_an_unclear_question_first_gets_suggestions_then_a_person(kb, on_shift):
    conversation = services.start_conversation(language="en")
    first = services.visitor_message(conversation, "What is the best surf spot near Canggu?")
    assert first[0].decision == Message.Decision.CLARIFY and first[0].candidates
    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.BOT
    second = services.visitor_message(conversation, "And where can I rent a surfboard?")
    assert second[0].decision == Message.Decision.HANDOFF
    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.WAITING and conversation.handoff_reason == "bot:low_confidence"


def test_handoff_without_anyone_on_duty_queues_and_tells_the_tourist(kb):
    conversation = services.start_conversation(language="de")
    services.request_human(conversation)
    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.WAITING and conversation.assigned_to is None
    assert "Warteschlange" in conversation.messages.last().body


def test_officer_reply_resolve_and_learning_from_the_conversation(kb, on_shift):
    conversation = services.start_conversation(language="en")
    services.visitor_message(conversation, "My tour group has 30 people, can I pay in two orders? Email me at jo@example.com")
    services.request_human(conversation)
    services.officer_reply(conversation, "Yes: one order holds up to 20 travellers, so make two orders.", by=kb.duty)
    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.HUMAN and conversation.first_human_reply_at is not None
    services.resolve(conversation, by=kb.duty)
    assert AuditEvent.objects.filter(action="assistant.conversation.resolved").exists()
    suggestion = services.mine_conversation(conversation.pk)
    assert suggestion is not None and suggestion.status == Suggestion.Status.PENDING
    assert "jo@example.com" not in suggestion.question and "[email]" in suggestion.question
    assert "20 travellers" in suggestion.answer
    assert services.mine_conversation(conversation.pk) is None  # once only
    # A near-duplicate of an existing entry is offered as another phrasing of it.
    assert suggestion.similar_entry is not None and suggestion.similar_entry.key == "group"
    entry = services.accept_suggestion(suggestion, by=kb.officer, merge_into=suggestion.similar_entry)
    assert suggestion.question in entry.texts.get(language="en").paraphrases


def test_a_new_topic_from_a_conversation_becomes_a_pending_entry(kb, on_shift):
    conversation = services.start_conversation(language="en")
    services.visitor_message(conversation, "Is there a levy office in Renon where I can ask questions in person?")
    services.request_human(conversation)
    services.officer_reply(conversation, "Yes, at the Tourism Office in Renon, Denpasar, weekdays 08:00-15:00.", by=kb.duty)
    services.resolve(conversation, by=kb.duty)
    suggestion = services.mine_conversation(conversation.pk)
    with pytest.raises(PermissionDenied):
        services.accept_suggestion(suggestion, by=kb.duty, key="office")
    with pytest.raises(ServiceError):
        services.accept_suggestion(suggestion, by=kb.officer, key="bad key!")
    entry = services.accept_suggestion(suggestion, by=kb.officer, key="office")
    assert entry.status == KnowledgeEntry.Status.PENDING and entry.source == KnowledgeEntry.Source.CONVERSATION
    assert entry.source_conversation == conversation


def test_conversations_without_an_officer_reply_teach_nothing(kb):
    conversation = services.start_conversation()
    services.visitor_message(conversation, "How much is the levy?")
    services.resolve(conversation)
    assert services.mine_conversation(conversation.pk) is None


def test_sla_breach_is_flagged_and_the_chat_goes_to_another_officer(kb, on_shift):
    second = make_user("duty_two", kb.world.agency_a, Role.DUTY_OFFICER)
    now = timezone.now()
    services.add_shift(second, now - timedelta(hours=1), now + timedelta(hours=3), ["en"])
    conversation = services.start_conversation(language="en")
    services.request_human(conversation)
    conversation.refresh_from_db()
    first = conversation.assigned_to
    assert services.sla_sweep(now + timedelta(minutes=2)) == 0
    assert services.sla_sweep(now + timedelta(minutes=10)) == 1
    conversation.refresh_from_db()
    assert conversation.sla_breached and conversation.assigned_to not in (None, first)
    assert conversation.events.filter(kind=ConversationEvent.Kind.SLA_BREACHED).exists()
    assert services.sla_sweep(now + timedelta(minutes=20)) == 0  # flagged once


def test_roster_rules(kb):
    now = timezone.now()
    with pytest.raises(ServiceError, match="end after"):
        services.add_shift(kb.duty, now, now - timedelta(hours=1), ["en"])
    with pytest.raises(ServiceError, match="24 hours"):
        services.add_shift(kb.duty, now, now + timedelta(hours=30), ["en"])
    services.add_shift(kb.duty, now, now + timedelta(hours=8), ["en"], by=kb.officer)
    with pytest.raises(ConflictError):
        services.add_shift(kb.duty, now + timedelta(hours=2), now + timedelta(hours=9), ["en"])
    with pytest.raises(ServiceError, match="not a duty officer"):
        services.add_shift(kb.world.users["staff_a"], now, now + timedelta(hours=2), ["en"])
    with pytest.raises(PermissionDenied):
        services.add_shift(kb.duty, now + timedelta(days=1), now + timedelta(days=1, hours=2), ["en"], by=kb.duty)


def test_officers_outside_the_duty_roles_cannot_reply(kb):
    conversation = services.start_conversation()
    services.request_human(conversation)
    with pytest.raises(PermissionDenied):
        services.officer_reply(conversation, "hello", by=kb.world.users["staff_a"])


def test_voucher_status_and_resend_through_the_levy_module(kb, banksim):  # noqa: F811
    order = make_order(2, email="olivia@example.com")
    pay(banksim, order)
    mail.outbox.clear()
    conversation = services.start_conversation(language="en")
    replies = services.visitor_message(conversation, "I never received my voucher email")
    assert replies[-1].decision == Message.Decision.ACTION and "order code" in replies[-1].body
    with mock.patch("spbe.levy.services.queues._enqueue_voucher_mail") as send:
        replies = services.visitor_message(conversation, f"{order.code.lower()} Olivia@Example.com")
    send.assert_called_once_with(order.pk)
    assert order.code in replies[0].body and "sent again" in replies[0].body
    # Status: payment state and counts only — never names or passport data.
    replies = services.visitor_message(conversation, f"Was my payment successful? {order.code} olivia@example.com")
    status = replies[-1].body
    assert "paid" in status and "2 of 2" in status
    for traveller in order.travellers.all():
        assert traveller.full_name not in status


def test_wrong_order_details_reveal_nothing(kb, banksim):  # noqa: F811
    order = make_order(1, email="olivia@example.com")
    conversation = services.start_conversation(language="en")
    services.visitor_message(conversation, "check my order status")
    replies = services.visitor_message(conversation, f"{order.code} someone@else.com")
    assert "no order" in replies[0].body.lower() and order.code not in replies[0].body


def test_sweep_and_import_commands(kb, on_shift):
    from io import StringIO

    from django.core.management import call_command

    conversation = services.start_conversation()
    services.request_human(conversation)
    Conversation.objects.filter(pk=conversation.pk).update(first_response_due=timezone.now() - timedelta(minutes=1))
    out = StringIO()
    call_command("assistant_sweep", stdout=out)
    assert "first-response time: 1" in out.getvalue()
    out = StringIO()
    call_command("assistant_import", stdout=out)
    assert "'created': 0" in out.getvalue().splitlines()[0]  # nothing changed since the fixture's import
