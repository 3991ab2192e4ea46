"""The Love Bali assistant: knowledge base, conversations with tourists, the duty roster.

Everything belongs to the institution that runs the levy (``owner_kind = "institution"``), so the
permission layer scopes it like the levy's own rows.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# The languages the assistant writes answers in (tourist source markets + Indonesian).
LANGUAGES = ("en", "id", "zh", "ko", "ja", "ru", "fr", "de")
LANGUAGE_CHOICES = [(code, code) for code in LANGUAGES]


class KnowledgeEntry(models.Model):
    """One question the assistant can recognise, with its approved answer per language."""

    class Kind(models.TextChoices):
        ANSWER = "answer", _("Answer")
        HANDOFF = "handoff", _("Always hand off to a person")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        RETIRED = "retired", _("Retired")
        REJECTED = "rejected", _("Rejected")

    class Source(models.TextChoices):
        SITE = "site", _("Love Bali site (FAQ)")
        CONVERSATION = "conversation", _("Resolved conversation")
        STAFF = "staff", _("Written by staff")

    class Action(models.TextChoices):
        NONE = "", _("None")
        VOUCHER_STATUS = "voucher_status", _("Voucher status by order code and email")
        VOUCHER_RESEND = "voucher_resend", _("Resend vouchers by order code and email")

    institution = models.ForeignKey("core.Institution", on_delete=models.PROTECT, related_name="+")
    key = models.SlugField(max_length=60)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.ANSWER)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    source = models.CharField(max_length=14, choices=Source.choices)
    source_url = models.CharField(max_length=300, blank=True)
    source_conversation = models.ForeignKey("Conversation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=20, choices=Action.choices, blank=True, default="")
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    supersedes = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)

    owner_field = "institution"
    owner_kind = "institution"

    class Meta:
        ordering = ["key", "-version"]
        constraints = [models.UniqueConstraint(fields=["institution", "key", "version"], name="assistant_entry_key_version")]
        permissions = [("approve_knowledgeentry", "Can approve knowledge base entries")]

    def __str__(self) -> str:
        return f"{self.key} v{self.version}"

    def text(self, language: str) -> "EntryText | None":
        texts = {t.language: t for t in self.texts.all()}
        return texts.get(language) or texts.get("en")


class EntryText(models.Model):
    """An entry in one language: the question, other ways people ask it, and the answer."""

    entry = models.ForeignKey(KnowledgeEntry, on_delete=models.CASCADE, related_name="texts")
    language = models.CharField(max_length=5, choices=LANGUAGE_CHOICES)
    question = models.CharField(max_length=500)
    paraphrases = models.JSONField(default=list, blank=True)
    keywords = models.CharField(max_length=500, blank=True)  # words tourists use for this topic
    answer = models.TextField(blank=True)  # empty for hand-off entries: the hand-off notice is used

    class Meta:
        ordering = ["entry", "language"]
        constraints = [models.UniqueConstraint(fields=["entry", "language"], name="assistant_text_language")]

    def __str__(self) -> str:
        return f"{self.entry.key} [{self.language}]"


class EmbeddingCache(models.Model):
    """Embeddings of knowledge-base phrasings, so a restart does not re-embed the whole KB."""

    digest = models.CharField(max_length=64, primary_key=True)  # sha256(model id + text)
    vector = models.BinaryField()


class Suggestion(models.Model):
    """A question/answer pair mined from a resolved conversation, waiting for a reviewer."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        MERGED = "merged", _("Added to an existing entry")
        CREATED = "created", _("Became a new entry")
        REJECTED = "rejected", _("Rejected")

    institution = models.ForeignKey("core.Institution", on_delete=models.PROTECT, related_name="+")
    conversation = models.ForeignKey("Conversation", null=True, blank=True, on_delete=models.SET_NULL, related_name="suggestions")
    language = models.CharField(max_length=5, choices=LANGUAGE_CHOICES)
    question = models.CharField(max_length=500)  # personal data masked
    answer = models.TextField(blank=True)
    # Near-duplicate of an existing entry: accepting adds the question as another phrasing.
    similar_entry = models.ForeignKey(KnowledgeEntry, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    similarity = models.FloatField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    result_entry = models.ForeignKey(KnowledgeEntry, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)

    owner_field = "institution"
    owner_kind = "institution"

    class Meta:
        ordering = ["-created_at"]


class Channel(models.Model):
    """An omnichannel tool (Qontak, Chatwoot, …) that forwards tourists' messages by webhook."""

    institution = models.ForeignKey("core.Institution", on_delete=models.PROTECT, related_name="+")
    slug = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100)
    secret_encrypted = models.BinaryField()  # HMAC key for both directions, encrypted at rest
    callback_url = models.URLField(blank=True)  # where officers' replies are delivered
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    owner_field = "institution"
    owner_kind = "institution"

    def __str__(self) -> str:
        return self.name


