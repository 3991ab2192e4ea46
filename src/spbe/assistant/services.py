"""Every write of the assistant: knowledge base, conversations and hand-off, roster, canned
replies, webhook channels; plus the read-only ``ask`` and ``analytics`` other modules use.

``by=None`` means the system (commands, tasks, demo data) and skips the rights check; officers'
and reviewers' actions are checked through ``core.permissions`` and written to the audit log.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from datetime import date, datetime, timedelta
from importlib import resources

import httpx
import numpy as np
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Avg, Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from spbe.audit import services as audit
from spbe.core import keys, outbound, permissions
from spbe.core.services import ConflictError, ServiceError
from spbe.levy import services as levy
from spbe.lovebali import services as lovebali

from . import answering, knowledge
from .answering import Reply
from .models import (
    LANGUAGES,
    CannedReply,
    Channel,
    Conversation,
    ConversationEvent,
    DutyShift,
    EntryText,
    KnowledgeEntry,
    Message,
    Suggestion,
    handoff_reason_label,
)
from .phrases import phrase

ask = answering.ask
order_details = answering.order_details

SITE_ACTIONS = {"lost_voucher": KnowledgeEntry.Action.VOUCHER_RESEND, "voucher_status": KnowledgeEntry.Action.VOUCHER_STATUS}
SIMILAR_MIN_CONFIDENCE = 0.5
OPEN_STATUSES = (Conversation.Status.WAITING, Conversation.Status.HUMAN)


def institution():
    return levy.levy_institution()


def _data(name: str):
    return json.loads(resources.files("spbe.assistant").joinpath(f"data/{name}").read_text(encoding="utf-8"))


# --- knowledge base ---------------------------------------------------------------------


def _latest(key: str) -> KnowledgeEntry | None:
    return KnowledgeEntry.objects.filter(institution=institution(), key=key).order_by("-version").first()


def entry_texts(entry: KnowledgeEntry) -> dict:
    """An entry's texts as ``upsert_entry`` takes them: language → question, phrasings, key terms, answer."""
    return {t.language: {"question": t.question, "paraphrases": list(t.paraphrases), "keywords": t.keywords, "answer": t.answer}
            for t in entry.texts.all()}


def _write_texts(entry: KnowledgeEntry, texts: dict) -> None:
    entry.texts.all().delete()
    EntryText.objects.bulk_create([
        EntryText(entry=entry, language=lang, question=t["question"][:500], paraphrases=t.get("paraphrases", []),
                  keywords=t.get("keywords", "")[:500], answer=t.get("answer", ""))
        for lang, t in texts.items()
    ])


@transaction.atomic
def upsert_entry(key: str, texts: dict, *, kind: str, source: str, source_url: str = "", action: str = "",
                 by=None, effective_from: date | None = None, source_conversation=None) -> tuple[KnowledgeEntry, str]:
    """Create or update an entry from a source. Returns (entry, what happened).

    New content always waits for approval: a new key becomes a pending v1; changed text of an
    approved entry becomes a pending next version while the approved one keeps answering.
    """
    permissions.require_unless_system(by, "assistant.add_knowledgeentry")
    unknown = set(texts) - set(LANGUAGES)
    if unknown:
        raise ServiceError(_("Unsupported language: %(codes)s.") % {"codes": ", ".join(sorted(unknown))})
    for lang, text in texts.items():
        if not text.get("question", "").strip():
            raise ServiceError(_("The question in %(lang)s is empty.") % {"lang": lang}, field="question")
        if kind == KnowledgeEntry.Kind.ANSWER and not text.get("answer", "").strip():
            raise ServiceError(_("The answer in %(lang)s is empty.") % {"lang": lang}, field="answer")
    latest = _latest(key)
    today = timezone.localdate()
    if latest is not None and latest.status in (KnowledgeEntry.Status.APPROVED, KnowledgeEntry.Status.PENDING):
        if entry_texts(latest) == texts and latest.kind == kind and latest.action == action:
            return latest, "unchanged"
        if latest.status == KnowledgeEntry.Status.PENDING:
            _write_texts(latest, texts)
            latest.kind, latest.action, latest.source_url = kind, action, source_url
            latest.save()
            audit.record("assistant.entry.updated", latest, actor=by, data={"key": key, "version": latest.version})
            return latest, "updated"
    entry = KnowledgeEntry.objects.create(
        institution=institution(), key=key, kind=kind, source=source, source_url=source_url, action=action,
        effective_from=effective_from or today, version=(latest.version + 1) if latest else 1,
        supersedes=latest if latest is not None and latest.status == KnowledgeEntry.Status.APPROVED else None,
        created_by=by, source_conversation=source_conversation,
    )
    _write_texts(entry, texts)
    audit.record("assistant.entry.created", entry, actor=by, data={"key": key, "version": entry.version, "source": source})
    return entry, "created"


def import_site_faq(by=None) -> dict:
    """Build (or refresh) entries from the Love Bali FAQ page in every language, with the staff-
    written paraphrases and key terms that help matching. Results wait for approval."""
    paraphrases, keywords = _data("paraphrases.json"), _data("keywords.json")
    per_language = {lang: {item["key"]: item for item in lovebali.faq_items(lang)} for lang in LANGUAGES}
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for key, item in per_language["en"].items():
        texts = {
            lang: {"question": per_language[lang][key]["question"], "paraphrases": paraphrases.get(key, {}).get(lang, []),
                   "keywords": keywords.get(key, {}).get(lang, ""), "answer": per_language[lang][key]["answer"]}
            for lang in LANGUAGES
        }
        _, outcome = upsert_entry(key, texts, kind=KnowledgeEntry.Kind.ANSWER, source=KnowledgeEntry.Source.SITE,
                                  source_url=item["url"], action=SITE_ACTIONS.get(key, ""), by=by)
        counts[outcome] += 1
    return counts


