"""Love Bali Endpoints (partners): registration, API keys, idempotent requests, commission statements."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from spbe.audit import services as audit
from spbe.core import context, permissions
from spbe.core.services import ConflictError, ServiceError

from .. import policy, protect
from ..models import (
    CommissionEntry,
    CommissionStatement,
    Endpoint,
    EndpointKey,
    IdempotencyRecord,
    Order,
    Payment,
    Refund,
    Traveller,
)
from .common import _unique_code, levy_institution, utc_timestamp
from .orders import voucher_status


@transaction.atomic
def register_endpoint(*, name, legal_name, nib, kind, address, website, contact_name, contact_email, webhook_url="") -> Endpoint:
    if kind not in Endpoint.Kind.values:
        raise ServiceError(_("Choose the kind of business."), field="kind")
    if not (nib or "").isdigit() or len(nib) != 13:
        raise ServiceError(_("The NIB has 13 digits."), field="nib")
    endpoint = Endpoint.objects.create(
        institution=levy_institution(), code=_unique_code(Endpoint, "code", "EP", 6), name=name.strip(), legal_name=legal_name.strip(),
        nib=nib, kind=kind, address=address.strip(), website=_domain(website), contact_name=contact_name.strip(),
        contact_email=contact_email.strip().lower(), webhook_url=webhook_url, commission_rate=policy.commission_rate(),
    )
    audit.record("levy.endpoint.registered", endpoint, data={"kind": kind, "nib": nib})
    _mail_contact(endpoint, _("Love Bali Endpoint: registration received"), _(
        "We received the registration of %(name)s (reference %(code)s). The levy office checks it and prepares the cooperation "
        "agreement (PKS); you will get an e-mail with the decision.") % {"name": endpoint.name, "code": endpoint.code})
    return endpoint


def _domain(text: str) -> str:
    text = (text or "").strip().lower()
    for prefix in ("https://", "http://"):
        text = text.removeprefix(prefix)
    return text.split("/")[0].removeprefix("www.")


@transaction.atomic
def decide_endpoint(endpoint: Endpoint, *, status: str, note: str = "", pks_number: str = "", by) -> Endpoint:
    """Approve, reject or suspend; the endpoint's contact is told by e-mail."""
    permissions.require(by, "levy.review_endpoint", endpoint)
    endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    if status not in (Endpoint.Status.APPROVED, Endpoint.Status.REJECTED, Endpoint.Status.SUSPENDED):
        raise ServiceError(_("Unknown decision."), field="status")
    if status == Endpoint.Status.APPROVED and not (pks_number or endpoint.pks_number):
        raise ServiceError(_("Enter the cooperation agreement (PKS) number before approving."), field="pks_number")
    previous = endpoint.status
    endpoint.status = status
    endpoint.decision_note = note
    endpoint.pks_number = pks_number or endpoint.pks_number
    endpoint.decided_at = timezone.now()
    endpoint.decided_by = by
    endpoint.save()
    if status != Endpoint.Status.APPROVED:
        endpoint.keys.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
    audit.record("levy.endpoint.decided", endpoint, actor=by, data={"from": previous, "to": status, "pks": endpoint.pks_number})
    if previous != status:
        texts = {
            Endpoint.Status.APPROVED: _("%(name)s is approved as a Love Bali Endpoint (code %(code)s, PKS %(pks)s). The levy office "
                                        "will send your team a console invitation; there you create API keys and webhooks."),
            Endpoint.Status.REJECTED: _("The registration of %(name)s as a Love Bali Endpoint was not approved. Reason: %(note)s"),
            Endpoint.Status.SUSPENDED: _("%(name)s is suspended as a Love Bali Endpoint: its API keys no longer work. Reason: %(note)s"),
        }
        _mail_contact(endpoint, _("Love Bali Endpoint: %(decision)s") % {"decision": endpoint.get_status_display()},
                      texts[status] % {"name": endpoint.name, "code": endpoint.code, "pks": endpoint.pks_number, "note": note or "-"})
    return endpoint


@transaction.atomic
def issue_endpoint_key(endpoint: Endpoint, *, label: str = "", sandbox: bool = False, by=None) -> tuple[EndpointKey, str]:
    """A new API key; the secret is returned once and stored only encrypted. The endpoint's
    contact is told by e-mail (a key nobody there asked for is a reason to revoke it)."""
    require_endpoint_manager(by, endpoint)
    endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    if endpoint.status != Endpoint.Status.APPROVED:
        raise ConflictError(_("Only approved endpoints get API keys."), code="endpoint_not_approved")
    secret = "lbs_" + secrets.token_urlsafe(32)
    key = EndpointKey.objects.create(
        endpoint=endpoint, key_id=("lbk_test_" if sandbox else "lbk_") + secrets.token_hex(8), secret_encrypted=protect.encrypt(secret),
        label=label[:100], sandbox=sandbox,
    )
    audit.record("levy.endpoint.key_issued", endpoint, actor=by, data={"key_id": key.key_id, "label": key.label, "sandbox": sandbox})
    _mail_contact(endpoint, _("Love Bali Endpoint: a new API key"), _(
        "A new API key %(key)s (%(label)s) was created for %(name)s by %(by)s. If nobody in your team asked for it, "
        "revoke it in the console and tell the levy office.") % {
        "key": key.key_id, "label": key.label or "-", "name": endpoint.name, "by": getattr(by, "username", None) or _("the system")})
    return key, secret


