"""Console pages of the levy: dashboard, orders, refunds, exemptions, endpoints,
reconciliation, the checkpoint scanner and the passport lookup."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language, gettext as _
from django.views.decorators.http import require_http_methods

from spbe.core import permissions, ratelimit
from spbe.core.views import console_view, run_service, scoped_object_or_404

from . import countries, policy, services
from .models import (CheckpointScan, CommissionStatement, Endpoint, EndpointKey, Exemption, ExemptionDocument, Order, Payment, Refund,
                     RefundRequest, SettlementBatch)


def _uploaded(request, name: str, limit: int = 20 * 1024 * 1024) -> tuple[str, bytes] | None:
    upload = request.FILES.get(name)
    if upload is None:
        messages.error(request, _("Choose a file."))
        return None
    if upload.size > limit:
        messages.error(request, _("The file is too large; the limit is 20 MB."))
        return None
    return upload.name, upload.read()


@console_view
@require_http_methods(["GET", "POST"])
def dashboard(request):
    permissions.require(request.user, "levy.view_order")
    if request.method == "POST":
        permissions.require(request.user, "levy.add_arrivalcount")
        upload = _uploaded(request, "arrivals")
        if upload:
            count = run_service(request, lambda: services.import_arrivals(upload[1], source=request.POST.get("source", ""), by=request.user),
                                  _("Arrival counts imported."))
            if count is not None:
                messages.info(request, _("%(n)s days updated.") % {"n": count})
        return redirect("levy:dashboard")
    days = min(max(int(request.GET.get("days", 30) or 30), 1), 366)
    end = timezone.localdate()
    start = end - timedelta(days=days - 1)
    data = services.figures(start, end)
    peak = max([d["revenue"] for d in data["days"]] + [1])
    for day in data["days"]:
        day["bar"] = round(100 * day["revenue"] / peak)
        day["rate"] = (day["covered"] / day["arrivals"]) if day["arrivals"] else None
    flagged = SettlementBatch.objects.filter(flagged__gt=0)[:5]
    return render(request, "levy/dashboard.html", {"data": data, "days": days, "start": start, "end": end, "flagged": flagged,
                                                   "channels": dict(services.Channel.choices),
                                                   "pending_refund_requests": services.refund_requests_for(request.user).count(),
                                                   "can_import_arrivals": permissions.has_perm(request.user, "levy.add_arrivalcount")})


@console_view
def order_list(request):
    permissions.require(request.user, "levy.view_order")
    from django.db.models import Q, Sum

    done = Q(payments__refunds__state=Refund.State.DONE)
    qs = permissions.scope_queryset(request.user, "levy.view_order", Order.objects.filter(sandbox=False).select_related("endpoint")).annotate(
        refunded=Sum("payments__refunds__amount", filter=done)).order_by("-created_at")
    query = request.GET.get("q", "").strip().upper()
    status = request.GET.get("status", "")
    if query:
        qs = qs.filter(code__icontains=query)
    if status:
        qs = qs.filter(status=status)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "levy/order_list.html", {"page": page, "q": query, "status": status, "statuses": Order.Status.choices})


@console_view
@require_http_methods(["GET", "POST"])
def order_detail(request, code: str):
    order = scoped_object_or_404(request.user, "levy.view_order", Order.objects.select_related("endpoint"), code=code)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "refund":
            payment = scoped_object_or_404(request.user, "levy.view_payment", order.payments.all(), local_id=request.POST.get("payment"))
            try:
                amount = int(request.POST.get("amount", "0"))
            except ValueError:
                amount = 0
            run_service(request, lambda: services.request_refund(
                payment, amount=amount, reason=request.POST.get("reason", ""), note=request.POST.get("note", ""),
                revoke_vouchers=request.POST.get("revoke") == "on", by=request.user), _("Refund requested."))
        elif action == "resend":
            run_service(request, lambda: services.resend_vouchers(order.code, order.email), _("Vouchers will be e-mailed again."))
        elif action == "refresh":
            for payment in order.payments.filter(state=Payment.State.PENDING):
                run_service(request, lambda p=payment: services.refresh_payment(p), _("Payment status refreshed."))
        return redirect("levy:order-detail", code=order.code)
    from django.db.models import Sum

    travellers = order.travellers.select_related("voucher", "covered_by_existing")
    order.refunded = Refund.objects.filter(payment__order=order, state=Refund.State.DONE).aggregate(s=Sum("amount"))["s"] or 0
    return render(request, "levy/order_detail.html", {
        "order": order, "travellers": travellers, "payments": order.payments.prefetch_related("refunds"),
        "reasons": policy.RefundReason.choices, "can_refund": permissions.has_perm(request.user, "levy.add_refund", order),
        "refund_requests": order.refund_requests.all(),
    })


@console_view
@require_http_methods(["GET", "POST"])
def refund_list(request):
    permissions.require(request.user, "levy.view_refund")
    qs = permissions.scope_queryset(request.user, "levy.view_refund", Refund.objects.select_related("payment__order"))
    if request.method == "POST":
        refund = scoped_object_or_404(request.user, "levy.view_refund", qs, pk=request.POST.get("refund"))
        action = request.POST.get("action")
        if action == "retry":
            run_service(request, lambda: services.retry_refund(refund, request.user), _("Refund sent again."))
        elif action == "external":
            run_service(request, lambda: services.mark_refund_external(refund, request.user, request.POST.get("note", "")),
                          _("Marked for manual transfer."))
        elif action == "complete":
            run_service(request, lambda: services.complete_external_refund(refund, request.user, request.POST.get("transfer_reference", "")),
                          _("Refund completed."))
        return redirect("levy:refund-list")
    state = request.GET.get("state", "")
    if state:
        qs = qs.filter(state=state)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "levy/refund_list.html", {"page": page, "state": state, "states": Refund.State.choices})


@console_view
def refund_request_list(request):
    """The officers' queue of partner refund requests: waiting ones first, oldest first."""
    permissions.require(request.user, "levy.view_refund")
    state = request.GET.get("state", RefundRequest.State.PENDING)
    page = Paginator(services.refund_requests_for(request.user, state), 50).get_page(request.GET.get("page"))
    return render(request, "levy/refund_request_list.html", {"page": page, "state": state, "states": RefundRequest.State.choices})