def import_handoff_topics(by=None) -> dict:
    """Topics that always go to a person (refunds, double payment, complaints, …)."""
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for key, langs in _data("handoff_topics.json").items():
        texts = {lang: {"question": items[0], "paraphrases": items[1:], "keywords": "", "answer": ""} for lang, items in langs.items()}
        _, outcome = upsert_entry(key, texts, kind=KnowledgeEntry.Kind.HANDOFF, source=KnowledgeEntry.Source.STAFF, by=by)
        counts[outcome] += 1
    return counts


def import_drafts(by=None) -> dict:
    """Staff drafts shipped with the platform that wait for the province's confirmation (e.g.
    whether foreign QR apps are accepted): indexed as pending, so matching questions go to a person."""
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for key, draft in _data("pending_drafts.json").items():
        texts = {lang: {"question": q, "paraphrases": p, "keywords": "", "answer": a} for lang, (q, p, a) in draft["texts"].items()}
        _, outcome = upsert_entry(key, texts, kind=KnowledgeEntry.Kind.ANSWER, source=KnowledgeEntry.Source.STAFF, by=by)
        counts[outcome] += 1
    return counts


@transaction.atomic
def approve_entry(entry: KnowledgeEntry, by=None, effective_from: date | None = None) -> KnowledgeEntry:
    permissions.require_unless_system(by, "assistant.approve_knowledgeentry", entry)
    entry = KnowledgeEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.status != KnowledgeEntry.Status.PENDING:
        raise ConflictError(_("Only entries waiting for approval can be approved."))
    today = timezone.localdate()
    entry.effective_from = effective_from or max(entry.effective_from, today)
    entry.status = KnowledgeEntry.Status.APPROVED
    entry.approved_by = by
    entry.approved_at = timezone.now()
    entry.save()
    for older in KnowledgeEntry.objects.select_for_update().filter(institution=entry.institution, key=entry.key,
                                                                   status=KnowledgeEntry.Status.APPROVED).exclude(pk=entry.pk):
        # The older version answers until the day before the new one takes over.
        older.effective_to = entry.effective_from - timedelta(days=1)
        if entry.effective_from <= today:
            older.status = KnowledgeEntry.Status.RETIRED
        older.save()
        audit.record("assistant.entry.superseded", older, actor=by, data={"by_version": entry.version})
    audit.record("assistant.entry.approved", entry, actor=by,
                 data={"key": entry.key, "version": entry.version, "effective_from": entry.effective_from.isoformat()})
    return entry


@transaction.atomic
def reject_entry(entry: KnowledgeEntry, by=None, note: str = "") -> KnowledgeEntry:
    permissions.require_unless_system(by, "assistant.approve_knowledgeentry", entry)
    if entry.status != KnowledgeEntry.Status.PENDING:
        raise ConflictError(_("Only entries waiting for approval can be rejected."))
    entry.status = KnowledgeEntry.Status.REJECTED
    entry.save()
    audit.record("assistant.entry.rejected", entry, actor=by, data={"note": note[:300]})
    return entry


@transaction.atomic
def retire_entry(entry: KnowledgeEntry, by=None) -> KnowledgeEntry:
    permissions.require_unless_system(by, "assistant.approve_knowledgeentry", entry)
    if entry.status != KnowledgeEntry.Status.APPROVED:
        raise ConflictError(_("Only approved entries can be retired."))
    entry.status = KnowledgeEntry.Status.RETIRED
    entry.effective_to = timezone.localdate() - timedelta(days=1)
    entry.save()
    audit.record("assistant.entry.retired", entry, actor=by, data={"key": entry.key, "version": entry.version})
    return entry


def edit_entry(entry: KnowledgeEntry, texts: dict, by=None) -> KnowledgeEntry:
    """Staff edit: a pending entry changes in place; an approved one gets a pending new version."""
    permissions.require_unless_system(by, "assistant.add_knowledgeentry", entry)
    new, _outcome = upsert_entry(entry.key, texts, kind=entry.kind, source=KnowledgeEntry.Source.STAFF,
                                 source_url=entry.source_url, action=entry.action, by=by)
    return new


@transaction.atomic
def add_paraphrase(entry: KnowledgeEntry, language: str, text: str, by=None) -> EntryText:
    """Another way of asking an entry's question (only affects matching, never the answer)."""
    permissions.require_unless_system(by, "assistant.approve_knowledgeentry", entry)
    text = " ".join((text or "").split())[:300]
    if not text:
        raise ServiceError(_("The phrasing is empty."), field="question")
    row = entry.texts.filter(language=language).first()
    if row is None:
        row = entry.texts.filter(language="en").first()
    if row is None:
        raise ServiceError(_("This entry has no text to add a phrasing to."))
    if text not in row.paraphrases and text != row.question:
        row.paraphrases = [*row.paraphrases, text]
        row.save(update_fields=["paraphrases"])
        KnowledgeEntry.objects.filter(pk=entry.pk).update(updated_at=timezone.now())
        audit.record("assistant.entry.phrasing_added", entry, actor=by, data={"language": row.language, "text": text})
    return row