@transaction.atomic
def revoke_endpoint_key(key: EndpointKey, by) -> None:
    require_endpoint_manager(by, key.endpoint)
    EndpointKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    audit.record("levy.endpoint.key_revoked", key.endpoint, actor=by, data={"key_id": key.key_id})


def registered_endpoint(query: str) -> Endpoint | None:
    """Public "is this a registered Love Bali Endpoint?" by code, website domain or exact name."""
    query = (query or "").strip()
    if len(query) < 3:
        return None
    approved = Endpoint.objects.filter(status=Endpoint.Status.APPROVED)
    return (
        approved.filter(code=query.upper()).first()
        or approved.filter(website=_domain(query)).exclude(website="").first()
        or approved.filter(name__iexact=query).first()
    )


def run_idempotent(endpoint: Endpoint, key: str, request_body: bytes, operation) -> tuple[int, dict]:
    """Run ``operation() -> (status, body)`` once per (endpoint, Idempotency-Key).

    A retry with the same key and body gets the stored answer; the same key with a different
    body is refused. The key row is inserted first, so concurrent retries wait on it.
    """
    if not key or len(key) > 100:
        raise ServiceError(_("Send an Idempotency-Key header (at most 100 characters)."), code="idempotency_key_required")
    digest = hashlib.sha256(request_body).hexdigest()
    with transaction.atomic():
        record, created = IdempotencyRecord.objects.select_for_update().get_or_create(
            endpoint=endpoint, key=key, defaults={"request_hash": digest}
        )
        if not created:
            if record.request_hash != digest:
                raise ConflictError(_("This Idempotency-Key was used with a different request."), code="idempotency_key_reused")
            if record.status_code is not None:
                return record.status_code, record.response
        try:
            status, body = operation()
        except ServiceError as exc:
            from spbe.core.apiutils import error_body

            if exc.status >= 500 or exc.status == 429:
                raise  # transient (bank unreachable): roll back, so a retry with this key runs again

            details = [{"field": exc.field, "message": exc.message}] if exc.field else []
            status, body = exc.status, error_body(context.current(), exc.code, exc.message, details)
        record.status_code, record.response = status, body
        record.save(update_fields=["status_code", "response"])
        return status, body


def _book_commission(order: Order, payment: Payment) -> None:
    rate = order.endpoint.commission_rate
    CommissionEntry.objects.create(
        endpoint_id=order.endpoint_id, order=order, payment=payment, levy_amount=payment.amount, rate=rate,
        amount=policy.commission_on(payment.amount, Decimal(rate)), booked_at=payment.confirmed_at,
    )


def quarter_bounds(year: int, quarter: int) -> tuple[datetime, datetime]:
    if quarter not in (1, 2, 3, 4):
        raise ServiceError(_("The quarter is 1, 2, 3 or 4."), field="quarter")
    tz = timezone.get_current_timezone()
    start = datetime(year, 3 * quarter - 2, 1, tzinfo=tz)
    end = datetime(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1, tzinfo=tz)
    return start, end


@transaction.atomic
def build_commission_statement(endpoint: Endpoint, year: int, quarter: int, by=None) -> CommissionStatement:
    """Close a quarter for one endpoint: its entries are frozen into the statement."""
    permissions.require_unless_system(by, "levy.add_commissionstatement", endpoint)
    start, end = quarter_bounds(year, quarter)
    if end > timezone.now():
        raise ConflictError(_("A quarter can be closed only after it has ended."), code="quarter_open")
    if CommissionStatement.objects.filter(endpoint=endpoint, year=year, quarter=quarter).exists():
        raise ConflictError(_("The statement for this quarter already exists."), code="statement_exists")
    entries = CommissionEntry.objects.select_for_update().filter(endpoint=endpoint, statement__isnull=True, booked_at__lt=end)
    totals = entries.aggregate(levy=Sum("levy_amount"), commission=Sum("amount"))
    order_ids = set(entries.filter(refund__isnull=True).values_list("order_id", flat=True))
    statement = CommissionStatement.objects.create(
        endpoint=endpoint, year=year, quarter=quarter, orders=len(order_ids),
        travellers=Traveller.objects.filter(order_id__in=order_ids, covered_by_existing__isnull=True).count(),
        levy_total=totals["levy"] or 0, commission_total=totals["commission"] or 0, created_by=by,
    )
    entries.update(statement=statement)
    audit.record("levy.commission.statement", statement, actor=by,
                 data={"endpoint": endpoint.code, "year": year, "quarter": quarter, "commission": statement.commission_total})
    return statement