@console_view
@require_http_methods(["GET", "POST"])
def refund_request_detail(request, request_id: int):
    refund_request = scoped_object_or_404(request.user, "levy.view_refund",
                                          RefundRequest.objects.select_related("order", "endpoint", "refund"), pk=request_id)
    if request.method == "POST":
        approve = request.POST.get("decision") == "approve"
        run_service(request, lambda: services.decide_refund_request(refund_request, approve=approve, note=request.POST.get("note", ""),
                                                                    by=request.user),
                    _("Refund approved; the vouchers are revoked and the refund is on its way.") if approve
                    else _("Request rejected; the partner sees your reason."))
        return redirect("levy:refund-request-detail", request_id=refund_request.pk)
    travellers = refund_request.order.travellers.select_related("voucher").filter(position__in=refund_request.travellers)
    return render(request, "levy/refund_request_detail.html", {
        "rr": refund_request, "travellers": travellers,
        "can_decide": permissions.has_perm(request.user, "levy.add_refund", refund_request),
    })


@console_view
def exemption_list(request):
    permissions.require(request.user, "levy.view_exemption")
    qs = permissions.scope_queryset(request.user, "levy.view_exemption", Exemption.objects.all())
    status = request.GET.get("status", Exemption.Status.SUBMITTED)
    if status:
        qs = qs.filter(status=status)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "levy/exemption_list.html", {"page": page, "status": status, "statuses": Exemption.Status.choices,
                                                        "today": timezone.localdate()})


@console_view
@require_http_methods(["GET", "POST"])
def exemption_detail(request, code: str):
    exemption = scoped_object_or_404(request.user, "levy.view_exemption", Exemption.objects.all(), code=code)
    if request.method == "POST":
        approve = request.POST.get("decision") == "approve"
        run_service(request, lambda: services.decide_exemption(exemption, approve=approve, note=request.POST.get("note", ""), by=request.user),
                      _("Decision recorded; the applicant is informed by e-mail."))
        return redirect("levy:exemption-detail", code=exemption.code)
    return render(request, "levy/exemption_detail.html", {
        "exemption": exemption, "documents": exemption.documents.all(), "nationality": countries.name(exemption.nationality, request.LANGUAGE_CODE),
        "can_decide": permissions.has_perm(request.user, "levy.review_exemption", exemption), "voucher": getattr(exemption, "voucher", None),
    })


@console_view
def exemption_document(request, code: str, document_id: int):
    exemption = scoped_object_or_404(request.user, "levy.review_exemption", Exemption.objects.all(), code=code)
    document = scoped_object_or_404(request.user, "levy.review_exemption", ExemptionDocument.objects.filter(exemption=exemption), pk=document_id)
    response = HttpResponse(services.exemption_document(document, request.user), content_type=document.content_type)
    response["Content-Disposition"] = f'attachment; filename="{document.original_name}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response