# --- learning from resolved conversations -----------------------------------------------


@transaction.atomic
def mine_conversation(conversation_id: int) -> Suggestion | None:
    """Turn a conversation an officer resolved into a suggestion for the knowledge base.

    Skipped when no officer replied (nothing new was learned). The tourist's question and the
    officer's answer are stored with emails, order codes and long numbers masked. If the
    question already matches an approved entry confidently, the suggestion is to add it as a
    phrasing of that entry (a near-duplicate), not to create a new one.
    """
    conversation = Conversation.objects.select_for_update().get(pk=conversation_id)
    if conversation.mined or conversation.status != Conversation.Status.RESOLVED:
        return None
    conversation.mined = True
    conversation.save(update_fields=["mined"])
    messages = list(conversation.messages.all())
    first_officer = next((i for i, m in enumerate(messages) if m.sender == Message.Sender.OFFICER), None)
    if first_officer is None:
        return None
    asked = [m.body for m in messages[:first_officer] if m.sender == Message.Sender.VISITOR and not answering.order_details(m.body)]
    answers = [m.body for m in messages[first_officer:] if m.sender == Message.Sender.OFFICER]
    if not asked:
        return None
    question = answering.redact(" ".join(asked[-2:]))[:500]
    reply = answering.ask(question, conversation.language, allow_generation=False)
    similar = _similar_entry(reply, conversation.institution)
    return Suggestion.objects.create(
        institution=conversation.institution, conversation=conversation, language=conversation.language,
        question=question, answer=answering.redact("\n".join(answers))[:4000], similar_entry=similar,
        similarity=reply.confidence if similar else None,
    )


def _similar_entry(reply: Reply, owner) -> KnowledgeEntry | None:
    """The entry a suggested question is close to — a hint for the reviewer, so a lower bar than
    answering: the entry it would be answered or handed off with, else the best candidate."""
    if reply.entry_pk and reply.reason in ("answered", "topic", "pending_approval"):
        return KnowledgeEntry.objects.filter(pk=reply.entry_pk).first()
    if reply.candidates and reply.confidence >= SIMILAR_MIN_CONFIDENCE:
        return KnowledgeEntry.objects.filter(institution=owner, key=reply.candidates[0]["id"],
                                             status=KnowledgeEntry.Status.APPROVED).order_by("-version").first()
    return None


@transaction.atomic
def draft_from_unanswered(question: str, language: str, by=None) -> Suggestion:
    """One click on a group of unanswered questions (analytics): a suggestion with the group's
    question, for a reviewer to answer and turn into an entry on the suggestions page."""
    permissions.require_unless_system(by, "assistant.add_knowledgeentry")
    question = answering.redact((question or "").strip())[:500]
    if not question:
        raise ServiceError(_("The question is empty."), field="question")
    if language not in LANGUAGES:
        raise ServiceError(_("Unsupported language: %(language)s") % {"language": language}, field="language")
    existing = Suggestion.objects.filter(status=Suggestion.Status.PENDING, question=question, language=language).first()
    if existing is not None:
        return existing  # pressed twice, or two reviewers at once
    reply = answering.ask(question, language, allow_generation=False)
    similar = _similar_entry(reply, institution())
    suggestion = Suggestion.objects.create(institution=institution(), language=language, question=question,
                                           similar_entry=similar, similarity=reply.confidence if similar else None)
    audit.record("assistant.suggestion.drafted", suggestion, actor=by, data={"language": language})
    return suggestion


@transaction.atomic
def accept_suggestion(suggestion: Suggestion, by=None, *, merge_into: KnowledgeEntry | None = None, key: str = "",
                      question: str = "", answer: str = "") -> KnowledgeEntry:
    """Merge the question into an entry as a phrasing, or make a new entry (pending approval)."""
    permissions.require_unless_system(by, "assistant.approve_knowledgeentry", suggestion)
    suggestion = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
    if suggestion.status != Suggestion.Status.PENDING:
        raise ConflictError(_("This suggestion was already reviewed."))
    if merge_into is not None:
        add_paraphrase(merge_into, suggestion.language, question or suggestion.question, by=by)
        suggestion.status, suggestion.result_entry = Suggestion.Status.MERGED, merge_into
    else:
        key = (key or "").strip().lower()
        if not key or not key.replace("_", "").replace("-", "").isalnum():
            raise ServiceError(_("Give the new entry a key of letters, digits, - and _."), field="key")
        if KnowledgeEntry.objects.filter(institution=suggestion.institution, key=key).exists():
            raise ConflictError(_("An entry with this key already exists; merge into it instead."), field="key")
        texts = {suggestion.language: {"question": question or suggestion.question, "paraphrases": [], "keywords": "",
                                       "answer": answer or suggestion.answer}}
        entry, _outcome = upsert_entry(key, texts, kind=KnowledgeEntry.Kind.ANSWER, source=KnowledgeEntry.Source.CONVERSATION,
                                       by=by, source_conversation=suggestion.conversation)
        suggestion.status, suggestion.result_entry = Suggestion.Status.CREATED, entry
    suggestion.reviewed_by = by
    suggestion.reviewed_at = timezone.now()
    suggestion.save()
    audit.record("assistant.suggestion.accepted", suggestion, actor=by, data={"status": suggestion.status})
    return suggestion.result_entry


