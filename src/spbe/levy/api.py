"""/api/v1/levy: provider notifications, checkpoint sync, officer tools and the partner API.

Three kinds of caller:

* payment providers (``/notifications/<provider>``): no session, the signature is the proof;
* checkpoint devices and officers: session or bearer token, permission-checked in services;
* Love Bali Endpoints (``/partner/...``): HMAC-signed requests (see ``partner_auth``).

Public lookups are rate-limited per client address.
"""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, File, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from spbe.core import permissions
from django.http import Http404

from spbe.core.apiutils import BoundedPagination, client_rate_limit, error_response, get_scoped_or_404, rate_limit
from spbe.core.services import ConflictError, ServiceError

from . import services
from .models import Channel, Order, Payment, RefundRequest
from .partner_auth import PartnerAuth
from .providers import NotificationRejected, ProviderError

router = Router(tags=["levy"])


def notify_url(provider: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("api-v1:levy_notification", args=[provider])


# --- payment provider notifications -----------------------------------------------------


# No throttle: one bank sends every notification from a few addresses; signatures gate it.
@router.post("/notifications/{provider}", auth=None, throttle=[], url_name="levy_notification",
             response={200: dict, 401: dict, 404: dict, 503: dict})
def provider_notification(request, provider: str):
    """Called by the payment provider. Anything but 2xx makes the provider retry later."""
    from .providers.base import known_providers

    if provider not in known_providers():
        raise Http404
    try:
        outcome = services.handle_notification(provider, dict(request.headers), request.body)
    except NotificationRejected as exc:
        return error_response(request, 401, "bad_signature", str(exc))
    except ProviderError as exc:
        # Could not confirm with the provider: 503 makes the provider retry the notification.
        response = error_response(request, 503, "provider_unavailable", str(exc))
        response["Retry-After"] = "60"
        return response
    return {"outcome": outcome}


# --- keys, revocations, public verification ----------------------------------------------


class KeyOut(Schema):
    number: int
    public_key: str = Field(description="raw Ed25519 public key, hex")
    retired: bool


@router.get("/keys", auth=None, response=list[KeyOut], url_name="levy_keys")
def signing_keys(request):
    """Voucher verification keys for offline scanners (old keys stay: issued vouchers use them)."""
    from .models import SigningKey

    services.active_signing_key()
    return [KeyOut(number=k.number, public_key=k.public_key, retired=k.retired_at is not None)
            for k in SigningKey.objects.filter(sandbox=False).order_by("number")]  # sandbox vouchers verify nowhere


@router.get("/revocations", auth=None, url_name="levy_revocations")
def revocations(request):
    """Revoked voucher references, signed by the active key over the canonical JSON of
    ``{"issued_at", "references"}`` (compact separators)."""
    return services.revocation_list()


class VerifyOut(Schema):
    result: str = Field(description="valid, revoked, expired, not_yet_valid or invalid")
    reference: str | None
    name: str | None = Field(description='masked: "J*** S****"')
    valid_from: date | None
    valid_until: date | None


def _verification_out(v) -> VerifyOut:
    """What anyone may learn from a code or a reference: genuine or not, the dates, and a
    masked name (never the full name or the nationality)."""
    c = v.claims
    return VerifyOut(result=v.result, reference=c.reference if c else None, name=services.public_name(v) if c else None,
                     valid_from=c.valid_from if c else None, valid_until=c.valid_until if c else None)


@router.get("/verify", auth=None, response=VerifyOut)
def verify(request, code: str = "", reference: str = ""):
    """Public check of a voucher code or reference (anti-fraud: "is this QR genuine?")."""
    client_rate_limit(request, "levy-verify", limit=30)
    if code:
        return _verification_out(services.verify_code(code[:1000]))
    return _verification_out(services.verify_reference(reference[:20]))


class EndpointCheckOut(Schema):
    registered: bool
    name: str | None = None
    code: str | None = None
    kind: str | None = None
    website: str | None = None


@router.get("/endpoints/check", auth=None, response=EndpointCheckOut)
def endpoint_check(request, q: str):
    """Is this business or website a registered Love Bali Endpoint? (against look-alike sites)"""
    client_rate_limit(request, "levy-endpoint-check", limit=30)
    endpoint = services.registered_endpoint(q[:200])
    if endpoint is None:
        return EndpointCheckOut(registered=False)
    return EndpointCheckOut(registered=True, name=endpoint.name, code=endpoint.code, kind=endpoint.kind, website=endpoint.website)


# --- checkpoint officers --------------------------------------------------------------


class ScanIn(Schema):
    nonce: str = Field(..., min_length=8, max_length=64)
    code: str = Field("", max_length=1000)
    reference: str = Field("", max_length=20)
    exemption_category: str = Field("", max_length=1)
    scanned_at: datetime
    offline: bool = False


class ScanBatchIn(Schema):
    checkpoint: str = Field(..., min_length=1, max_length=100)
    device: str = Field("", max_length=100)
    scans: list[ScanIn] = Field(..., max_length=500)


@router.post("/checkpoint/scans", url_name="levy_scans")
def upload_scans(request, payload: ScanBatchIn):
    """Upload scans made (possibly offline) at a checkpoint; re-sent nonces are skipped."""
    return services.record_scans(request.user, [s.dict() for s in payload.scans], checkpoint=payload.checkpoint, device=payload.device)


@router.get("/checkpoint/reference/{reference}", response=VerifyOut, url_name="levy_reference")
def check_reference(request, reference: str):
    permissions.require(request.user, "levy.add_checkpointscan")
    return _verification_out(services.verify_reference(reference))


class LookupIn(Schema):
    nationality: str = Field(..., min_length=2, max_length=2)
    passport: str = Field(..., min_length=5, max_length=20)


@router.post("/lookup")
def passport_lookup(request, payload: LookupIn):
    """Officer lookup by passport (POST so the number never appears in URLs or logs)."""
    rate_limit(f"levy-lookup:{request.user.pk}", limit=60)
    return {"results": services.lookup_passport(request.user, payload.nationality, payload.passport)}


# --- orders for levy officers -----------------------------------------------------------


class PaymentOut(Schema):
    local_id: int
    provider: str
    method: str
    amount: int
    state: str
    provider_reference: str
    confirmed_at: datetime | None


class OrderOut(Schema):
    code: str
    channel: str
    endpoint: str | None
    status: str
    total: int
    travellers: int
    created_at: datetime
    paid_at: datetime | None
    vouchers_issued_at: datetime | None


def _order_out(order: Order) -> OrderOut:
    return OrderOut(
        code=order.code, channel=order.channel, endpoint=order.endpoint.code if order.endpoint_id else None, status=order.status,
        total=order.total, travellers=order.travellers.count(), created_at=order.created_at, paid_at=order.paid_at,
        vouchers_issued_at=order.vouchers_issued_at,
    )


@router.get("/orders", response=list[OrderOut])
@paginate(BoundedPagination)
def list_orders(request, status: str = ""):
    qs = permissions.scope_queryset(request.user, "levy.view_order", Order.objects.select_related("endpoint"))
    if status:
        qs = qs.filter(status=status)
    return [_order_out(o) for o in qs[:1000]]


@router.get("/orders/{code}")
def get_order(request, code: str):
    order = get_scoped_or_404(request, "levy.view_order", Order.objects.all(), code=code)
    payments = [PaymentOut.from_orm(p).dict() for p in order.payments.all()]
    return {**_order_out(order).dict(), "payments": payments, **services.voucher_status(order)}


class RefundIn(Schema):
    amount: int = Field(..., gt=0)
    reason: str
    note: str = Field("", max_length=2000)
    revoke_vouchers: bool = False


@router.post("/orders/{code}/payments/{local_id}/refunds", response={201: dict})
def create_refund(request, code: str, local_id: int, payload: RefundIn):
    payment = get_scoped_or_404(request, "levy.view_payment", Payment.objects.all(), order__code=code, local_id=local_id)
    refund = services.request_refund(payment, amount=payload.amount, reason=payload.reason, note=payload.note,
                                     revoke_vouchers=payload.revoke_vouchers, by=request.user)
    return Status(201, {"id": refund.pk, "state": refund.state})


@router.post("/settlements", response={201: dict})
def upload_settlement(request, file: File[UploadedFile]):
    """Import a bank settlement CSV (settlement_date, provider_reference, merchant_reference, amount, fee, net)."""
    if file.size > 20 * 1024 * 1024:
        raise ServiceError(_("The file is too large; the limit is 20 MB."))
    batch = services.import_settlement(file.name, file.read(), by=request.user)
    return Status(201, {"id": batch.pk, "date": batch.settlement_date.isoformat(), "lines": batch.lines,
                        "matched": batch.matched, "flagged": batch.flagged, "unsettled_payments": batch.unsettled_payments})


# --- partner API (Love Bali Endpoint) -----------------------------------------------------
#
# Signed with HMAC (partner_auth; the spec is docs/partner-api.md and the security scheme's
# description). Every time is ISO 8601 in UTC with a Z; every amount is whole rupiah (IDR);
# an order of another endpoint is answered exactly like an unknown one (404).

partner = Router(tags=["levy partner"], auth=PartnerAuth(), throttle=[])  # PartnerAuth limits per partner

SIGNED_HEADERS = [
    {"in": "header", "name": "X-LB-Timestamp", "required": True, "schema": {"type": "string", "pattern": "^[0-9]+$"},
     "description": "unix seconds, within 300 s of the server clock"},
    {"in": "header", "name": "X-LB-Signature", "required": True, "schema": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
     "description": "hex HMAC-SHA256 of the canonical string (see the security scheme)"},
]
IDEMPOTENT_HEADERS = SIGNED_HEADERS + [
    {"in": "header", "name": "Idempotency-Key", "required": True, "schema": {"type": "string", "maxLength": 100},
     "description": "unique per logical request; a retry with the same key and body gets the first answer"},
]
SIGNED = {"parameters": SIGNED_HEADERS}
IDEMPOTENT = {"parameters": IDEMPOTENT_HEADERS}


class ErrorDetailOut(Schema):
    field: str | None = None
    message: str
    type: str = ""


class ErrorInfoOut(Schema):
    code: str = Field(description="stable machine-readable code, e.g. signature_mismatch")
    message: str = Field(description="for people, in the request's language")
    details: list[ErrorDetailOut]
    request_id: str


class ErrorOut(Schema):
    error: ErrorInfoOut


class CoverageIn(Schema):
    nationality: str = Field(..., min_length=2, max_length=2, description="ISO 3166-1 alpha-2")
    passport: str = Field(..., min_length=5, max_length=20)
    on: date | None = Field(None, description="day to check (default: today in Bali)")


class CoverageOut(Schema):
    covered: bool
    kind: str | None = Field(None, description="paid or exempt")
    valid_until: date | None = None


@partner.post("/coverage", response=CoverageOut, openapi_extra=SIGNED)
def partner_coverage(request, payload: CoverageIn):
    """"Already covered?" — ask before collecting from a guest (yes/no and validity only)."""
    return services.coverage(payload.nationality, payload.passport, payload.on, sandbox=request.partner_key.sandbox)


class TravellerIn(Schema):
    full_name: str = Field(..., min_length=1, max_length=100)
    nationality: str = Field(..., min_length=2, max_length=2, description="ISO 3166-1 alpha-2")
    passport: str = Field(..., min_length=5, max_length=20)
    arrival_date: date


class PartnerOrderIn(Schema):
    email: str = Field(..., max_length=254, description="guest's email: vouchers are sent here")
    language: str = Field("en", max_length=10, description="language of the guest's e-mail and voucher PDF")
    method: Payment.Method = Payment.Method.QRIS
    travellers: list[TravellerIn] = Field(..., min_length=1, max_length=settings.LEVY_MAX_TRAVELLERS_PER_ORDER)


class VoucherOut(Schema):
    traveller: int = Field(description="position in the order, from 1")
    name: str
    reference: str | None
    status: str = Field(description="valid, revoked, already_covered or not_issued")
    valid_from: date | None
    valid_until: date | None


class PartnerPaymentOut(Schema):
    id: int
    method: str
    state: str = Field(description="created, pending, confirmed, failed, expired or refunded")
    amount: int
    reference: str = Field(description="merchant reference printed on the bank statement")
    qris: str | None = Field(None, description="EMVCo QRIS payload to show as a QR code")
    va_number: str | None = None
    redirect_url: str | None = None
    expires_at: str | None = Field(None, description="UTC, ISO 8601 with Z")


class PartnerOrderOut(Schema):
    order: str
    status: str = Field(description="pending, paid, expired or canceled")
    sandbox: bool = Field(description="a test order made with a sandbox key")
    total: int = Field(description="whole rupiah")
    refunded: int = Field(description="whole rupiah refunded so far")
    currency: str
    created_at: str = Field(description="UTC, ISO 8601 with Z")
    expires_at: str = Field(description="UTC, ISO 8601 with Z: unpaid orders expire then")
    paid_at: str | None
    vouchers: list[VoucherOut]
    payment: PartnerPaymentOut | None


class PartnerOrderSummaryOut(Schema):
    order: str
    status: str
    total: int
    travellers: int
    created_at: str
    paid_at: str | None


ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut, 429: ErrorOut, 503: ErrorOut}