@console_view
def endpoint_list(request):
    permissions.require(request.user, "levy.view_endpoint")
    qs = permissions.scope_queryset(request.user, "levy.view_endpoint", Endpoint.objects.all())
    status = request.GET.get("status", "")
    if status:
        qs = qs.filter(status=status)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "levy/endpoint_list.html", {"page": page, "status": status, "statuses": Endpoint.Status.choices})


@console_view
@require_http_methods(["GET", "POST"])
def endpoint_detail(request, code: str):
    endpoint = scoped_object_or_404(request.user, "levy.view_endpoint", Endpoint.objects.all(), code=code)
    new_secret = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action in ("approved", "rejected", "suspended"):
            run_service(request, lambda: services.decide_endpoint(endpoint, status=action, note=request.POST.get("note", ""),
                                                                    pks_number=request.POST.get("pks_number", ""), by=request.user),
                          _("Endpoint status changed."))
        elif action == "issue_key":
            issued = run_service(request, lambda: services.issue_endpoint_key(endpoint, label=request.POST.get("label", ""), by=request.user),
                                   _("API key issued. Copy the secret now: it is shown only once."))
            if issued:
                new_secret = {"key_id": issued[0].key_id, "secret": issued[1]}
        elif action == "revoke_key":
            key = scoped_object_or_404(request.user, "levy.view_endpoint", EndpointKey.objects.filter(endpoint=endpoint), pk=request.POST.get("key"))
            run_service(request, lambda: services.revoke_endpoint_key(key, request.user), _("API key revoked."))
        elif action == "invite":
            run_service(request, lambda: services.invite_partner_user(
                endpoint, email=request.POST.get("email", ""), full_name=request.POST.get("full_name", ""), by=request.user),
                _("Invitation sent: the person chooses a password from the e-mailed link."))
        elif action == "statement":
            try:
                year, quarter = int(request.POST.get("year", "0")), int(request.POST.get("quarter", "0"))
            except ValueError:
                year = quarter = 0
            run_service(request, lambda: services.build_commission_statement(endpoint, year, quarter, by=request.user),
                          _("Statement created."))
        if new_secret is None:
            return redirect("levy:endpoint-detail", code=endpoint.code)
        endpoint.refresh_from_db()
    from django.db.models import Sum

    open_totals = endpoint.commission_entries.filter(statement__isnull=True).aggregate(levy=Sum("levy_amount"), commission=Sum("amount"))
    response = render(request, "levy/endpoint_detail.html", {
        "endpoint": endpoint, "keys": endpoint.keys.all(), "statements": endpoint.statements.all(), "new_secret": new_secret,
        "open_totals": open_totals, "can_review": permissions.has_perm(request.user, "levy.review_endpoint", endpoint),
        "orders": endpoint.orders.all()[:20], "this_year": timezone.localdate().year,
    })
    response["Cache-Control"] = "no-store"  # the page may carry a one-time secret
    return response


@console_view
def statement_pdf(request, code: str, statement_id: int):
    from .pdf import statement_pdf as render_pdf

    statement = scoped_object_or_404(request.user, "levy.view_commissionstatement",
                                     CommissionStatement.objects.filter(endpoint__code=code).select_related("endpoint"), pk=statement_id)
    response = HttpResponse(render_pdf(statement, get_language() or "id"), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="imbal-jasa-{code}-{statement.year}-Q{statement.quarter}.pdf"'
    return response


@console_view
@require_http_methods(["GET", "POST"])
def settlement_list(request):
    permissions.require(request.user, "levy.view_settlementbatch")
    if request.method == "POST":
        upload = _uploaded(request, "file")
        if upload:
            batch = run_service(request, lambda: services.import_settlement(upload[0], upload[1], by=request.user),
                                  _("Settlement file imported."))
            if batch:
                return redirect("levy:settlement-detail", batch_id=batch.pk)
        return redirect("levy:settlement-list")
    qs = permissions.scope_queryset(request.user, "levy.view_settlementbatch", SettlementBatch.objects.all())
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "levy/settlement_list.html", {"page": page,
                                                         "can_import": permissions.has_perm(request.user, "levy.add_settlementbatch")})


@console_view
def settlement_detail(request, batch_id: int):
    batch = scoped_object_or_404(request.user, "levy.view_settlementbatch", SettlementBatch.objects.all(), pk=batch_id)
    lines = batch.settlement_lines.select_related("payment__order")
    if request.GET.get("flagged"):
        lines = lines.exclude(state="matched")
    return render(request, "levy/settlement_detail.html", {"batch": batch, "lines": lines})