@transaction.atomic
def reject_suggestion(suggestion: Suggestion, by=None) -> Suggestion:
    permissions.require_unless_system(by, "assistant.approve_knowledgeentry", suggestion)
    if suggestion.status != Suggestion.Status.PENDING:
        raise ConflictError(_("This suggestion was already reviewed."))
    suggestion.status = Suggestion.Status.REJECTED
    suggestion.reviewed_by = by
    suggestion.reviewed_at = timezone.now()
    suggestion.save()
    audit.record("assistant.suggestion.rejected", suggestion, actor=by)
    return suggestion


# --- conversations ----------------------------------------------------------------------


def start_conversation(*, channel: str = Conversation.Channel.WEB, language: str = "en", external_channel: Channel | None = None,
                       external_id: str = "") -> Conversation:
    return Conversation.objects.create(institution=institution(), channel=channel,
                                       language=language if language in LANGUAGES else "en",
                                       external_channel=external_channel, external_id=external_id[:100])


def web_conversation(token: str) -> Conversation | None:
    """The web-chat conversation with this (secret, random) token, if any."""
    try:
        return Conversation.objects.filter(token=token, channel=Conversation.Channel.WEB).first()
    except (ValueError, TypeError, ValidationError):  # a malformed token from a tampered session
        return None


def greeting(language: str) -> str:
    return phrase("greeting", language)


def _event(conversation: Conversation, kind: str, actor=None, **data) -> None:
    ConversationEvent.objects.create(conversation=conversation, kind=kind, actor=actor,
                                     data=data)


def _bot(conversation: Conversation, body: str, reply: Reply | None = None, decision: str = "") -> Message:
    return Message.objects.create(
        conversation=conversation, sender=Message.Sender.BOT, body=body, language=reply.language if reply else conversation.language,
        decision=decision, confidence=reply.confidence if reply else None, sources=reply.sources if reply else [],
        candidates=reply.candidates if reply else [],
    )


@transaction.atomic
def visitor_message(conversation: Conversation, text: str) -> list[Message]:
    """Record what the tourist wrote and let the assistant answer (while it owns the chat)."""
    text = (text or "").strip()
    if not text:
        raise ServiceError(_("The message is empty."), field="text")
    if len(text) > answering.MAX_QUESTION_LENGTH:
        raise ServiceError(_("The message is too long (at most %(n)s characters).") % {"n": answering.MAX_QUESTION_LENGTH}, field="text")
    conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
    Message.objects.create(conversation=conversation, sender=Message.Sender.VISITOR, body=text)
    conversation.last_message_at = timezone.now()
    if conversation.status == Conversation.Status.RESOLVED:
        conversation.status = Conversation.Status.BOT  # a new question after closing starts over
        conversation.resolved_at = None
    if conversation.status in OPEN_STATUSES:
        conversation.save()
        return []  # an officer owns the conversation now

    details = answering.order_details(text)
    if details and conversation.pending_action:
        return _run_action(conversation, conversation.pending_action, details)
    reply = answering.ask(text, conversation.language)
    if reply.language in LANGUAGES and reply.reason not in ("small_talk", "empty") and reply.language != conversation.language:
        conversation.language = reply.language
    if reply.handoff and reply.reason == "low_confidence" and reply.candidates and not _just_clarified(conversation):
        # Two-stage fallback: first offer the closest questions (the right one is in the top
        # three almost always); hand off only if the next message is unclear too.
        conversation.save()
        return [_bot(conversation, phrase("suggest", conversation.language), reply, Message.Decision.CLARIFY)]
    if reply.handoff:
        conversation.save()
        bot = _bot(conversation, reply.answer, reply, Message.Decision.HANDOFF)
        reason = f"bot:topic:{reply.entry_key}" if reply.reason == "topic" and reply.entry_key else f"bot:{reply.reason}"
        _handoff(conversation, reason, bot_reply=reply)
        return [bot]
    conversation.save()
    if reply.reason in ("answered",):
        _event(conversation, ConversationEvent.Kind.BOT_ANSWERED, entry=reply.entry_key, confidence=round(reply.confidence, 3))
    if reply.action:
        if details:
            return [_bot(conversation, reply.answer, reply, Message.Decision.ANSWER), *_run_action(conversation, reply.action, details)]
        conversation.pending_action = reply.action
        conversation.save(update_fields=["pending_action"])
        return [_bot(conversation, reply.answer, reply, Message.Decision.ANSWER),
                _bot(conversation, phrase("ask_order", conversation.language), decision=Message.Decision.ACTION)]
    return [_bot(conversation, reply.answer, reply, Message.Decision.ANSWER if reply.reason == "answered" else "")]


def _just_clarified(conversation: Conversation) -> bool:
    last = conversation.messages.filter(sender=Message.Sender.BOT).order_by("-created_at", "-id").first()
    return last is not None and last.decision == Message.Decision.CLARIFY


