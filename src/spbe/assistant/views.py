"""Console pages of the assistant: the duty officers' inbox and conversations, the knowledge
base with approval, suggestions learned from conversations, the duty roster, canned replies,
webhook channels and analytics."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from spbe.core import permissions
from spbe.core.models import User
from spbe.core.views import console_view, run_service, scoped_object_or_404

from . import services
from .models import LANGUAGES, CannedReply, Channel, Conversation, DutyShift, KnowledgeEntry, Suggestion


# --- inbox ------------------------------------------------------------------------------


@console_view
def inbox(request):
    permissions.require(request.user, "assistant.reply_conversation")
    view = request.GET.get("view", "open")
    rows = permissions.scope_queryset(request.user, "assistant.view_conversation", Conversation.objects.select_related("assigned_to"))
    if view == "mine":
        rows = rows.filter(assigned_to=request.user, status__in=services.OPEN_STATUSES)
    elif view == "bot":
        rows = rows.filter(status=Conversation.Status.BOT)
    elif view == "resolved":
        rows = rows.filter(status=Conversation.Status.RESOLVED)
    else:
        view = "open"
        rows = rows.filter(status__in=services.OPEN_STATUSES).order_by("first_response_due")
    now = timezone.now()
    on_duty = DutyShift.objects.filter(starts_at__lte=now, ends_at__gt=now).select_related("officer")
    template = "assistant/_inbox_rows.html" if request.htmx else "assistant/inbox.html"
    return render(request, template, {"rows": rows[:200], "view": view, "now": now, "on_duty": on_duty})


@console_view
@require_http_methods(["GET", "POST"])
def conversation(request, pk: int):
    item = scoped_object_or_404(request.user, "assistant.view_conversation", Conversation.objects.all(), pk=pk)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "reply":
            run_service(request, lambda: services.officer_reply(item, request.POST.get("body", ""), by=request.user), "")
        elif action == "claim":
            run_service(request, lambda: services.assign(item, request.user, by=request.user), _("You took this conversation."))
        elif action == "assign":
            officer = User.objects.filter(pk=request.POST.get("officer") or 0).first()
            run_service(request, lambda: services.assign(item, officer, by=request.user), _("Conversation assigned."))
        elif action == "resolve":
            run_service(request, lambda: services.resolve(item, by=request.user), _("Conversation resolved."))
        return redirect("assistant:conversation", pk=item.pk)
    canned = CannedReply.objects.filter(institution=item.institution).order_by("language", "title")
    officers = [s.officer for s in DutyShift.objects.filter(starts_at__lte=timezone.now(), ends_at__gt=timezone.now()).select_related("officer")]
    context = {"item": item, "messages_": item.messages.select_related("officer"), "events": item.events.select_related("actor"),
               "canned": canned, "officers": officers, "can_reply": permissions.has_perm(request.user, "assistant.reply_conversation", item)}
    template = "assistant/_transcript.html" if request.htmx else "assistant/conversation.html"
    return render(request, template, context)


@console_view
def transcript(request, pk: int):
    """The whole conversation as plain text (for a complaint file or a hand-over)."""
    item = scoped_object_or_404(request.user, "assistant.view_conversation", Conversation.objects.all(), pk=pk)
    lines = [f"Love Bali — {_('Conversation')} #{item.pk} ({item.get_channel_display()}, {item.language}, {item.get_status_display()})"]
    for message in item.messages.select_related("officer"):
        who = message.get_sender_display() + (f" ({message.officer})" if message.officer else "")
        lines.append(f"[{timezone.localtime(message.created_at):%Y-%m-%d %H:%M:%S}] {who}: {message.body}")
    response = HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="conversation-{item.pk}.txt"'
    return response


# --- knowledge base --------------------------------------------------------------------------


@console_view
def kb_list(request):
    permissions.require(request.user, "assistant.view_knowledgeentry")
    status = request.GET.get("status", "")
    rows = permissions.scope_queryset(request.user, "assistant.view_knowledgeentry", KnowledgeEntry.objects.prefetch_related("texts"))
    if status in KnowledgeEntry.Status.values:
        rows = rows.filter(status=status)
    rows = list(rows)
    for entry in rows:
        entry.title, entry.title_language = _title(entry)
    return render(request, "assistant/kb_list.html", {"rows": rows, "status": status, "statuses": KnowledgeEntry.Status.choices,
                                                      "language_count": len(LANGUAGES),
                                                      "can_add": permissions.has_perm(request.user, "assistant.add_knowledgeentry")})


def _title(entry: KnowledgeEntry) -> tuple[str, str]:
    """The entry's question in the reader's language, else English, else any (with its language)."""
    texts = {t.language: t.question for t in entry.texts.all()}
    for language in (get_language()[:2], "en", *texts):
        if texts.get(language):
            return texts[language], language
    return entry.key, "en"


@console_view
@require_POST
def kb_import(request):
    permissions.require(request.user, "assistant.add_knowledgeentry")
    counts = run_service(request, lambda: services.import_site_faq(by=request.user), "")
    if counts is not None:
        messages.success(request, _("FAQ imported: %(created)s new, %(updated)s updated, %(unchanged)s unchanged. New content waits for approval.")
                         % counts)
    return redirect("assistant:kb-list")


@console_view
@require_http_methods(["GET", "POST"])
def kb_detail(request, pk: int):
    entry = scoped_object_or_404(request.user, "assistant.view_knowledgeentry", KnowledgeEntry.objects.all(), pk=pk)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "approve":
            day = parse_date(request.POST.get("effective_from", "") or "")
            run_service(request, lambda: services.approve_entry(entry, by=request.user, effective_from=day), _("Entry approved."))
        elif action == "reject":
            run_service(request, lambda: services.reject_entry(entry, by=request.user, note=request.POST.get("note", "")), _("Entry rejected."))
        elif action == "retire":
            run_service(request, lambda: services.retire_entry(entry, by=request.user), _("Entry retired."))
        elif action == "edit":
            texts = services.entry_texts(entry)
            language = request.POST.get("language", "")
            if language in LANGUAGES:
                texts[language] = {
                    "question": request.POST.get("question", "").strip(),
                    "paraphrases": [line.strip() for line in request.POST.get("paraphrases", "").splitlines() if line.strip()],
                    "keywords": request.POST.get("keywords", "").strip(),
                    "answer": request.POST.get("answer", "").strip(),
                }
                new = run_service(request, lambda: services.edit_entry(entry, texts, by=request.user), _("Saved. The change waits for approval."))
                if new is not None:
                    return redirect("assistant:kb-detail", pk=new.pk)
        return redirect("assistant:kb-detail", pk=entry.pk)
    versions = KnowledgeEntry.objects.filter(institution=entry.institution, key=entry.key).order_by("-version")
    return render(request, "assistant/kb_detail.html", {
        "entry": entry, "texts": entry.texts.all(), "versions": versions, "languages": LANGUAGES,
        **dict(zip(("title", "title_language"), _title(entry))),
        "can_approve": permissions.has_perm(request.user, "assistant.approve_knowledgeentry", entry),
        "can_edit": permissions.has_perm(request.user, "assistant.add_knowledgeentry", entry),
    })


@console_view
@require_http_methods(["GET", "POST"])
def suggestions(request):
    permissions.require(request.user, "assistant.view_suggestion")
    if request.method == "POST":
        suggestion = scoped_object_or_404(request.user, "assistant.view_suggestion", Suggestion.objects.all(), pk=request.POST.get("suggestion") or 0)
        action = request.POST.get("action")
        if action == "merge":
            target = KnowledgeEntry.objects.filter(pk=request.POST.get("entry") or 0).first()
            if target is None:
                messages.error(request, _("Choose the entry to add the question to."))
            else:
                run_service(request, lambda: services.accept_suggestion(suggestion, by=request.user, merge_into=target,
                                                                 question=request.POST.get("question", "")),
                     _("The question was added as another phrasing of the entry."))
        elif action == "create":
            run_service(request, lambda: services.accept_suggestion(suggestion, by=request.user, key=request.POST.get("key", ""),
                                                             question=request.POST.get("question", ""), answer=request.POST.get("answer", "")),
                 _("New entry created; it waits for approval."))
        elif action == "reject":
            run_service(request, lambda: services.reject_suggestion(suggestion, by=request.user), _("Suggestion rejected."))
        return redirect("assistant:suggestions")
    rows = permissions.scope_queryset(request.user, "assistant.view_suggestion",
                                      Suggestion.objects.filter(status=Suggestion.Status.PENDING).select_related("similar_entry", "conversation"))
    entries = KnowledgeEntry.objects.filter(status=KnowledgeEntry.Status.APPROVED).order_by("key")
    return render(request, "assistant/suggestions.html", {
        "rows": rows, "entries": entries, "can_review": permissions.has_perm(request.user, "assistant.approve_knowledgeentry")})


# --- roster, canned replies, channels -------------------------------------------------------------


def _local_datetime(value: str):
    parsed = parse_datetime(value or "")
    if parsed is None:
        return None
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


@console_view
@require_http_methods(["GET", "POST"])
def roster(request):
    permissions.require(request.user, "assistant.view_dutyshift")
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "add":
            officer = User.objects.filter(pk=request.POST.get("officer") or 0).first()
            starts, ends = _local_datetime(request.POST.get("starts_at")), _local_datetime(request.POST.get("ends_at"))
            if officer is None or starts is None or ends is None:
                messages.error(request, _("Choose an officer and give the start and end of the shift."))
            else:
                run_service(request, lambda: services.add_shift(officer, starts, ends, request.POST.getlist("languages"), by=request.user),
                     _("Shift added."))
        elif action == "remove":
            shift = scoped_object_or_404(request.user, "assistant.view_dutyshift", DutyShift.objects.all(), pk=request.POST.get("shift") or 0)
            run_service(request, lambda: services.remove_shift(shift, by=request.user), _("Shift removed."))
        elif action == "canned":
            run_service(request, lambda: services.save_canned_reply(request.POST.get("title", ""), request.POST.get("language", ""),
                                                             request.POST.get("body", ""), by=request.user), _("Canned reply saved."))
        elif action == "canned-delete":
            reply = scoped_object_or_404(request.user, "assistant.view_cannedreply", CannedReply.objects.all(), pk=request.POST.get("reply") or 0)
            run_service(request, lambda: services.delete_canned_reply(reply, by=request.user), _("Canned reply deleted."))
        return redirect("assistant:roster")
    today = timezone.localdate()
    start = timezone.make_aware(datetime.combine(today - timedelta(days=1), time.min))
    shifts = DutyShift.objects.filter(ends_at__gte=start).select_related("officer").order_by("starts_at")[:300]
    officers = [u for u in User.objects.filter(is_active=True, memberships__isnull=False).distinct().order_by("full_name")
                if permissions.has_perm(u, "assistant.reply_conversation")]
    return render(request, "assistant/roster.html", {
        "shifts": shifts, "officers": officers, "languages": LANGUAGES,
        "canned": CannedReply.objects.order_by("title", "language"),
        "can_manage": permissions.has_perm(request.user, "assistant.add_dutyshift"),
        "can_canned": permissions.has_perm(request.user, "assistant.add_cannedreply"),
    })


@console_view
@require_http_methods(["GET", "POST"])
def channels(request):
    permissions.require(request.user, "assistant.view_channel")
    secret = None
    if request.method == "POST":
        created = run_service(request, lambda: services.create_channel(request.POST.get("slug", ""), request.POST.get("name", ""),
                                                                request.POST.get("callback_url", ""), by=request.user),
                       _("Channel created. Copy the secret now: it is not shown again."))
        if created is not None:
            secret = created[1]
    rows = permissions.scope_queryset(request.user, "assistant.view_channel", Channel.objects.all())
    return render(request, "assistant/channels.html", {"rows": rows, "secret": secret,
                                                       "can_add": permissions.has_perm(request.user, "assistant.add_channel")})


@console_view
@require_http_methods(["GET", "POST"])
def analytics(request):
    permissions.require(request.user, "assistant.view_analytics")
    if request.method == "POST":
        permissions.require(request.user, "assistant.add_knowledgeentry")
        drafted = run_service(request, lambda: services.draft_from_unanswered(request.POST.get("question", ""), request.POST.get("language", ""),
                                                                              by=request.user),
                              _("A suggestion was drafted from these questions: write the answer and create the entry."))
        return redirect("assistant:suggestions") if drafted is not None else redirect(request.get_full_path())
    days = min(max(int(request.GET.get("days", 30) or 30), 1), 366)
    end = timezone.localdate()
    start = end - timedelta(days=days - 1)
    report = services.analytics(start, end, user=request.user)
    return render(request, "assistant/analytics.html", {"report": report, "days": days, "start": start, "end": end,
                                                        "can_draft": permissions.has_perm(request.user, "assistant.add_knowledgeentry")})