@console_view
def checkpoint(request):
    permissions.require(request.user, "levy.add_checkpointscan")
    messages_json = {
        "trust": _("%(keys)s keys, %(revoked)s revoked vouchers, synced %(when)s"),
        "no_trust": _("No verification keys yet: connect once to download them."),
        "damaged": _("The code is damaged."),
        "not_voucher": _("This is not a Love Bali voucher code."),
        "unknown_key": _("Signed with an unknown key: sync, then scan again."),
        "forged": _("The signature does not match: forged or altered code."),
        "unknown_reference": _("Unknown reference."),
        "needs_network": _("Checking a typed reference needs the network."),
        "offline_title": _("Not checked: offline"),
        "offline_reference": _("A typed reference can only be checked online. The scan is kept and checked when the network is back; scan the QR code to check it now."),
        "camera_denied": _("The camera is not available: allow it in the browser, or type the reference."),
        "queued": _("%(n)s scans waiting for upload"),
        "passport_match": _("Matches the voucher."),
        "passport_mismatch": _("Does NOT match the voucher."),
        "kinds": {"paid": _("Levy paid"), "exempt": _("Exempt")},
        "results": {value: str(label) for value, label in CheckpointScan.Result.choices},
    }
    categories = sorted((c.value, c.label) for c in policy.SHOW_AT_CHECKPOINT)
    return render(request, "levy/checkpoint.html", {"categories": categories, "messages_json": messages_json})


# What the checkpoint page needs to load and verify with no network (cached by its service worker).
CHECKPOINT_ASSETS = ("vendor/bootstrap-5.3.9.min.css", "vendor/bootstrap-5.3.9.bundle.min.js", "vendor/htmx-2.0.11.min.js",
                     "spbe/site.css", "spbe/site.js", "levy/checkpoint.js", "vendor/jsqr-1.4.0.js")


def checkpoint_service_worker(request):
    """The checkpoint page's service worker. Served under the page's own path, so its scope is
    exactly the scanner; the asset list is versioned, so a deploy replaces the old cache."""
    import hashlib

    from django.templatetags.static import static
    from django.urls import reverse

    assets = [static(name) for name in CHECKPOINT_ASSETS]
    api = [reverse("api-v1:levy_keys"), reverse("api-v1:levy_revocations")]
    page = reverse("levy:checkpoint")
    version = hashlib.sha256("|".join([page, *assets, *api]).encode()).hexdigest()[:12]
    import json

    context = {"assets": json.dumps(assets), "api": json.dumps(api), "page": json.dumps(page), "version": version, "scope": page}
    response = render(request, "levy/checkpoint_sw.js", context, content_type="application/javascript")
    response["Cache-Control"] = "no-cache"
    return response


@console_view
@require_http_methods(["GET", "POST"])
def lookup(request):
    permissions.require(request.user, "levy.lookup_passport")
    results = None
    if request.method == "POST":
        if ratelimit.limited(request, f"levy-lookup:{request.user.pk}", limit=60):
            messages.error(request, _("Too many requests. Please wait and try again."))
        else:
            results = services.lookup_passport(request.user, request.POST.get("nationality", ""), request.POST.get("passport", ""))
    return render(request, "levy/lookup.html", {"results": results, "countries": countries.choices(request.LANGUAGE_CODE)})


# --- the partner's own pages (role partner_endpoint) ----------------------------------------


def _partner_endpoint(request, code: str | None = None) -> Endpoint:
    from django.http import Http404

    permissions.require(request.user, "levy.partner_portal")
    endpoints = services.partner_endpoints(request.user).order_by("name")
    endpoint = endpoints.filter(code=code).first() if code else endpoints.first()
    if endpoint is None:
        raise Http404
    return endpoint


