"""Xendit-style invoices: callbacks carry ``X-CALLBACK-TOKEN`` (compared in constant time)."""

from __future__ import annotations

import hmac
import json

from .base import ChargeInstructions, NotificationEvent, NotificationRejected, PaymentProvider, ProviderStatus, register

STATUS = {"PENDING": "pending", "PAID": "paid", "SETTLED": "paid", "EXPIRED": "expired"}
METHOD = {"qris": "QR_CODE", "va": "BANK_TRANSFER", "card": "CREDIT_CARD"}


@register
class XenditProvider(PaymentProvider):
    identifier = "xendit"

    def auth_key(self) -> str:
        return self.config.get("secret_key", "")

    def create_charge(self, *, merchant_reference, amount, method, notify_url, return_url, email):
        data = self._call(
            "POST",
            "/v2/invoices",
            json={
                "external_id": merchant_reference,
                "amount": amount,
                "payer_email": email,
                "currency": "IDR",
                "payment_methods": [METHOD[method]],
                "callback_url": notify_url,
                "success_redirect_url": return_url,
            },
        )
        return ChargeInstructions(
            provider_reference=data["id"],
            qris=data.get("qr_string") or "",
            va_number=data.get("bank_account_number") or "",
            redirect_url=data.get("invoice_url") or "" if method == "card" else "",
        )

    def parse_notification(self, headers, body):
        token = headers.get("x-callback-token", "")
        expected = self.config.get("callback_token", "")
        if not expected or not hmac.compare_digest(token, expected):
            raise NotificationRejected("bad X-CALLBACK-TOKEN")
        data = json.loads(body)
        return NotificationEvent(
            dedupe_key=f"{data['id']}:{data['status']}",
            provider_reference=str(data["id"]),
            merchant_reference=str(data.get("external_id", "")),
            claimed_status=STATUS.get(data["status"], "pending"),
        )

    def query_status(self, *, provider_reference, merchant_reference):
        data = self._call("GET", f"/v2/invoices/{provider_reference}")
        status = STATUS.get(data["status"], "pending")
        if status == "paid" and int(data.get("refunded_amount") or 0) >= int(data["amount"]):
            status = "refunded"
        return ProviderStatus(data["id"], data["external_id"], status, int(data["amount"]), data)

    def refund(self, *, provider_reference, merchant_reference, amount, refund_key):
        data = self._call("POST", "/refunds", json={"invoice_id": provider_reference, "amount": amount, "reference_id": refund_key})
        return str(data["id"])
