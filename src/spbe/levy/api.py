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
from spbe.core.services import ServiceError

from . import services
from .models import Channel, Order, Payment
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
    return [KeyOut(number=k.number, public_key=k.public_key, retired=k.retired_at is not None) for k in SigningKey.objects.order_by("number")]


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

partner = Router(tags=["levy partner"], auth=PartnerAuth(), throttle=[])  # PartnerAuth limits per partner


class CoverageIn(Schema):
    nationality: str = Field(..., min_length=2, max_length=2)
    passport: str = Field(..., min_length=5, max_length=20)
    on: date | None = None


@partner.post("/coverage")
def partner_coverage(request, payload: CoverageIn):
    """"Already covered?" — ask before collecting from a guest (yes/no and validity only)."""
    return services.coverage(payload.nationality, payload.passport, payload.on)


class TravellerIn(Schema):
    full_name: str = Field(..., max_length=100)
    nationality: str = Field(..., min_length=2, max_length=2)
    passport: str = Field(..., max_length=20)
    arrival_date: date


class PartnerOrderIn(Schema):
    email: str = Field(..., max_length=254, description="guest's email: vouchers are sent here")
    language: str = Field("en", max_length=10)
    method: Payment.Method = Payment.Method.QRIS
    travellers: list[TravellerIn] = Field(..., min_length=1, max_length=50)


def _partner_order_body(order: Order, payment: Payment | None) -> dict:
    body = {"order": order.code, "status": order.status, "total": order.total, "currency": "IDR",
            "expires_at": order.expires_at.isoformat(), **services.voucher_status(order)}
    if payment is not None:
        body["payment"] = {"id": payment.local_id, "method": payment.method, "state": payment.state,
                           "reference": payment.merchant_reference, **payment.info}
    return body


@partner.post("/orders", response={201: dict, 200: dict, 409: dict, 400: dict, 422: dict, 503: dict})
def partner_create_order(request, payload: PartnerOrderIn):
    """Create an order for guests and get payment instructions. Requires ``Idempotency-Key``."""
    from django.core.validators import validate_email
    from django.core.exceptions import ValidationError

    endpoint = request.partner

    def operation():
        try:
            validate_email(payload.email)
        except ValidationError as exc:
            raise ServiceError(_("Enter a valid email address."), code="bad_email", field="email") from exc
        travellers = [services.TravellerInput(t.full_name, t.nationality, t.passport, t.arrival_date) for t in payload.travellers]
        order = services.create_order(email=payload.email, travellers=travellers, channel=Channel.ENDPOINT, endpoint=endpoint,
                                      language=payload.language)
        payment = services.start_payment(order, payload.method, notify_url=notify_url(settings.LEVY_PAYMENT_PROVIDER))
        return 201, _partner_order_body(order, payment)

    status, body = services.run_idempotent(endpoint, request.headers.get("Idempotency-Key", ""), request.body, operation)
    return Status(status, body)


@partner.get("/orders/{code}")
def partner_get_order(request, code: str):
    order = Order.objects.filter(code=code, endpoint=request.partner).first()
    if order is None:
        raise ServiceError(_("Not found."), code="not_found")
    return _partner_order_body(order, order.payments.order_by("-local_id").first())


@partner.get("/commission")
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
             "levy": s.levy_total, "commission": s.commission_total}
            for s in endpoint.statements.all()
        ],
    }


router.add_router("/partner", partner)