def _run_action(conversation: Conversation, action: str, details: tuple[str, str]) -> list[Message]:
    """Voucher status or resend through the levy module. Nothing personal is shown: only the
    order's payment state and voucher counts; vouchers go only to the order's own email."""
    code, email = details
    language = conversation.language
    conversation.pending_action = ""
    conversation.save(update_fields=["pending_action"])
    order = levy.find_order(code, email)
    if order is None:
        return [_bot(conversation, phrase("order_not_found", language), decision=Message.Decision.ACTION)]
    status = levy.voucher_status(order)
    paid = status["status"] == "paid"
    if action == KnowledgeEntry.Action.VOUCHER_RESEND:
        if paid and levy.resend_vouchers(code, email):
            text = phrase("resent", language, order=order.code)
        else:
            text = phrase("not_paid_no_resend", language, order=order.code)
    else:
        issued = sum(1 for v in status["vouchers"] if v["status"] == "valid")
        text = phrase("order_status", language, order=order.code, paid=phrase("paid" if paid else "unpaid", language),
                      issued=issued, total=len(status["vouchers"]))
    _event(conversation, ConversationEvent.Kind.BOT_ANSWERED, action=action)
    return [_bot(conversation, text, decision=Message.Decision.ACTION)]


@transaction.atomic
def request_human(conversation: Conversation) -> Conversation:
    """The tourist pressed "talk to a person"."""
    conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
    if conversation.status in OPEN_STATUSES:
        return conversation
    _bot(conversation, phrase("handoff", conversation.language), decision=Message.Decision.HANDOFF)
    _handoff(conversation, "visitor")
    return conversation


@transaction.atomic
def answer_not_helpful(conversation: Conversation, message_id: int) -> Conversation:
    """The tourist pressed "this didn't help" under an answer: note it (the question and the entry
    become a calibration sample at the next index build) and hand the chat to a person."""
    conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
    message = conversation.messages.filter(pk=message_id, sender=Message.Sender.BOT, decision=Message.Decision.ANSWER).first()
    if message is None:
        raise ServiceError(_("This answer is not part of the conversation."), field="message")
    if message.helpful is not None:
        return conversation  # pressed twice
    message.helpful = False
    message.save(update_fields=["helpful"])
    entry = message.sources[0]["id"] if message.sources else ""
    _event(conversation, ConversationEvent.Kind.NOT_HELPFUL, entry=entry, confidence=message.confidence)
    if conversation.status not in OPEN_STATUSES:
        _bot(conversation, phrase("handoff", conversation.language), decision=Message.Decision.HANDOFF)
        _handoff(conversation, "bot:not_helpful")
    return conversation


def _on_duty(now: datetime, institution_id: int):
    return DutyShift.objects.filter(institution_id=institution_id, starts_at__lte=now, ends_at__gt=now).select_related("officer")


def _pick_officer(conversation: Conversation, now: datetime, exclude: set[int] = frozenset()):
    """The on-duty officer with the fewest open conversations, preferring one who speaks the
    tourist's language."""
    shifts = [s for s in _on_duty(now, conversation.institution_id) if s.officer.is_active and s.officer_id not in exclude]
    if not shifts:
        return None
    load = dict(Conversation.objects.filter(status__in=OPEN_STATUSES, assigned_to__in=[s.officer_id for s in shifts])
                .values_list("assigned_to").annotate(n=Count("id")))
    speaks = [s for s in shifts if conversation.language in (s.languages or [])]
    pool = speaks or shifts
    return min(pool, key=lambda s: (load.get(s.officer_id, 0), s.starts_at)).officer


def _first_response_due(now: datetime) -> datetime:
    return now + timedelta(minutes=settings.ASSISTANT_FIRST_RESPONSE_MINUTES)


def _handoff(conversation: Conversation, reason: str, bot_reply: Reply | None = None) -> None:
    now = timezone.now()
    conversation.status = Conversation.Status.WAITING
    conversation.handoff_reason = reason[:40]
    conversation.handed_off_at = now
    conversation.first_response_due = _first_response_due(now)
    conversation.pending_action = ""
    officer = _pick_officer(conversation, now)
    conversation.assigned_to = officer
    conversation.save()
    kind = ConversationEvent.Kind.VISITOR_HANDOFF if reason == "visitor" else ConversationEvent.Kind.BOT_HANDOFF
    _event(conversation, kind, reason=reason, confidence=round(bot_reply.confidence, 3) if bot_reply else None,
           topic=bot_reply.entry_key if bot_reply else "", candidates=[c["id"] for c in bot_reply.candidates] if bot_reply else [])
    if officer is not None:
        _event(conversation, ConversationEvent.Kind.ASSIGNED, officer=officer.username, automatic=True)
    else:
        _bot(conversation, phrase("handoff_queue", conversation.language))


@transaction.atomic
def assign(conversation: Conversation, officer, by=None) -> Conversation:
    """Give a conversation to an officer (``officer=by`` is "claim")."""
    permissions.require_unless_system(by, "assistant.reply_conversation", conversation)
    if officer is not None and not permissions.has_perm(officer, "assistant.reply_conversation", conversation):
        raise ServiceError(_("This user is not a duty officer for the assistant."), field="officer")
    conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
    if conversation.status == Conversation.Status.RESOLVED:
        raise ConflictError(_("The conversation is already resolved."))
    if conversation.status == Conversation.Status.BOT:
        conversation.status = Conversation.Status.WAITING  # an officer takes over from the bot
        conversation.handed_off_at = conversation.handed_off_at or timezone.now()
        conversation.first_response_due = conversation.first_response_due or _first_response_due(timezone.now())
    conversation.assigned_to = officer
    conversation.save()
    _event(conversation, ConversationEvent.Kind.ASSIGNED, actor=by, officer=getattr(officer, "username", None))
    audit.record("assistant.conversation.assigned", conversation, actor=by, data={"officer": getattr(officer, "username", None)})
    return conversation