# --- what a partner sees of an order (API answers and webhook payloads) ---------------------


def partner_order_view(order: Order, payment: Payment | None = None) -> dict:
    """JSON-ready: the order, its vouchers (names and references, never passports) and the
    latest payment's instructions."""
    payment = payment or order.payments.order_by("-local_id").first()
    refunded = Refund.objects.filter(payment__order=order, state=Refund.State.DONE).aggregate(s=Sum("amount"))["s"] or 0
    body = {
        "order": order.code, "status": order.status, "sandbox": order.sandbox, "total": order.total, "refunded": refunded, "currency": "IDR",
        "created_at": utc_timestamp(order.created_at), "expires_at": utc_timestamp(order.expires_at),
        "paid_at": utc_timestamp(order.paid_at), "vouchers": voucher_status(order)["vouchers"], "payment": None,
    }
    if payment is not None:
        info = payment.info or {}
        body["payment"] = {
            "id": payment.local_id, "method": payment.method, "state": payment.state, "amount": payment.amount,
            "reference": payment.merchant_reference, "qris": info.get("qris") or None,
            "va_number": info.get("va_number") or None, "redirect_url": info.get("redirect_url") or None,
            "expires_at": utc_timestamp(info.get("expires_at")),
        }
    return body


# --- the partner's own people (console accounts) --------------------------------------------

PARTNER_GROUP_CODE = "mitra-love-bali-endpoint"


def _mail_contact(endpoint: Endpoint, subject: str, body: str) -> None:
    from spbe.core.tasks import send_notification_email

    recipients, subject, body = [endpoint.contact_email], str(subject), str(body)
    transaction.on_commit(lambda: send_notification_email.enqueue(recipients, subject, body))


def partner_endpoints(user):
    """The endpoints whose front office ``user`` is (through Endpoint.partner_agency)."""
    return Endpoint.objects.filter(partner_agency__in=permissions.agencies_for(user, "levy.partner_portal"))


def require_endpoint_manager(by, endpoint: Endpoint) -> None:
    """Keys and webhooks are managed by levy officers and by the endpoint's own people.
    ``by=None``: the system, or the endpoint itself through a signed API request."""
    if by is None or permissions.has_perm(by, "levy.review_endpoint", endpoint):
        return
    if not partner_endpoints(by).filter(pk=endpoint.pk).exists():
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("levy.partner_portal")


@transaction.atomic
def invite_partner_user(endpoint: Endpoint, *, email: str, full_name: str = "", by):
    """Give a person of the endpoint a console account with the partner_endpoint role in the
    endpoint's own agency (made on first use), and e-mail a one-time set-password link.
    The grant goes through core's delegation rules (levy officers may grant this one role)."""
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    from spbe.core import services as core
    from spbe.core.models import Agency, User
    from spbe.core.roles import Role

    permissions.require(by, "levy.review_endpoint", endpoint)
    endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    if endpoint.status != Endpoint.Status.APPROVED:
        raise ConflictError(_("Only approved endpoints get console accounts."), code="endpoint_not_approved")
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ServiceError(_("Enter a valid email address."), code="bad_email", field="email") from exc
    institution = endpoint.institution
    if endpoint.partner_agency is None:
        group = Agency.objects.filter(institution=institution, code=PARTNER_GROUP_CODE).first() or core.create_agency(
            institution=institution, code=PARTNER_GROUP_CODE, name="Mitra Love Bali Endpoint", kind=Agency.Kind.EXTERNAL)
        endpoint.partner_agency = core.create_agency(institution=institution, parent=group, code=f"lbe-{endpoint.code.lower()}",
                                                     name=endpoint.name[:200], kind=Agency.Kind.EXTERNAL, email=endpoint.contact_email)
        endpoint.save(update_fields=["partner_agency"])
    user = User.objects.filter(username__iexact=email).first()
    created = user is None
    if created:
        user = core.create_user(username=email, email=email, full_name=full_name.strip()[:150])
    core.grant_membership(user=user, agency=endpoint.partner_agency, role=Role.PARTNER_ENDPOINT, by=by)
    audit.record("levy.endpoint.partner_invited", endpoint, actor=by, data={"user": user.username, "new_account": created})
    if created or not user.has_usable_password():
        link = core.password_setup_url(user)
        body = _("You have been given access to the Love Bali Endpoint console for %(name)s. Choose your password here "
                 "(the link works once): %(link)s — then sign in with the user name %(user)s.") % {
            "name": endpoint.name, "link": link, "user": user.username}
    else:
        body = _("Your account %(user)s can now manage %(name)s in the Love Bali Endpoint console.") % {
            "user": user.username, "name": endpoint.name}
    recipients, subject = [email], str(_("Love Bali Endpoint console: your access"))
    from spbe.core.tasks import send_notification_email

    transaction.on_commit(lambda: send_notification_email.enqueue(recipients, subject, str(body)))
    return user