class Conversation(models.Model):
    """A chat with one tourist. The bot owns it until hand-off; then a duty officer does."""

    class Status(models.TextChoices):
        BOT = "bot", _("With the assistant")
        WAITING = "waiting", _("Waiting for an officer")
        HUMAN = "human", _("With an officer")
        RESOLVED = "resolved", _("Resolved")

    class Channel(models.TextChoices):
        WEB = "web", _("Web chat")
        WEBHOOK = "webhook", _("Omnichannel webhook")
        CLI = "cli", _("Command line")

    institution = models.ForeignKey("core.Institution", on_delete=models.PROTECT, related_name="+")
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.WEB)
    external_channel = models.ForeignKey("assistant.Channel", null=True, blank=True, on_delete=models.PROTECT, related_name="conversations")
    external_id = models.CharField(max_length=100, blank=True)
    language = models.CharField(max_length=5, choices=LANGUAGE_CHOICES, default="en")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.BOT)
    handoff_reason = models.CharField(max_length=40, blank=True)
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    started_at = models.DateTimeField(auto_now_add=True)
    last_message_at = models.DateTimeField(auto_now_add=True)
    handed_off_at = models.DateTimeField(null=True, blank=True)
    first_response_due = models.DateTimeField(null=True, blank=True)
    first_human_reply_at = models.DateTimeField(null=True, blank=True)
    sla_breached = models.BooleanField(default=False)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by_bot = models.BooleanField(default=False)
    csat = models.PositiveSmallIntegerField(null=True, blank=True)  # 1–5
    csat_comment = models.CharField(max_length=500, blank=True)
    mined = models.BooleanField(default=False)  # already turned into suggestions
    pending_action = models.CharField(max_length=20, blank=True)  # waiting for order code + email

    owner_field = "institution"
    owner_kind = "institution"

    class Meta:
        ordering = ["-last_message_at"]
        constraints = [
            models.UniqueConstraint(fields=["external_channel", "external_id"], condition=~models.Q(external_id=""),
                                    name="assistant_conversation_external"),
        ]
        permissions = [("reply_conversation", "Can reply to and resolve conversations"),
                       ("view_analytics", "Can see assistant analytics")]

    def __str__(self) -> str:
        return f"#{self.pk} ({self.get_status_display()})"

    @property
    def handoff_reason_label(self) -> str:
        return handoff_reason_label(self.handoff_reason)


class Message(models.Model):
    class Sender(models.TextChoices):
        VISITOR = "visitor", _("Visitor")
        BOT = "bot", _("Assistant")
        OFFICER = "officer", _("Officer")
        SYSTEM = "system", _("System")

    class Decision(models.TextChoices):
        NONE = "", "—"
        ANSWER = "answer", _("Answered")
        HANDOFF = "handoff", _("Handed off")
        CLARIFY = "clarify", _("Offered close questions")
        ACTION = "action", _("Action")

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    sender = models.CharField(max_length=8, choices=Sender.choices)
    body = models.TextField()
    language = models.CharField(max_length=5, blank=True)
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Bot turns: what the assistant decided and on what grounds (for analytics and review).
    decision = models.CharField(max_length=8, choices=Decision.choices, blank=True, default="")
    confidence = models.FloatField(null=True, blank=True)
    sources = models.JSONField(default=list, blank=True)
    candidates = models.JSONField(default=list, blank=True)
    # The tourist's "this didn't help" on an answer (False); feeds the next calibration.
    helpful = models.BooleanField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)  # webhook channel: callback accepted

    class Meta:
        ordering = ["created_at", "id"]


class ConversationEvent(models.Model):
    """Reporting events (bot resolved, bot hand-off, assigned, SLA breach, …), one row each."""

    class Kind(models.TextChoices):
        BOT_ANSWERED = "bot_answered", _("Assistant answered")
        BOT_HANDOFF = "bot_handoff", _("Handed off by the assistant")
        VISITOR_HANDOFF = "visitor_handoff", _("Visitor asked for a person")
        ASSIGNED = "assigned", _("Assigned")
        OFFICER_REPLIED = "officer_replied", _("Officer replied")
        SLA_BREACHED = "sla_breached", _("First-response time exceeded")
        BOT_RESOLVED = "bot_resolved", _("Resolved by the assistant")
        RESOLVED = "resolved", _("Resolved by an officer")
        CSAT = "csat", _("Satisfaction rating")
        NOT_HELPFUL = "not_helpful", _("The tourist said an answer did not help")

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["kind", "at"])]


class DutyShift(models.Model):
    """One officer on the 24/7 roster for a time window, with the languages they answer in."""

    institution = models.ForeignKey("core.Institution", on_delete=models.PROTECT, related_name="+")
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    languages = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    owner_field = "institution"
    owner_kind = "institution"

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["starts_at", "ends_at"])]


class CannedReply(models.Model):
    institution = models.ForeignKey("core.Institution", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=100)
    language = models.CharField(max_length=5, choices=LANGUAGE_CHOICES)
    body = models.TextField()

    owner_field = "institution"
    owner_kind = "institution"

    class Meta:
        ordering = ["title", "language"]
        constraints = [models.UniqueConstraint(fields=["institution", "title", "language"], name="assistant_canned_title_language")]


# Why a conversation went to a person, as staff read it (``Conversation.handoff_reason`` holds the code).
HANDOFF_REASONS = {
    "visitor": _("The tourist asked for a person"),
    "bot:low_confidence": _("The assistant was not sure of the answer"),
    "bot:pending_approval": _("The answer is still waiting for approval"),
    "bot:no_knowledge": _("The knowledge base is empty"),
    "bot:topic": _("A case for an officer"),
    "bot:not_helpful": _("The tourist said the answer did not help"),
}
CASE_TOPICS = {
    "refund": _("Refund"), "double_payment": _("Charged twice"), "payment_problem": _("Payment problem"),
    "correct_data": _("Correction of traveller data"), "human": _("Asked for a person"),
    "exemption_status": _("Exemption application status"), "exemption_appeal": _("Review of a rejected exemption"),
    "complaint": _("Complaint"), "visa": _("Visa or immigration question"), "lost_no_details": _("Lost voucher without order details"),
    "vitas_no_card": _("VITAS holder without a KITAS card"), "off_role": _("Request outside the assistant's role"),
}


def handoff_reason_label(reason: str) -> str:
    if reason.startswith("bot:topic:"):
        topic = reason.removeprefix("bot:topic:")
        return f"{HANDOFF_REASONS['bot:topic']}: {CASE_TOPICS.get(topic, topic.replace('_', ' '))}"
    return str(HANDOFF_REASONS.get(reason, reason))