@transaction.atomic
def officer_reply(conversation: Conversation, body: str, by) -> Message:
    permissions.require(by, "assistant.reply_conversation", conversation)
    body = (body or "").strip()
    if not body:
        raise ServiceError(_("The reply is empty."), field="body")
    if len(body) > 4000:
        raise ServiceError(_("The reply is too long (at most 4000 characters)."), field="body")
    conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
    if conversation.status == Conversation.Status.RESOLVED:
        raise ConflictError(_("The conversation is already resolved."))
    now = timezone.now()
    message = Message.objects.create(conversation=conversation, sender=Message.Sender.OFFICER, body=body, officer=by,
                                     language=conversation.language)
    if conversation.first_human_reply_at is None:
        conversation.first_human_reply_at = now
        conversation.handed_off_at = conversation.handed_off_at or now
    if conversation.assigned_to_id is None:
        conversation.assigned_to = by
    conversation.status = Conversation.Status.HUMAN
    conversation.last_message_at = now
    conversation.save()
    _event(conversation, ConversationEvent.Kind.OFFICER_REPLIED, actor=by)
    _queue_delivery(conversation, message)
    return message


@transaction.atomic
def resolve(conversation: Conversation, by=None) -> Conversation:
    """Close a conversation: by an officer, or by the tourist ending a chat the bot handled."""
    if by is not None:
        permissions.require(by, "assistant.reply_conversation", conversation)
    conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
    if conversation.status == Conversation.Status.RESOLVED:
        return conversation
    by_bot = conversation.status == Conversation.Status.BOT
    if by is None and not by_bot:
        raise ConflictError(_("An officer is handling this conversation; they will close it."))
    conversation.status = Conversation.Status.RESOLVED
    conversation.resolved_at = timezone.now()
    conversation.resolved_by_bot = by_bot
    conversation.save()
    _event(conversation, ConversationEvent.Kind.BOT_RESOLVED if by_bot else ConversationEvent.Kind.RESOLVED, actor=by)
    if by is not None:
        audit.record("assistant.conversation.resolved", conversation, actor=by)
    _bot(conversation, phrase("resolved", conversation.language))
    if not by_bot:
        conversation_id = conversation.pk
        transaction.on_commit(lambda: _enqueue_mining(conversation_id))
    return conversation


def _enqueue_mining(conversation_id: int) -> None:
    from .tasks import mine_conversation_task

    mine_conversation_task.enqueue(conversation_id)


@transaction.atomic
def rate(conversation: Conversation, score: int, comment: str = "") -> Conversation:
    """CSAT, 1–5, once per conversation, after it is resolved."""
    try:
        score = int(score)
    except (TypeError, ValueError):
        score = 0
    if not 1 <= score <= 5:
        raise ServiceError(_("Choose a rating from 1 to 5."), field="score")
    conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
    if conversation.status != Conversation.Status.RESOLVED:
        raise ConflictError(_("A conversation can be rated once it is closed."))
    if conversation.csat is not None:
        raise ConflictError(_("This conversation was already rated."))
    conversation.csat, conversation.csat_comment = score, (comment or "")[:500]
    conversation.save(update_fields=["csat", "csat_comment"])
    _event(conversation, ConversationEvent.Kind.CSAT, score=score)
    _bot(conversation, phrase("csat_thanks", conversation.language))
    return conversation


@transaction.atomic
def sla_sweep(now: datetime | None = None) -> int:
    """Flag hand-offs past their first-response time and give them to another on-duty officer."""
    now = now or timezone.now()
    count = 0
    overdue = Conversation.objects.select_for_update().filter(
        status=Conversation.Status.WAITING, first_human_reply_at__isnull=True, first_response_due__lt=now, sla_breached=False)
    for conversation in overdue:
        conversation.sla_breached = True
        previous = conversation.assigned_to_id
        officer = _pick_officer(conversation, now, exclude={previous} if previous else set())
        if officer is not None:
            conversation.assigned_to = officer
        conversation.save()
        _event(conversation, ConversationEvent.Kind.SLA_BREACHED, minutes=settings.ASSISTANT_FIRST_RESPONSE_MINUTES,
               reassigned_to=getattr(officer, "username", None))
        count += 1
    return count


# --- roster and canned replies ------------------------------------------------------------


@transaction.atomic
def add_shift(officer, starts_at: datetime, ends_at: datetime, languages: list[str], by=None) -> DutyShift:
    permissions.require_unless_system(by, "assistant.add_dutyshift")
    if ends_at <= starts_at:
        raise ServiceError(_("A shift must end after it starts."), field="ends_at")
    if ends_at - starts_at > timedelta(hours=24):
        raise ServiceError(_("A shift may last at most 24 hours."), field="ends_at")
    bad = [code for code in languages if code not in LANGUAGES]
    if bad:
        raise ServiceError(_("Unsupported language: %(codes)s.") % {"codes": ", ".join(bad)}, field="languages")
    if not permissions.has_perm(officer, "assistant.reply_conversation"):
        raise ServiceError(_("This user is not a duty officer for the assistant."), field="officer")
    if DutyShift.objects.filter(officer=officer, starts_at__lt=ends_at, ends_at__gt=starts_at).exists():
        raise ConflictError(_("This officer already has a shift at that time."), field="starts_at")
    shift = DutyShift.objects.create(institution=institution(), officer=officer, starts_at=starts_at, ends_at=ends_at,
                                     languages=list(dict.fromkeys(languages)),
                                     created_by=by)
    audit.record("assistant.shift.added", shift, actor=by, data={"officer": officer.username, "starts_at": starts_at.isoformat(),
                                                                  "ends_at": ends_at.isoformat(), "languages": shift.languages})
    return shift


