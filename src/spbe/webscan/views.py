"""Console pages: findings (evidence, actions, timeline) and scans."""

from __future__ import annotations

import gzip

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from spbe.core import permissions
from spbe.core.services import ServiceError
from spbe.core.views import console_view, scoped_object_or_404
from spbe.inventory.models import Website

from . import services
from .models import Finding, ScanRun


@console_view
def finding_list(request):
    qs = permissions.scope_queryset(request.user, "webscan.view_finding",
                                    Finding.objects.select_related("website", "website__agency"))
    status = request.GET.get("status", "active")
    if status == "active":
        qs = qs.filter(status__in=Finding.ACTIVE)
    elif status:
        qs = qs.filter(status=status)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "webscan/finding_list.html",
                  {"page": page, "status": status, "statuses": Finding.Status.choices})


@console_view
@require_http_methods(["GET", "POST"])
def finding_detail(request, finding_id: int):
    finding = scoped_object_or_404(request.user, "webscan.view_finding", Finding.objects.select_related("website"),
                                   pk=finding_id)
    if request.method == "POST":
        action = request.POST.get("action")
        note = request.POST.get("note", "")
        try:
            if action == "acknowledge":
                services.acknowledge(finding, by=request.user, note=note)
                messages.success(request, _("Finding acknowledged."))
            elif action == "remediated":
                services.mark_remediated(finding, by=request.user, note=note)
                messages.success(request, _("Marked remediated; a re-check has been queued."))
            elif action == "recheck":
                services.recheck(finding, by=request.user)
                messages.success(request, _("Re-check queued."))
            elif action == "false_positive":
                services.mark_false_positive(finding, by=request.user, reason=note)
                messages.success(request, _("Marked as a false positive."))
            else:
                raise ServiceError(_("Unknown action."))
        except ServiceError as exc:
            messages.error(request, exc.message)
        return redirect("webscan:finding-detail", finding_id=finding.pk)
    return render(request, "webscan/finding_detail.html", {
        "finding": finding,
        "signals": finding.evidence.get("verdict", {}).get("signals", []),
        "variants": finding.evidence.get("variants", {}),
        "events": finding.events.select_related("actor"),
        "can_manage": permissions.has_perm(request.user, "webscan.manage_finding", finding),
    })


@console_view
def finding_snapshot(request, finding_id: int):
    finding = scoped_object_or_404(request.user, "webscan.view_finding", Finding.objects.all(), pk=finding_id)
    if not finding.snapshot:
        raise Http404
    data = gzip.decompress(finding.snapshot.read())
    response = HttpResponse(data, content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="judol-evidence-{finding.pk}.json"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@console_view
@require_http_methods(["GET", "POST"])
def scan_list(request):
    websites = permissions.scope_queryset(request.user, "inventory.view_website",
                                          Website.objects.filter(is_active=True).select_related("agency"))
    if request.method == "POST":
        website = websites.filter(pk=request.POST.get("website") or 0).first()
        try:
            if website is None:
                raise ServiceError(_("Choose a website."))
            services.request_scan(website, by=request.user)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Scan of %(domain)s queued.") % {"domain": website.domain})
        return redirect("webscan:scan-list")
    runs = permissions.scope_queryset(request.user, "webscan.view_scanrun", ScanRun.objects.select_related("website"))
    return render(request, "webscan/scan_list.html", {
        "runs": Paginator(runs, 50).get_page(request.GET.get("page")),
        "websites": websites,
        "can_scan": permissions.has_perm(request.user, "webscan.add_scanrun"),
    })
