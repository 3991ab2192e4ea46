"""The public Love Bali site: pay the levy, get and check vouchers, apply for an exemption,
register as an endpoint, and check that a collector is a registered endpoint.

Order pages are reached through a signed link (``order_token``) rather than the bare order
code, so nobody can open someone else's order by guessing codes.
"""

from __future__ import annotations

import segno
from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from spbe.assistant import services as assistant
from spbe.core import ratelimit
from spbe.core.services import ServiceError
from spbe.core.views import run_service
from spbe.levy import services as levy
from spbe.levy.api import notify_url
from spbe.levy.models import Order, Payment

from . import services as lovebali
from .errors import public_message
from .forms import (
    EndpointCheckForm,
    EndpointRegistrationForm,
    ExemptionForm,
    FindForm,
    MethodForm,
    OrderForm,
    TravellerFormSet,
    VerifyForm,
)

_ORDER_SIGNER = signing.Signer(salt="lovebali.order")


def order_token(order: Order) -> str:
    return _ORDER_SIGNER.sign(order.code)


def _order_from_token(token: str) -> Order:
    try:
        code = _ORDER_SIGNER.unsign(token)
    except signing.BadSignature as exc:
        raise Http404 from exc
    order = Order.objects.filter(code=code).first()
    if order is None:
        raise Http404
    return order


def _limited(request, name: str, limit: int = 20) -> bool:
    if ratelimit.limited(request, ratelimit.client_bucket(request, f"lovebali-{name}"), limit=limit):
        messages.error(request, _("Too many requests. Please wait and try again."))
        return True
    return False


def home(request):
    return render(request, "lovebali/home.html", {"tariff": levy.policy.tariff_on(levy._today())})


def faq(request):
    return render(request, "lovebali/faq.html", {"items": lovebali.faq_items(_site_language())})


# --- chat with the assistant ----------------------------------------------------------------

_CHAT_SESSION_KEY = "lovebali-chat"


def _site_language() -> str:
    return next((code for code, site in lovebali.SITE_LANGUAGES.items() if site == get_language()), "en")


def _chat_conversation(request):
    token = request.session.get(_CHAT_SESSION_KEY)
    return assistant.web_conversation(token) if token else None


def _chat_render(request, conversation=None):
    conversation = conversation if conversation is not None else _chat_conversation(request)
    context = {"conversation": conversation, "chat_messages": conversation.messages.all() if conversation else [],
               "greeting": assistant.greeting(_site_language())}
    template = "lovebali/_chat_panel.html" if request.htmx else "lovebali/chat.html"
    return render(request, template, context)


def chat(request):
    return _chat_render(request)


def _start_chat(request):
    conversation = assistant.start_conversation(language=_site_language())
    request.session[_CHAT_SESSION_KEY] = str(conversation.token)
    return conversation


@require_POST
def chat_send(request):
    if _limited(request, "chat", 20):
        return _chat_render(request)
    conversation = _chat_conversation(request) or run_service(request, lambda: _start_chat(request))
    if conversation is not None and run_service(
            request, lambda: assistant.visitor_message(conversation, request.POST.get("text", ""))) is not None:
        conversation.refresh_from_db()
    return _chat_render(request, conversation)


@require_POST
def chat_human(request):
    conversation = _chat_conversation(request)
    if conversation is None and not _limited(request, "chat", 20):
        conversation = _start_chat(request)
    if conversation is not None:
        conversation = assistant.request_human(conversation)
    return _chat_render(request, conversation)


@require_POST
def chat_end(request):
    conversation = _chat_conversation(request)
    if conversation is not None:
        conversation = run_service(request, lambda: assistant.resolve(conversation)) or conversation
    return _chat_render(request, conversation)


@require_POST
def chat_rate(request):
    conversation = _chat_conversation(request)
    if conversation is not None:
        conversation = run_service(
            request, lambda: assistant.rate(conversation, request.POST.get("score"), request.POST.get("comment", ""))) or conversation
    return _chat_render(request, conversation)


@require_POST
def chat_not_helpful(request):
    conversation = _chat_conversation(request)
    if conversation is not None and not _limited(request, "chat", 20):
        message_id = request.POST.get("message", "")
        conversation = run_service(request, lambda: assistant.answer_not_helpful(
            conversation, int(message_id) if message_id.isdigit() else 0)) or conversation
    return _chat_render(request, conversation)


@require_POST
def chat_new(request):
    request.session.pop(_CHAT_SESSION_KEY, None)
    return _chat_render(request, None)


