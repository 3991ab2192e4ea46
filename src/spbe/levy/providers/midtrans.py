"""Midtrans-style gateway: Core API charge, SHA-512 ``signature_key`` on notifications.

signature_key = SHA512(order_id + status_code + gross_amount + ServerKey); the notification is
then confirmed with GET /v2/<order_id>/status (Midtrans's own advice).
"""

from __future__ import annotations

import hashlib
import hmac
import json

from .base import ChargeInstructions, NotificationEvent, NotificationRejected, PaymentProvider, ProviderStatus, register

STATUS = {
    "capture": "paid",
    "settlement": "paid",
    "pending": "pending",
    "deny": "failed",
    "cancel": "failed",
    "failure": "failed",
    "expire": "expired",
    "refund": "refunded",
    "partial_refund": "paid",
}
PAYMENT_TYPE = {"qris": "qris", "va": "bank_transfer", "card": "credit_card"}


def signature_key(order_id: str, status_code: str, gross_amount: str, server_key: str) -> str:
    return hashlib.sha512(f"{order_id}{status_code}{gross_amount}{server_key}".encode()).hexdigest()


@register
class MidtransProvider(PaymentProvider):
    identifier = "midtrans"

    def create_charge(self, *, merchant_reference, amount, method, notify_url, return_url, email):
        data = self._call(
            "POST",
            "/v2/charge",
            json={
                "payment_type": PAYMENT_TYPE[method],
                "transaction_details": {"order_id": merchant_reference, "gross_amount": amount},
                "customer_details": {"email": email},
            },
            headers={"X-Override-Notification": notify_url} if notify_url else {},
        )
        va = (data.get("va_numbers") or [{}])[0].get("va_number", "")
        return ChargeInstructions(
            provider_reference=data["transaction_id"],
            qris=data.get("qr_string") or "",
            va_number=va,
            redirect_url=data.get("redirect_url") or "",
        )

    def parse_notification(self, headers, body):
        data = json.loads(body)
        try:
            expected = signature_key(data["order_id"], data["status_code"], data["gross_amount"], self.config["server_key"])
        except KeyError as exc:
            raise NotificationRejected(f"notification lacks {exc.args[0]}") from exc
        if not hmac.compare_digest(str(data.get("signature_key", "")), expected):
            raise NotificationRejected("bad signature_key")
        return NotificationEvent(
            dedupe_key=f"{data['transaction_id']}:{data['transaction_status']}",
            provider_reference=str(data["transaction_id"]),
            merchant_reference=str(data["order_id"]),
            claimed_status=STATUS.get(data["transaction_status"], "pending"),
        )

    def query_status(self, *, provider_reference, merchant_reference):
        data = self._call("GET", f"/v2/{merchant_reference}/status")
        expected = signature_key(data["order_id"], data["status_code"], data["gross_amount"], self.config["server_key"])
        if not hmac.compare_digest(str(data.get("signature_key", "")), expected):
            raise NotificationRejected("status answer carries a bad signature_key")
        amount = int(float(data["gross_amount"]))
        return ProviderStatus(data["transaction_id"], data["order_id"], STATUS.get(data["transaction_status"], "pending"), amount, data)

    def refund(self, *, provider_reference, merchant_reference, amount, refund_key):
        data = self._call("POST", f"/v2/{merchant_reference}/refund", json={"refund_key": refund_key, "amount": amount})
        return str(data.get("refund_chargeback_id") or refund_key)