@console_view
@require_http_methods(["GET", "POST"])
def partner_home(request):
    """A Love Bali Endpoint's own console page: status, API keys, webhooks and their delivery
    log, orders with printable vouchers, commission statements."""
    from .models import WebhookDelivery, WebhookEndpoint

    endpoint = _partner_endpoint(request, request.GET.get("endpoint") or request.POST.get("endpoint"))
    shown_once = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action in ("issue_key", "issue_sandbox_key"):
            sandbox = action == "issue_sandbox_key"
            issued = run_service(request, lambda: services.issue_endpoint_key(endpoint, label=request.POST.get("label", ""), sandbox=sandbox,
                                                                              by=request.user),
                                 _("API key created. Copy the secret now: it is shown only once."))
            if issued:
                shown_once = {"what": _("Sandbox API key") if sandbox else _("API key"), "id": issued[0].key_id, "secret": issued[1]}
        elif action == "revoke_key":
            key = endpoint.keys.filter(pk=request.POST.get("key")).first()
            if key is not None:
                run_service(request, lambda: services.revoke_endpoint_key(key, request.user), _("API key revoked."))
        elif action == "add_webhook":
            events = [e for e in request.POST.getlist("events") if e]
            added = run_service(request, lambda: services.webhooks.add_webhook(endpoint, url=request.POST.get("url", ""), events=events,
                                                                               by=request.user),
                                _("Webhook added. Copy its signing secret now: it is shown only once."))
            if added:
                shown_once = {"what": _("Webhook signing secret"), "id": added[0].url, "secret": added[1]}
        elif action in ("rotate_webhook", "disable_webhook"):
            webhook = WebhookEndpoint.objects.filter(endpoint=endpoint, pk=request.POST.get("webhook")).first()
            if webhook is not None and action == "rotate_webhook":
                secret = run_service(request, lambda: services.webhooks.rotate_webhook_secret(webhook, by=request.user),
                                     _("New signing secret. Copy it now: it is shown only once."))
                if secret:
                    shown_once = {"what": _("Webhook signing secret"), "id": webhook.url, "secret": secret}
            elif webhook is not None:
                run_service(request, lambda: services.webhooks.disable_webhook(webhook, by=request.user), _("Webhook removed."))
        elif action == "redeliver":
            delivery = WebhookDelivery.objects.filter(webhook__endpoint=endpoint, pk=request.POST.get("delivery")).first()
            if delivery is not None:
                run_service(request, lambda: services.webhooks.redeliver(delivery, by=request.user), _("The event will be sent again."))
        elif action == "request_refund":
            order = endpoint.orders.filter(code=request.POST.get("order", "")).first()
            positions = [p.strip() for p in request.POST.get("travellers", "").replace(";", ",").split(",") if p.strip()]
            if order is None:
                messages.error(request, _("Choose one of your paid orders."))
            elif not all(p.isdigit() for p in positions):
                messages.error(request, _("Name each traveller to refund once (their numbers in the order)."))
            else:
                run_service(request, lambda: services.request_partner_refund(
                    order, travellers=[int(p) for p in positions], reason=request.POST.get("reason", ""),
                    note=request.POST.get("note", ""), by=request.user), _("Refund request sent; a levy officer reviews it."))
        elif action == "withdraw_refund":
            found = endpoint.refund_requests.filter(pk=request.POST.get("refund_request") or 0).first()
            if found is not None:
                run_service(request, lambda: services.withdraw_refund_request(found, by=request.user), _("Refund request withdrawn."))
        if shown_once is None:
            return redirect(f"{request.path}?endpoint={endpoint.code}")
    from django.db.models import Count, Sum

    webhooks = list(endpoint.webhooks.filter(active=True))
    for webhook in webhooks:
        webhook.recent = list(webhook.deliveries.all()[:20])
    open_totals = endpoint.commission_entries.filter(statement__isnull=True).aggregate(levy=Sum("levy_amount"), commission=Sum("amount"))
    response = render(request, "levy/partner_home.html", {
        "endpoint": endpoint, "endpoints": services.partner_endpoints(request.user).order_by("name"),
        "keys": endpoint.keys.all(), "webhooks": webhooks, "events": WebhookEndpoint.EVENTS, "shown_once": shown_once,
        "orders": endpoint.orders.annotate(n=Count("travellers")).order_by("-created_at")[:50],
        "statements": endpoint.statements.all(), "open_totals": open_totals,
        "paid_orders": endpoint.orders.filter(status=Order.Status.PAID, sandbox=False).annotate(n=Count("travellers"))
        .order_by("-paid_at")[:200],
        "refund_requests": endpoint.refund_requests.select_related("order")[:50],
        "refund_reasons": RefundRequest.Reason.choices,
    })
    response["Cache-Control"] = "no-store"  # the page may carry a one-time secret
    return response


@console_view
def partner_voucher_pdf(request, code: str, order_code: str):
    """The guests' vouchers of one order, printed at the front desk."""
    from django.http import Http404

    endpoint = _partner_endpoint(request, code)
    pdf = services.guest_vouchers_pdf(endpoint.orders.filter(code=order_code).first(), request.GET.get("language", ""))
    if pdf is None:
        raise Http404
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="love-bali-{order_code}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@console_view
def partner_statement_pdf(request, code: str, statement_id: int):
    from django.http import Http404

    from .pdf import statement_pdf as render_pdf

    endpoint = _partner_endpoint(request, code)
    statement = endpoint.statements.filter(pk=statement_id).first()
    if statement is None:
        raise Http404
    response = HttpResponse(render_pdf(statement, get_language() or "id"), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="imbal-jasa-{code}-{statement.year}-Q{statement.quarter}.pdf"'
    return response