@require_http_methods(["GET", "POST"])
def pay(request):
    order_form = OrderForm(request.POST or None)
    formset = TravellerFormSet(request.POST or None, prefix="t")
    if request.method == "POST" and request.POST.get("add"):
        # "Add a traveller": show what was typed plus one empty row, without error messages yet.
        fields = ["full_name", "nationality", "passport", "arrival_date"]
        try:
            total = int(request.POST.get("t-TOTAL_FORMS", "1"))
        except ValueError:
            total = 1
        rows = [{f: request.POST.get(f"t-{i}-{f}", "") for f in fields} for i in range(min(total, settings.LEVY_MAX_TRAVELLERS_PER_ORDER))]
        if len(rows) < settings.LEVY_MAX_TRAVELLERS_PER_ORDER:
            # Families and groups mostly share a nationality and arrive together: start from
            # the first traveller's, the visitor changes what differs.
            first = rows[0] if rows else {}
            rows.append({"nationality": first.get("nationality", ""), "arrival_date": first.get("arrival_date", "")})
        order_form = OrderForm(initial={"email": request.POST.get("email", "")})
        formset = TravellerFormSet(initial=rows, prefix="t")
        return render(request, "lovebali/pay.html", {"order_form": order_form, "formset": formset,
                                                     "tariff": levy.policy.tariff_on(levy._today())})
    if request.method == "POST" and not _limited(request, "pay", 30) and order_form.is_valid() and formset.is_valid():
        travellers = [
            levy.TravellerInput(f.cleaned_data["full_name"], f.cleaned_data["nationality"], f.cleaned_data["passport"], f.cleaned_data["arrival_date"])
            for f in formset.forms if f.cleaned_data
        ]
        try:
            order = levy.create_order(email=order_form.cleaned_data["email"], travellers=travellers, language=get_language() or "en")
        except ServiceError as exc:
            messages.error(request, public_message(exc))
        else:
            return redirect("lovebali:order", token=order_token(order))
    return render(request, "lovebali/pay.html", {"order_form": order_form, "formset": formset,
                                                 "tariff": levy.policy.tariff_on(levy._today())})


def _qr_svg(text: str, scale: int = 4) -> str:
    return segno.make(text, error="m").svg_inline(scale=scale, dark="#000", light="#fff")


@require_http_methods(["GET", "POST"])
def order(request, token: str):
    order = _order_from_token(token)
    method_form = MethodForm(request.POST or None)
    if request.method == "POST":
        if order.status == Order.Status.PENDING and method_form.is_valid():
            return_url = request.build_absolute_uri(reverse("lovebali:order-return", args=[token]))
            try:
                levy.start_payment(order, method_form.cleaned_data["method"], notify_url=notify_url(settings.LEVY_PAYMENT_PROVIDER),
                                   return_url=return_url)
            except ServiceError as exc:
                messages.error(request, public_message(exc))
        return redirect("lovebali:order", token=token)
    payment = order.payments.filter(state__in=[Payment.State.PENDING, Payment.State.CONFIRMED]).order_by("-local_id").first()
    return render(request, "lovebali/order.html", _order_context(order, token, payment, method_form))


def _order_context(order, token, payment, method_form=None) -> dict:
    vouchers = []
    if order.status == Order.Status.PAID:
        for traveller in order.travellers.select_related("voucher"):
            voucher = getattr(traveller, "voucher", None)
            vouchers.append({"traveller": traveller, "voucher": voucher, "qr": _qr_svg(voucher.code, 3) if voucher else ""})
    return {
        "order": order, "token": token, "payment": payment, "method_form": method_form or MethodForm(),
        "qris_svg": _qr_svg(payment.info["qris"], 4) if payment and payment.info.get("qris") else "",
        "vouchers": vouchers, "travellers": order.travellers.all(),
    }


def order_qris_png(request, token: str):
    """The QRIS as a PNG to save on the phone (pay from the gallery, or from another phone)."""
    import io

    order = _order_from_token(token)
    payment = order.payments.filter(state=Payment.State.PENDING).order_by("-local_id").first()
    if payment is None or not payment.info.get("qris"):
        raise Http404
    buffer = io.BytesIO()
    segno.make(payment.info["qris"], error="m").save(buffer, kind="png", scale=8, border=4)
    response = HttpResponse(buffer.getvalue(), content_type="image/png")
    response["Content-Disposition"] = f'attachment; filename="love-bali-qris-{order.code}.png"'
    response["Cache-Control"] = "no-store"
    return response