def _partner_order(request, code: str) -> Order:
    order = Order.objects.filter(code=code, endpoint=request.partner).first()
    if order is None:
        raise Http404  # unknown and other endpoints' orders look the same
    return order


@partner.post("/orders", response={201: PartnerOrderOut, **ERRORS}, openapi_extra=IDEMPOTENT)
def partner_create_order(request, payload: PartnerOrderIn):
    """Create an order for guests and get payment instructions. Requires ``Idempotency-Key``."""
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    endpoint = request.partner

    def operation():
        try:
            validate_email(payload.email)
        except ValidationError as exc:
            raise ServiceError(_("Enter a valid email address."), code="bad_email", field="email") from exc
        travellers = [services.TravellerInput(t.full_name, t.nationality, t.passport, t.arrival_date) for t in payload.travellers]
        sandbox = request.partner_key.sandbox
        provider = settings.LEVY_SANDBOX_PROVIDER if sandbox else settings.LEVY_PAYMENT_PROVIDER
        order = services.create_order(email=payload.email, travellers=travellers, channel=Channel.ENDPOINT, endpoint=endpoint,
                                      language=payload.language, sandbox=sandbox)
        payment = services.start_payment(order, payload.method, notify_url=notify_url(provider), provider=provider)
        return 201, PartnerOrderOut(**services.partner_order_view(order, payment)).model_dump(mode="json")

    status, body = services.run_idempotent(endpoint, request.headers.get("Idempotency-Key", ""), request.body, operation)
    response = Status(status, body)
    return response