@transaction.atomic
def remove_shift(shift: DutyShift, by=None) -> None:
    permissions.require_unless_system(by, "assistant.delete_dutyshift", shift)
    audit.record("assistant.shift.removed", shift, actor=by, data={"officer": shift.officer.username})
    shift.delete()


@transaction.atomic
def save_canned_reply(title: str, language: str, body: str, by=None) -> CannedReply:
    permissions.require_unless_system(by, "assistant.add_cannedreply")
    title, body = (title or "").strip(), (body or "").strip()
    if not title or not body:
        raise ServiceError(_("A canned reply needs a title and a text."), field="title")
    if language not in LANGUAGES:
        raise ServiceError(_("Unsupported language: %(codes)s.") % {"codes": language}, field="language")
    reply, _created = CannedReply.objects.update_or_create(institution=institution(), title=title[:100], language=language,
                                                           defaults={"body": body})
    audit.record("assistant.canned_reply.saved", reply, actor=by, data={"title": reply.title, "language": language})
    return reply


@transaction.atomic
def delete_canned_reply(reply: CannedReply, by=None) -> None:
    permissions.require_unless_system(by, "assistant.delete_cannedreply", reply)
    audit.record("assistant.canned_reply.deleted", reply, actor=by, data={"title": reply.title})
    reply.delete()


# --- webhook channel (omnichannel tools) ------------------------------------------------------


def _channel_fernet():
    return keys.fernet(settings.ASSISTANT_CHANNEL_KEY, "assistant.channel-secret")


def channel_secret(channel: Channel) -> str:
    return _channel_fernet().decrypt(bytes(channel.secret_encrypted)).decode()


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """hex HMAC-SHA256 over ``timestamp.body`` — the same scheme in both directions."""
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


@transaction.atomic
def create_channel(slug: str, name: str, callback_url: str = "", by=None) -> tuple[Channel, str]:
    """Register an omnichannel tool. The shared secret is returned once and stored encrypted."""
    permissions.require_unless_system(by, "assistant.add_channel")
    slug = (slug or "").strip().lower()
    if not slug or not slug.replace("-", "").isalnum():
        raise ServiceError(_("The channel key may contain letters, digits and - only."), field="slug")
    if Channel.objects.filter(slug=slug).exists():
        raise ConflictError(_("A channel with this key already exists."), field="slug")
    if callback_url and not callback_url.startswith(("https://", "http://127.0.0.1", "http://localhost")):
        raise ServiceError(_("The callback address must use https."), field="callback_url")
    secret = secrets.token_urlsafe(32)
    channel = Channel.objects.create(institution=institution(), slug=slug, name=(name or slug)[:100], callback_url=callback_url,
                                     secret_encrypted=_channel_fernet().encrypt(secret.encode()))
    audit.record("assistant.channel.created", channel, actor=by, data={"slug": slug, "callback_url": callback_url})
    return channel, secret


def verify_webhook(channel: Channel, timestamp: str, given: str, body: bytes, now: float | None = None) -> bool:
    try:
        age = abs((now or time.time()) - int(timestamp))
    except (TypeError, ValueError):
        return False
    if age > settings.ASSISTANT_WEBHOOK_MAX_SKEW:
        return False
    return hmac.compare_digest(signature(channel_secret(channel), timestamp, body), given or "")


def webhook_message(channel: Channel, external_id: str, text: str, language: str = "") -> tuple[Conversation, list[Message]]:
    """A tourist's message relayed by the omnichannel tool: the same flow as the web chat."""
    external_id = (external_id or "").strip()[:100]
    if not external_id:
        raise ServiceError(_("conversation_id is required."), field="conversation_id")
    with transaction.atomic():
        conversation = Conversation.objects.filter(external_channel=channel, external_id=external_id).first()
        if conversation is None:
            conversation = start_conversation(channel=Conversation.Channel.WEBHOOK, language=language or "en",
                                              external_channel=channel, external_id=external_id)
        replies = visitor_message(conversation, text)
    return conversation, replies


def _queue_delivery(conversation: Conversation, message: Message) -> None:
    """Officers' replies in webhook conversations go back to the tool by callback."""
    if conversation.channel != Conversation.Channel.WEBHOOK:
        return
    message_id = message.pk
    transaction.on_commit(lambda: _enqueue_delivery(message_id))


def _enqueue_delivery(message_id: int) -> None:
    from .tasks import deliver_message_task

    deliver_message_task.enqueue(message_id)


def deliver(message_id: int) -> bool:
    """POST one officer message to the channel's callback, signed. True when accepted (2xx)."""
    message = Message.objects.select_related("conversation__external_channel").get(pk=message_id)
    channel = message.conversation.external_channel
    if message.delivered_at is not None or channel is None or not channel.callback_url:
        return message.delivered_at is not None
    body = json.dumps({"conversation_id": message.conversation.external_id, "message_id": message.pk, "sender": message.sender,
                       "text": message.body, "language": message.conversation.language}).encode()
    timestamp = str(int(time.time()))
    try:
        response = outbound.post("webhooks", channel.callback_url, content=body, timeout=10, headers={
            "Content-Type": "application/json", "X-SPBE-Timestamp": timestamp,
            "X-SPBE-Signature": signature(channel_secret(channel), timestamp, body)})
    except httpx.HTTPError:
        return False
    if 200 <= response.status_code < 300:
        Message.objects.filter(pk=message.pk, delivered_at__isnull=True).update(delivered_at=timezone.now())
        return True
    return False