def order_status(request, token: str):
    """Polled by the order page (HTMX) while payment is pending; reads the database only."""
    order = _order_from_token(token)
    if order.status == Order.Status.PAID and order.vouchers_issued_at:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return render(request, "lovebali/_order_status.html", {"order": order, "token": token})


@require_POST
def order_check(request, token: str):
    """"I have paid": ask the bank now instead of waiting for its notification."""
    order = _order_from_token(token)
    if not _limited(request, "check", 10):
        for payment in order.payments.filter(state=Payment.State.PENDING):
            try:
                levy.refresh_payment(payment)
            except Exception:  # the bank being down must not break the page; notifications still come
                messages.error(request, public_message(ServiceError("", code="provider_unavailable")))
    return redirect("lovebali:order", token=token)


def order_return(request, token: str):
    """Back from the card page: check with the bank, then show the order."""
    order = _order_from_token(token)
    for payment in order.payments.filter(state=Payment.State.PENDING):
        try:
            levy.refresh_payment(payment)
        except Exception:
            pass  # the notification will still arrive
    return redirect("lovebali:order", token=token)


def order_pdf(request, token: str):
    from spbe.levy.pdf import vouchers_pdf

    order = _order_from_token(token)
    vouchers = [t.voucher for t in order.travellers.select_related("voucher") if hasattr(t, "voucher") and not t.voucher.revoked_at]
    if not vouchers:
        raise Http404
    response = HttpResponse(vouchers_pdf(vouchers, get_language() or "en"), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="love-bali-{order.code}.pdf"'
    return response


@require_http_methods(["GET", "POST"])
def find(request):
    form = FindForm(request.POST or None)
    if request.method == "POST" and not _limited(request, "find", 5) and form.is_valid():
        levy.resend_vouchers(form.cleaned_data["code"], form.cleaned_data["email"])
        # The same answer whether or not the order exists: codes and emails cannot be probed.
        messages.success(request, _("If this order exists and is paid, its vouchers are on their way to that email address."))
        return redirect("lovebali:find")
    return render(request, "lovebali/find.html", {"form": form})


@require_http_methods(["GET", "POST"])
def verify(request):
    form = VerifyForm(request.POST or None)
    verification = None
    if request.method == "POST" and not _limited(request, "verify", 30) and form.is_valid():
        text = form.cleaned_data["code"].strip()
        verification = levy.verify_reference(text) if len(text) <= 10 else levy.verify_code(text)
    return render(request, "lovebali/verify.html", {
        "form": form, "verification": verification, "masked_name": levy.public_name(verification) if verification else ""})


def endpoint_check(request):
    form = EndpointCheckForm(request.GET or None)
    result, searched = None, False
    if request.GET and not _limited(request, "endpoint", 30) and form.is_valid():
        searched, result = True, levy.registered_endpoint(form.cleaned_data["q"])
    return render(request, "lovebali/endpoint_check.html", {"form": form, "result": result, "searched": searched})


@require_http_methods(["GET", "POST"])
def exemption(request):
    form = ExemptionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and not _limited(request, "exemption", 5) and form.is_valid():
        files = [(f.name, f.read()) for f in request.FILES.getlist("documents")[:6] if f.size <= 6 * 1024 * 1024]
        data = form.cleaned_data
        try:
            application = levy.submit_exemption(
                category=data["category"], full_name=data["full_name"], nationality=data["nationality"], passport=data["passport"],
                email=data["email"], arrival_date=data["arrival_date"], departure_date=data["departure_date"], reason=data["reason"],
                files=files, language=get_language() or "en",
            )
        except ServiceError as exc:
            messages.error(request, public_message(exc))
        else:
            return render(request, "lovebali/exemption_done.html", {"application": application})
    return render(request, "lovebali/exemption.html", {"form": form})


@require_http_methods(["GET", "POST"])
def endpoint_register(request):
    form = EndpointRegistrationForm(request.POST or None)
    if request.method == "POST" and not _limited(request, "register", 5) and form.is_valid():
        try:
            endpoint = levy.register_endpoint(**form.cleaned_data)
        except ServiceError as exc:
            messages.error(request, public_message(exc))
        else:
            return render(request, "lovebali/endpoint_registered.html", {"endpoint": endpoint})
    return render(request, "lovebali/endpoint_register.html", {"form": form})
