"""Every write of the levy module: orders, payments, notifications, vouchers, refunds,
exemptions, checkpoint scans, partner endpoints, commission and reconciliation.

Rules of the house:

* money-moving state changes lock the row (``select_for_update``) and re-read it, so a
  replayed or concurrent notification finds the work already done;
* calls to a payment provider happen outside database transactions (a slow bank must not
  hold locks) and every answer is re-checked against the provider's status API;
* "paid but no voucher" is an invariant the repair sweep restores (``repair_missing_vouchers``);
* every state change of value is in the audit log; ``by=None`` means the system or a
  member of the public, and skips the rights check.

One module per aggregate (as pretix's ``base/services``); callers import ``spbe.levy.services``
and use the names re-exported here.
"""

from __future__ import annotations

from spbe.core.services import ConflictError, ServiceError

from . import common
from . import orders
from . import payments
from . import vouchers
from . import refunds
from . import exemptions
from . import checkpoint
from . import partners
from . import reconciliation
from . import reporting
from . import queues
from . import webhooks
from .common import (
    ACTIVE_KEY_CACHE_SECONDS,
    CODE_ALPHABET,
    _ACTIVE_KEY,
    _INSTITUTION,
    _random_code,
    _today,
    _unique_code,
    clear_caches,
    levy_institution,
    logger,
    utc_timestamp,
)
from .orders import (
    cancel_order,
    TravellerInput,
    _check_travellers,
    coverage,
    covering_voucher,
    create_order,
    expire_orders,
    find_order,
    voucher_status,
)
from .payments import (
    pay_sandbox_order,
    _confirm,
    _payment_for,
    apply_provider_status,
    handle_notification,
    record_counter_payment,
    refresh_payment,
    start_payment,
)
from .vouchers import (
    sandbox_signing_key,
    Verification,
    _issue_locked,
    _new_voucher,
    _private_key,
    _sign_voucher,
    active_signing_key,
    guest_vouchers_pdf,
    issue_vouchers,
    public_keys,
    public_name,
    repair_missing_vouchers,
    resend_vouchers,
    revocation_list,
    revoke_voucher,
    rotate_signing_key,
    send_order_vouchers,
    verify_code,
    verify_reference,
)
from .refunds import (
    _complete_refund,
    complete_external_refund,
    execute_refund,
    mark_refund_external,
    request_refund,
    retry_refund,
)
from .exemptions import (
    _add_working_days,
    decide_exemption,
    exemption_document,
    send_exemption_decision,
    submit_exemption,
)
from .checkpoint import (
    lookup_passport,
    record_scans,
)
from .partners import (
    _book_commission,
    _domain,
    build_commission_statement,
    decide_endpoint,
    invite_partner_user,
    issue_endpoint_key,
    partner_endpoints,
    partner_order_view,
    require_endpoint_manager,
    quarter_bounds,
    register_endpoint,
    registered_endpoint,
    revoke_endpoint_key,
    run_idempotent,
)
from .reconciliation import (
    SETTLEMENT_COLUMNS,
    _whole_rupiah,
    import_arrivals,
    import_settlement,
)
from .reporting import (
    figures,
)
from .sweep import sweep
from .refund_requests import (
    decide_refund_request,
    partner_refund_request_view,
    refund_requests_for,
    request_partner_refund,
    withdraw_refund_request,
)
from .queues import (
    _enqueue_exemption_mail,
    _enqueue_refund,
    _enqueue_voucher_issue,
    _enqueue_voucher_mail,
)
from .. import policy
from ..models import Channel
from ..providers import NotificationRejected, ProviderError

__all__ = [
    "ConflictError",
    "ServiceError",
    "ACTIVE_KEY_CACHE_SECONDS",
    "CODE_ALPHABET",
    "_ACTIVE_KEY",
    "_INSTITUTION",
    "_random_code",
    "_today",
    "_unique_code",
    "clear_caches",
    "levy_institution",
    "logger",
    "TravellerInput",
    "_check_travellers",
    "coverage",
    "covering_voucher",
    "create_order",
    "expire_orders",
    "find_order",
    "voucher_status",
    "_confirm",
    "_payment_for",
    "apply_provider_status",
    "handle_notification",
    "record_counter_payment",
    "refresh_payment",
    "start_payment",
    "Verification",
    "_issue_locked",
    "_new_voucher",
    "_private_key",
    "_sign_voucher",
    "active_signing_key",
    "guest_vouchers_pdf",
    "issue_vouchers",
    "public_keys",
    "public_name",
    "repair_missing_vouchers",
    "resend_vouchers",
    "revocation_list",
    "revoke_voucher",
    "rotate_signing_key",
    "send_order_vouchers",
    "verify_code",
    "verify_reference",
    "_complete_refund",
    "complete_external_refund",
    "execute_refund",
    "mark_refund_external",
    "request_refund",
    "retry_refund",
    "_add_working_days",
    "decide_exemption",
    "exemption_document",
    "send_exemption_decision",
    "submit_exemption",
    "lookup_passport",
    "record_scans",
    "_book_commission",
    "_domain",
    "build_commission_statement",
    "decide_endpoint",
    "issue_endpoint_key",
    "quarter_bounds",
    "register_endpoint",
    "registered_endpoint",
    "revoke_endpoint_key",
    "run_idempotent",
    "utc_timestamp",
    "cancel_order",
    "pay_sandbox_order",
    "sandbox_signing_key",
    "invite_partner_user",
    "partner_endpoints",
    "require_endpoint_manager",
    "partner_order_view",
    "SETTLEMENT_COLUMNS",
    "_whole_rupiah",
    "import_arrivals",
    "import_settlement",
    "figures",
    "_enqueue_exemption_mail",
    "_enqueue_refund",
    "_enqueue_voucher_issue",
    "_enqueue_voucher_mail",
    "NotificationRejected",
    "policy",
    "Channel",
    "ProviderError",
    "common",
    "orders",
    "payments",
    "vouchers",
    "refunds",
    "exemptions",
    "checkpoint",
    "partners",
    "reconciliation",
    "reporting",
    "queues",
    "webhooks",
    "sweep",
    "decide_refund_request",
    "partner_refund_request_view",
    "refund_requests_for",
    "request_partner_refund",
    "withdraw_refund_request",
]