@partner.get("/orders", response=list[PartnerOrderSummaryOut], openapi_extra=SIGNED)
@paginate(BoundedPagination)
def partner_list_orders(request, status: str = ""):
    """This endpoint's orders, newest first."""
    from django.db.models import Count

    qs = Order.objects.filter(endpoint=request.partner).annotate(n=Count("travellers")).order_by("-created_at")
    if status:
        qs = qs.filter(status=status)
    return [PartnerOrderSummaryOut(order=o.code, status=o.status, total=o.total, travellers=o.n,
                                   created_at=services.utc_timestamp(o.created_at), paid_at=services.utc_timestamp(o.paid_at))
            for o in qs[:1000]]


@partner.get("/orders/{code}", response={200: PartnerOrderOut, 404: ErrorOut}, openapi_extra=SIGNED)
def partner_get_order(request, code: str):
    return services.partner_order_view(_partner_order(request, code))


class CancelIn(Schema):
    reason: str = Field("", max_length=200)


@partner.post("/orders/{code}/cancel", response={200: PartnerOrderOut, **ERRORS}, openapi_extra=SIGNED)
def partner_cancel_order(request, code: str, payload: CancelIn):
    """Cancel an unpaid order (409 ``order_not_pending`` once it is paid or expired)."""
    order = services.cancel_order(_partner_order(request, code), reason=payload.reason)
    return services.partner_order_view(order)