def undelivered(limit: int = 200) -> list[int]:
    return list(Message.objects.filter(conversation__channel=Conversation.Channel.WEBHOOK, sender=Message.Sender.OFFICER,
                                       delivered_at__isnull=True).values_list("pk", flat=True)[:limit])


# --- analytics ------------------------------------------------------------------------------


def analytics(start: date, end: date, user=None) -> dict:
    """Deflection, hand-off rate, CSAT, response times and unanswered questions for [start, end].

    Definitions (fixed here, vendors differ): a conversation counts if the tourist wrote at least
    once. Deflected = never handed to a person. Contained = deflected and not rated below 4.
    """
    conversations = Conversation.objects.filter(started_at__date__gte=start, started_at__date__lte=end,
                                                messages__sender=Message.Sender.VISITOR).distinct()
    if user is not None:
        conversations = permissions.scope_queryset(user, "assistant.view_analytics", conversations)
    total = conversations.count()
    handed = conversations.filter(handed_off_at__isnull=False).count()
    deflected = total - handed
    contained = conversations.filter(handed_off_at__isnull=True).exclude(csat__lt=4).count()
    rated = conversations.filter(csat__isnull=False)
    csat = rated.aggregate(avg=Avg("csat"), n=Count("id"))
    distribution = {score: rated.filter(csat=score).count() for score in range(1, 6)}
    waits = [(c.first_human_reply_at - c.handed_off_at).total_seconds() / 60
             for c in conversations.filter(first_human_reply_at__isnull=False, handed_off_at__isnull=False)]
    by_language = list(conversations.values("language").annotate(
        n=Count("id", distinct=True), handed=Count("id", filter=Q(handed_off_at__isnull=False), distinct=True)).order_by("-n"))
    reasons = list(conversations.exclude(handoff_reason="").values("handoff_reason").annotate(n=Count("id")).order_by("-n"))
    for row in reasons:
        row["label"] = handoff_reason_label(row["handoff_reason"])
    return {
        "conversations": total,
        "deflected": deflected,
        "deflection_rate": deflected / total if total else None,
        "handoff_rate": handed / total if total else None,
        "containment_rate": contained / total if total else None,
        "bot_resolved": conversations.filter(resolved_by_bot=True).count(),
        "csat_average": csat["avg"],
        "csat_count": csat["n"],
        "csat_distribution": distribution,
        "first_response_minutes_median": float(np.median(waits)) if waits else None,
        "sla_breaches": conversations.filter(sla_breached=True).count(),
        "by_language": by_language,
        "handoff_reasons": reasons,
        "unanswered": unanswered_groups(conversations),
    }


def unanswered_groups(conversations, limit: int = 20, similarity: float = 0.9) -> list[dict]:
    """Questions the bot could not answer, grouped by meaning (greedy clustering on e5 vectors),
    largest group first: the to-do list for the knowledge base."""
    unanswered = (Message.Decision.HANDOFF, Message.Decision.CLARIFY)
    rows = (Message.objects.filter(conversation__in=conversations, sender__in=[Message.Sender.VISITOR, Message.Sender.BOT])
            .order_by("conversation_id", "created_at", "id").values_list("conversation_id", "sender", "decision", "body",
                                                                         "conversation__language"))
    # One pass over the transcripts: each unanswered bot turn takes the tourist's message before it.
    questions, last_asked = [], {}
    for conversation_id, sender, decision, body, language in rows.iterator():
        if sender == Message.Sender.VISITOR:
            last_asked[conversation_id] = body
        elif decision in unanswered and conversation_id in last_asked:
            questions.append((answering.redact(last_asked[conversation_id])[:300], language))
            if len(questions) >= 2000:
                break
    if not questions:
        return []
    vectors = knowledge.embeddings([q for q, _ in questions])
    groups: list[dict] = []
    centroids: list[np.ndarray] = []
    for (text, language), vector in zip(questions, vectors):
        scores = [float(c @ vector) / float(np.linalg.norm(c)) for c in centroids]
        best = int(np.argmax(scores)) if scores else -1
        if best >= 0 and scores[best] >= similarity:
            group = groups[best]
            group["count"] += 1
            group["languages"][language] = group["languages"].get(language, 0) + 1
            if len(group["examples"]) < 5 and text not in group["examples"]:
                group["examples"].append(text)
            centroids[best] = centroids[best] + vector
        else:
            groups.append({"count": 1, "examples": [text], "languages": {language: 1}})
            centroids.append(vector.copy())
    for group in groups:
        group["language"] = max(group["languages"], key=group["languages"].get)
    return sorted(groups, key=lambda g: -g["count"])[:limit]


def housekeeping() -> dict:
    """The periodic sweep (scheduler task and `spbe assistant_sweep`): flag hand-offs past their
    first-response time and deliver officers' replies a webhook channel has not accepted yet."""
    breached = sla_sweep()
    pending = undelivered()
    delivered = sum(1 for message_id in pending if deliver(message_id))
    return {"breached": breached, "delivered": delivered, "pending": len(pending)}
