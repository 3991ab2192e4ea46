"""The local bank simulator's native API (``spbe.levy.banksim``), HMAC-SHA512 notifications."""

from __future__ import annotations

import hmac
import json
import time

from ..banksim import native_signature
from .base import ChargeInstructions, NotificationEvent, NotificationRejected, PaymentProvider, ProviderStatus, register

MAX_NOTIFICATION_AGE = 300  # seconds; a captured notification cannot be replayed later


@register
class BankSimProvider(PaymentProvider):
    identifier = "banksim"

    def create_charge(self, *, merchant_reference, amount, method, notify_url, return_url, email):
        data = self._call(
            "POST",
            "/v1/charges",
            json={
                "merchant_reference": merchant_reference,
                "amount": amount,
                "method": method,
                "notify_url": notify_url,
                "return_url": return_url,
            },
        )
        return ChargeInstructions(
            provider_reference=data["reference"],
            qris=data.get("qris", ""),
            va_number=data.get("va_number", ""),
            redirect_url=data.get("redirect_url", ""),
            expires_at=data.get("expires_at", ""),
        )

    def parse_notification(self, headers, body):
        timestamp = headers.get("x-sim-timestamp", "")
        signature = headers.get("x-sim-signature", "")
        expected = native_signature(self.config["server_key"], timestamp, body)
        if not signature or not hmac.compare_digest(signature, expected):
            raise NotificationRejected("bad X-Sim-Signature")
        if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > MAX_NOTIFICATION_AGE:
            raise NotificationRejected("notification timestamp outside the accepted window")
        data = json.loads(body)
        return NotificationEvent(
            dedupe_key=str(data["event_id"]),
            provider_reference=str(data["reference"]),
            merchant_reference=str(data.get("merchant_reference", "")),
            claimed_status=str(data.get("status", "")),
        )

    def query_status(self, *, provider_reference, merchant_reference):
        data = self._call("GET", f"/v1/charges/{provider_reference}")
        status = {"partially_refunded": "paid"}.get(data["status"], data["status"])
        return ProviderStatus(data["reference"], data["merchant_reference"], status, int(data["amount"]), data)

    def refund(self, *, provider_reference, merchant_reference, amount, refund_key):
        data = self._call("POST", f"/v1/charges/{provider_reference}/refunds", json={"amount": amount, "refund_key": refund_key})
        return data["refund_reference"]

    def simulate_payment(self, provider_reference: str) -> None:
        """The payer's side of the simulator (what a banking app does): used by partners'
        sandbox orders only. A real bank has no such call."""
        self._call("POST", f"/v1/charges/{provider_reference}/pay")