class RefundRequestIn(Schema):
    travellers: list[int] = Field(..., min_length=1, max_length=20, description="positions in the order (1 = first traveller)")
    reason: RefundRequest.Reason
    note: str = Field("", max_length=1000, description="what the levy officer should know")


class RefundOut(Schema):
    id: int
    state: str = Field(description="created, transit, external, done, failed or canceled")
    done_at: str | None = Field(description="UTC, ISO 8601 with Z")


class RefundRequestOut(Schema):
    id: int
    order: str
    travellers: list[int]
    amount: int = Field(description="whole rupiah: the levy of the named travellers")
    currency: str
    reason: str
    note: str
    state: str = Field(description="pending, approved, rejected or withdrawn")
    created_at: str = Field(description="UTC, ISO 8601 with Z")
    decided_at: str | None
    decision_note: str = Field(description="the levy officer's reason, always given on a rejection")
    refund: RefundOut | None = Field(description="the refund an approval created")


def _partner_refund_request(request, request_id: int) -> RefundRequest:
    found = RefundRequest.objects.filter(pk=request_id, endpoint=request.partner).select_related("order", "refund").first()
    if found is None:
        raise Http404
    return found


@partner.post("/orders/{code}/refund-requests", response={201: RefundRequestOut, **ERRORS}, openapi_extra=SIGNED)
def partner_request_refund(request, code: str, payload: RefundRequestIn):
    """Ask for the levy of some travellers of a paid order back. A levy officer decides (webhook
    ``refund_request.decided``); an approval revokes their vouchers and refunds the payment
    (webhook ``refund.done``). 409 ``voucher_used`` once a voucher was checked on arrival,
    ``request_pending`` while another request for the order waits, ``order_not_paid``, ``sandbox_order``."""
    created = services.request_partner_refund(_partner_order(request, code), travellers=payload.travellers,
                                               reason=payload.reason, note=payload.note)
    return Status(201, services.partner_refund_request_view(created))


