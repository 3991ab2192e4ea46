"""Assistant work for "Tugas saya": chats handed to a person, entries and suggestions to review."""

from __future__ import annotations

from django.db.models import Min, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from spbe.core import permissions
from spbe.core.workqueue import Task

from .models import Conversation, KnowledgeEntry, Suggestion

GROUP = _("Love Bali assistant")


def tasks(user) -> list[Task]:
    result = []
    if permissions.has_perm(user, "assistant.reply_conversation"):
        waiting = permissions.scope_queryset(user, "assistant.reply_conversation", Conversation.objects.filter(
            status=Conversation.Status.WAITING)).filter(Q(assigned_to=user) | Q(assigned_to__isnull=True))
        summary = waiting.aggregate(due=Min("first_response_due"))
        result.append(Task(_("Chats waiting for a first reply (yours or unassigned)"), waiting.count(), reverse("assistant:inbox"),
                           GROUP, summary["due"]))
    if permissions.has_perm(user, "assistant.approve_knowledgeentry"):
        pending = permissions.scope_queryset(user, "assistant.approve_knowledgeentry",
                                             KnowledgeEntry.objects.filter(status=KnowledgeEntry.Status.PENDING))
        result.append(Task(_("Knowledge-base entries waiting for approval"), pending.count(),
                           reverse("assistant:kb-list") + "?status=pending", GROUP))
        suggestions = permissions.scope_queryset(user, "assistant.approve_knowledgeentry",
                                                 Suggestion.objects.filter(status=Suggestion.Status.PENDING))
        result.append(Task(_("Suggestions from conversations to review"), suggestions.count(), reverse("assistant:suggestions"), GROUP))
    return result
