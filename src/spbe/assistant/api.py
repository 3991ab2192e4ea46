"""/api/v1/assistant: ask a question, chat (public, rate-limited), the signed webhook for an
omnichannel tool (Qontak, Chatwoot, …), and analytics for staff.

Webhook protocol (both directions): JSON body, headers ``X-SPBE-Timestamp`` (Unix seconds) and
``X-SPBE-Signature`` = hex HMAC-SHA256(channel secret, "<timestamp>.<body>"). Inbound
``{"conversation_id", "text", "language"?}`` is answered synchronously with the assistant's
replies; officers' later replies are POSTed to the channel's callback URL, signed the same way,
and retried with back-off until accepted.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from spbe.core import permissions
from spbe.core.apiutils import client_rate_limit, rate_limit
from spbe.core.services import ServiceError

from . import services
from .models import LANGUAGES, Channel, Conversation, Message

router = Router(tags=["assistant"])


class AskIn(Schema):
    question: str
    language: str | None = None


class Source(Schema):
    id: str
    version: int
    title: str
    url: str


class AskOut(Schema):
    language: str
    answer: str
    sources: list[Source]
    confidence: float
    handoff: bool


class ConversationOut(Schema):
    token: str
    status: str
    language: str


class MessageIn(Schema):
    text: str


class MessageOut(Schema):
    id: int
    sender: str
    text: str
    at: str
    suggestions: list[str] = []


class RateIn(Schema):
    score: int
    comment: str = ""


class WebhookIn(Schema):
    conversation_id: str
    text: str
    language: str = ""


class WebhookOut(Schema):
    conversation_id: str
    status: str
    handoff: bool
    replies: list[MessageOut]


def _message_out(message: Message) -> dict:
    return {"id": message.pk, "sender": message.sender, "text": message.body, "at": message.created_at.isoformat(),
            "suggestions": [c["question"] for c in message.candidates]}


def _language(value: str | None) -> str | None:
    if value and value not in LANGUAGES:
        raise ServiceError(_("Unsupported language: %(codes)s.") % {"codes": value}, field="language")
    return value or None


@router.post("/ask", auth=None, response=AskOut, url_name="assistant_ask")
def ask(request, payload: AskIn):
    """Answer one question from the approved knowledge base (or say it needs a person)."""
    client_rate_limit(request, "assistant-ask", limit=30)
    if not payload.question.strip():
        raise ServiceError(_("The question is empty."), field="question")
    return services.ask(payload.question, _language(payload.language)).as_contract()


def _conversation(token: str) -> Conversation:
    conversation = services.web_conversation(token)
    if conversation is None:
        raise HttpError(404, _("Not found."))
    return conversation


@router.post("/conversations", auth=None, response={201: ConversationOut})
def start(request, language: str = "en"):
    client_rate_limit(request, "assistant-start", limit=10)
    conversation = services.start_conversation(language=_language(language) or "en")
    return Status(201, {"token": str(conversation.token), "status": conversation.status, "language": conversation.language})


@router.post("/conversations/{token}/messages", auth=None, response=list[MessageOut])
def send(request, token: str, payload: MessageIn):
    """Send the tourist's message; the assistant's replies come back (empty once an officer owns it)."""
    client_rate_limit(request, "assistant-send", limit=20)
    return [_message_out(m) for m in services.visitor_message(_conversation(token), payload.text)]


@router.get("/conversations/{token}/messages", auth=None, response=list[MessageOut])
def transcript(request, token: str, after: int = 0):
    client_rate_limit(request, "assistant-poll", limit=120)
    return [_message_out(m) for m in _conversation(token).messages.filter(pk__gt=after)]


@router.post("/conversations/{token}/human", auth=None, response=ConversationOut)
def human(request, token: str):
    client_rate_limit(request, "assistant-send", limit=20)
    conversation = services.request_human(_conversation(token))
    return {"token": str(conversation.token), "status": conversation.status, "language": conversation.language}


@router.post("/conversations/{token}/end", auth=None, response=ConversationOut)
def end(request, token: str):
    client_rate_limit(request, "assistant-send", limit=20)
    conversation = services.resolve(_conversation(token))
    return {"token": str(conversation.token), "status": conversation.status, "language": conversation.language}


@router.post("/conversations/{token}/rating", auth=None, response=ConversationOut)
def rating(request, token: str, payload: RateIn):
    client_rate_limit(request, "assistant-send", limit=20)
    conversation = services.rate(_conversation(token), payload.score, payload.comment)
    return {"token": str(conversation.token), "status": conversation.status, "language": conversation.language}


@router.post("/webhook/{slug}", auth=None, throttle=[], response=WebhookOut, url_name="assistant_webhook")
def webhook(request, slug: str, payload: WebhookIn):
    rate_limit(f"assistant-webhook:{slug}", limit=600)
    channel = Channel.objects.filter(slug=slug, active=True).first()
    if channel is None or not services.verify_webhook(channel, request.headers.get("X-SPBE-Timestamp", ""),
                                                      request.headers.get("X-SPBE-Signature", ""), request.body):
        raise HttpError(401, _("Invalid or missing signature."))
    conversation, replies = services.webhook_message(channel, payload.conversation_id, payload.text, _language(payload.language) or "")
    conversation.refresh_from_db()
    return {"conversation_id": conversation.external_id, "status": conversation.status,
            "handoff": conversation.status in services.OPEN_STATUSES, "replies": [_message_out(m) for m in replies]}


@router.get("/analytics")
def analytics(request, start: date | None = None, end: date | None = None):
    """Deflection, hand-off rate, containment, CSAT, response times, unanswered questions."""
    permissions.require(request.user, "assistant.view_analytics")
    end = end or timezone.localdate()
    start = start or end - timedelta(days=29)
    if start > end:
        raise ServiceError(_("The start date is after the end date."), field="start")
    return services.analytics(start, end, user=request.user)