@partner.get("/orders/{code}/refund-requests", response={200: list[RefundRequestOut], 404: ErrorOut}, openapi_extra=SIGNED)
def partner_list_refund_requests(request, code: str):
    order = _partner_order(request, code)
    return [services.partner_refund_request_view(r) for r in order.refund_requests.select_related("order", "refund")]


@partner.get("/refund-requests/{request_id}", response={200: RefundRequestOut, 404: ErrorOut}, openapi_extra=SIGNED)
def partner_get_refund_request(request, request_id: int):
    return services.partner_refund_request_view(_partner_refund_request(request, request_id))


@partner.post("/refund-requests/{request_id}/withdraw", response={200: RefundRequestOut, **ERRORS}, openapi_extra=SIGNED)
def partner_withdraw_refund_request(request, request_id: int):
    """Withdraw a request that is still waiting for review (409 ``request_decided`` afterwards)."""
    withdrawn = services.withdraw_refund_request(_partner_refund_request(request, request_id))
    return services.partner_refund_request_view(withdrawn)


@partner.post("/sandbox/orders/{code}/pay", response={200: PartnerOrderOut, **ERRORS}, openapi_extra=SIGNED)
def partner_sandbox_pay(request, code: str):
    """Sandbox keys only: pay a test order at the bank simulator (as a guest's banking app would),
    so the whole flow — notification, vouchers, webhooks — can be tried without money."""
    order = _partner_order(request, code)
    if not (request.partner_key.sandbox and order.sandbox):
        raise ConflictError(_("Only sandbox orders made with a sandbox key can be paid this way."), code="not_sandbox")
    return services.partner_order_view(services.pay_sandbox_order(order))


PDF_RESPONSE = {"responses": {"200": {"description": "PDF", "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}},
                "parameters": SIGNED_HEADERS}


@partner.get("/orders/{code}/vouchers.pdf", response={404: ErrorOut, 409: ErrorOut}, openapi_extra=PDF_RESPONSE)
def partner_voucher_pdf(request, code: str, language: str = ""):
    """The guests' vouchers (one page each, with the QR) to print at the front desk."""
    from django.http import HttpResponse

    order = _partner_order(request, code)
    pdf = services.guest_vouchers_pdf(order, language)
    if pdf is None:
        raise ConflictError(_("This order has no valid vouchers yet."), code="no_vouchers")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="love-bali-{order.code}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


class OpenCommissionOut(Schema):
    levy: int
    commission: int
    entries: int


class StatementOut(Schema):
    year: int
    quarter: int
    orders: int
    travellers: int
    levy: int
    commission: int
    pdf: str = Field(description="path of the statement PDF (signed GET)")


class CommissionOut(Schema):
    endpoint: str
    rate: str = Field(description="decimal fraction, e.g. 0.0300")
    open: OpenCommissionOut
    statements: list[StatementOut]


@partner.get("/commission", response=CommissionOut, openapi_extra=SIGNED)
def partner_commission(request):
    """Open (not yet stated) commission and the quarterly statements of this endpoint."""
    from django.db.models import Sum

    endpoint = request.partner
    open_entries = endpoint.commission_entries.filter(statement__isnull=True)
    totals = open_entries.aggregate(levy=Sum("levy_amount"), commission=Sum("amount"))
    return {
        "endpoint": endpoint.code,
        "rate": str(endpoint.commission_rate),
        "open": {"levy": totals["levy"] or 0, "commission": totals["commission"] or 0, "entries": open_entries.count()},
        "statements": [
            {"year": s.year, "quarter": s.quarter, "orders": s.orders, "travellers": s.travellers,
             "levy": s.levy_total, "commission": s.commission_total,
             "pdf": reverse("api-v1:levy_partner_statement_pdf", args=[s.year, s.quarter])}
            for s in endpoint.statements.all()
        ],
    }


@partner.get("/statements/{year}/{quarter}.pdf", response={404: ErrorOut}, openapi_extra=PDF_RESPONSE,
             url_name="levy_partner_statement_pdf")
def partner_statement_pdf(request, year: int, quarter: int, language: str = "id"):
    """A quarterly commission statement as PDF (the document the partner invoices against)."""
    from django.http import HttpResponse

    from .pdf import statement_pdf

    statement = request.partner.statements.filter(year=year, quarter=quarter).first()
    if statement is None:
        raise Http404
    response = HttpResponse(statement_pdf(statement, language if language in ("id", "en") else "id"), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="imbal-jasa-{request.partner.code}-{year}-Q{quarter}.pdf"'
    return response


# --- partner webhooks ----------------------------------------------------------------------


class WebhookIn(Schema):
    url: str = Field(..., max_length=500)
    events: list[str] = Field(default_factory=list, description="empty: every event")


class WebhookOut(Schema):
    id: int
    url: str
    events: list[str]
    active: bool
    created_at: str


class WebhookCreatedOut(WebhookOut):
    secret: str = Field(description="signing secret, shown only now")


class DeliveryOut(Schema):
    id: int
    event_id: str
    event_type: str
    state: str = Field(description="pending, delivered or failed")
    attempts: int
    last_status: int | None
    last_error: str
    created_at: str
    delivered_at: str | None
    next_attempt_at: str | None


def _webhook_out(w) -> dict:
    return {"id": w.pk, "url": w.url, "events": w.events, "active": w.active, "created_at": services.utc_timestamp(w.created_at)}


def _delivery_out(d) -> dict:
    return {"id": d.pk, "event_id": d.event_id, "event_type": d.event_type, "state": d.state, "attempts": d.attempts,
            "last_status": d.last_status, "last_error": d.last_error, "created_at": services.utc_timestamp(d.created_at),
            "delivered_at": services.utc_timestamp(d.delivered_at), "next_attempt_at": services.utc_timestamp(d.next_attempt_at)}


def _partner_webhook(request, webhook_id: int):
    from .models import WebhookEndpoint

    webhook = WebhookEndpoint.objects.filter(pk=webhook_id, endpoint=request.partner).first()
    if webhook is None:
        raise Http404
    return webhook


@partner.get("/webhooks", response=list[WebhookOut], openapi_extra=SIGNED)
def partner_list_webhooks(request):
    return [_webhook_out(w) for w in request.partner.webhooks.filter(active=True)]


@partner.post("/webhooks", response={201: WebhookCreatedOut, **ERRORS}, openapi_extra=SIGNED)
def partner_add_webhook(request, payload: WebhookIn):
    """Subscribe a URL to events; the answer carries the signing secret once."""
    webhook, secret = services.webhooks.add_webhook(request.partner, url=payload.url, events=payload.events)
    return Status(201, {**_webhook_out(webhook), "secret": secret})


@partner.post("/webhooks/{webhook_id}/secret", response={200: WebhookCreatedOut, 404: ErrorOut}, openapi_extra=SIGNED)
def partner_rotate_webhook_secret(request, webhook_id: int):
    webhook = _partner_webhook(request, webhook_id)
    secret = services.webhooks.rotate_webhook_secret(webhook)
    return {**_webhook_out(webhook), "secret": secret}


@partner.delete("/webhooks/{webhook_id}", response={204: None, 404: ErrorOut}, openapi_extra=SIGNED)
def partner_remove_webhook(request, webhook_id: int):
    services.webhooks.disable_webhook(_partner_webhook(request, webhook_id))
    return Status(204, None)


@partner.get("/webhooks/{webhook_id}/deliveries", response={200: list[DeliveryOut], 404: ErrorOut}, openapi_extra=SIGNED)
def partner_webhook_deliveries(request, webhook_id: int):
    """The delivery log (latest 100)."""
    webhook = _partner_webhook(request, webhook_id)
    return [_delivery_out(d) for d in webhook.deliveries.all()[:100]]


@partner.post("/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver", response={200: DeliveryOut, **ERRORS},
              openapi_extra=SIGNED)
def partner_redeliver(request, webhook_id: int, delivery_id: int):
    webhook = _partner_webhook(request, webhook_id)
    delivery = webhook.deliveries.filter(pk=delivery_id).first()
    if delivery is None:
        raise Http404
    return _delivery_out(services.webhooks.redeliver(delivery))


router.add_router("/partner", partner)
