"""A local bank / payment-gateway simulator, served over real HTTP on loopback.

The province's collecting bank cannot be reached from development or CI, so this stands in
for it and behaves like a gateway, not like a mock: charges have their own state, payers pay
by scanning a dynamic QRIS (valid EMVCo TLV + CRC), transferring to a virtual account or
going through a card page; the simulator then sends signed notifications asynchronously and
retries them until the merchant answers 2xx; merchants can query status, refund, and download
a daily settlement CSV. It speaks three dialects on the same port:

* native (``/v1/...``): HMAC-SHA512 signed notifications (``X-Sim-Signature``);
* Midtrans-style (``/v2/charge``, ``/v2/<order_id>/status``): ``signature_key`` = SHA-512 of
  order_id + status_code + gross_amount + server key;
* Xendit-style (``/v2/invoices``): ``X-CALLBACK-TOKEN`` header.

Run it with ``spbe levy_banksim``; tests start it in a thread (``BankSimulator.start``).
Only the standard library is used so it can run anywhere.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import hmac
import io
import itertools
import json
import secrets
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http import HTTPStatus
from urllib.parse import parse_qs, urlparse

from spbe.core.loopback import LoopbackServer, QuietHandler

from . import qris

WITA = timezone(timedelta(hours=8))
SIM_MERCHANT = qris.Merchant(
    name="LOVE BALI PWA",
    city="DENPASAR",
    postal_code="80235",
    nmid="ID1020000000001",  # fake
    acquirer_guid="ID.CO.BPDBALI.WWW",
    merchant_pan="936001290000000001",  # fake
    merchant_id="000000000000001",  # fake
)


def native_signature(server_key: str, timestamp: str, body: bytes) -> str:
    return hmac.new(server_key.encode(), timestamp.encode() + b"." + body, hashlib.sha512).hexdigest()


def midtrans_signature(order_id: str, status_code: str, gross_amount: str, server_key: str) -> str:
    return hashlib.sha512(f"{order_id}{status_code}{gross_amount}{server_key}".encode()).hexdigest()


@dataclass
class Charge:
    reference: str
    dialect: str  # native | midtrans | xendit
    merchant_reference: str
    amount: int
    method: str
    notify_url: str
    return_url: str
    created_at: datetime
    expires_at: datetime
    status: str = "pending"  # pending | paid | expired | refunded | partially_refunded
    paid_at: datetime | None = None
    refunded: int = 0
    refunds: dict = field(default_factory=dict)  # refund_key -> refund reference
    va_number: str = ""
    qris: str = ""


@dataclass
class Delivery:
    charge: str
    event: str
    attempts: int = 0
    delivered: bool = False
    last_status: int | None = None


class BankSimulator:
    def __init__(
        self,
        server_key: str = "banksim-dev-key",
        *,
        callback_token: str = "banksim-callback-token",
        retry_delays: tuple[float, ...] = (1, 2, 5, 10, 30, 60, 120),
        duplicate_deliveries: int = 1,
        settlement_fee: int = 4500,
        notify: bool = True,
    ):
        self.server_key = server_key
        self.callback_token = callback_token
        self.retry_delays = retry_delays
        self.duplicate_deliveries = duplicate_deliveries
        self.settlement_fee = settlement_fee
        self.notify = notify
        self.charges: dict[str, Charge] = {}
        self.by_merchant_reference: dict[str, str] = {}
        self.deliveries: list[Delivery] = []
        self.lock = threading.RLock()
        self._counter = itertools.count(1)
        self._loopback = LoopbackServer(_Handler, sim=self)
        self._threads: list[threading.Thread] = []

    # --- lifecycle -------------------------------------------------------------------
    def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        return self._loopback.start(host, port)

    @property
    def url(self) -> str:
        return self._loopback.url

    def serve_forever(self, host: str, port: int) -> None:
        self._loopback.serve_forever(host, port)

    def stop(self) -> None:
        self._loopback.stop()

    def wait_for_deliveries(self, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        for thread in list(self._threads):
            thread.join(max(0, deadline - time.monotonic()))

    # --- charges ---------------------------------------------------------------------
    def create_charge(self, dialect, merchant_reference, amount, method, notify_url, return_url="") -> Charge:
        with self.lock:
            existing = self.by_merchant_reference.get(merchant_reference)
            if existing:
                return self.charges[existing]
            number = next(self._counter)
            prefix = {"native": "SIM", "midtrans": "MT", "xendit": "XI"}[dialect]
            reference = f"{prefix}{number:08d}{secrets.token_hex(3).upper()}"
            now = datetime.now(WITA)
            charge = Charge(
                reference=reference,
                dialect=dialect,
                merchant_reference=merchant_reference,
                amount=amount,
                method=method,
                notify_url=notify_url,
                return_url=return_url,
                created_at=now,
                expires_at=now + timedelta(hours=24),
            )
            if method == "va":
                charge.va_number = f"9881{number:012d}"
            if method == "qris":
                charge.qris = qris.dynamic_payload(SIM_MERCHANT, amount, merchant_reference[:25])
            self.charges[reference] = charge
            self.by_merchant_reference[merchant_reference] = reference
            return charge

    def pay(self, reference: str, amount: int | None = None) -> tuple[bool, str]:
        with self.lock:
            charge = self.charges.get(reference)
            if charge is None:
                return False, "unknown charge"
            if charge.status != "pending":
                return False, f"charge is {charge.status}"
            if amount is not None and amount != charge.amount:
                return False, "amount differs from the bill"
            charge.status = "paid"
            charge.paid_at = datetime.now(WITA)
        self._notify(charge, "paid")
        return True, "paid"

    def expire(self, reference: str) -> None:
        with self.lock:
            charge = self.charges[reference]
            if charge.status == "pending":
                charge.status = "expired"
        self._notify(charge, "expired")

    def refund(self, reference: str, amount: int, refund_key: str) -> tuple[bool, str]:
        with self.lock:
            charge = self.charges.get(reference)
            if charge is None:
                return False, "unknown charge"
            if refund_key in charge.refunds:
                return True, charge.refunds[refund_key]
            if charge.status not in ("paid", "partially_refunded"):
                return False, f"charge is {charge.status}"
            if amount <= 0 or charge.refunded + amount > charge.amount:
                return False, "refund exceeds the paid amount"
            charge.refunded += amount
            charge.status = "refunded" if charge.refunded == charge.amount else "partially_refunded"
            refund_reference = f"RF{secrets.token_hex(5).upper()}"
            charge.refunds[refund_key] = refund_reference
            return True, refund_reference

    def settlement_csv(self, day) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["settlement_date", "provider_reference", "merchant_reference", "amount", "fee", "net"])
        with self.lock:
            for charge in self.charges.values():
                if charge.paid_at and charge.paid_at.date() == day:
                    fee = self.settlement_fee
                    writer.writerow([day.isoformat(), charge.reference, charge.merchant_reference, charge.amount, fee, charge.amount - fee])
        return out.getvalue()

    # --- views of a charge in each dialect -------------------------------------------
    def native_view(self, charge: Charge) -> dict:
        return {
            "reference": charge.reference,
            "merchant_reference": charge.merchant_reference,
            "status": charge.status,
            "amount": charge.amount,
            "refunded_amount": charge.refunded,
            "method": charge.method,
            "qris": charge.qris,
            "va_number": charge.va_number,
            "redirect_url": f"{self.url}/checkout/{charge.reference}" if charge.method == "card" else "",
            "expires_at": charge.expires_at.isoformat(),
            "paid_at": charge.paid_at.isoformat() if charge.paid_at else None,
        }

    def midtrans_view(self, charge: Charge) -> dict:
        status, code = {
            "pending": ("pending", "201"),
            "paid": ("settlement", "200"),
            "expired": ("expire", "407"),
            "refunded": ("refund", "200"),
            "partially_refunded": ("partial_refund", "200"),
        }[charge.status]
        gross = f"{charge.amount}.00"
        return {
            "transaction_id": charge.reference,
            "order_id": charge.merchant_reference,
            "gross_amount": gross,
            "currency": "IDR",
            "payment_type": {"qris": "qris", "va": "bank_transfer", "card": "credit_card"}[charge.method],
            "transaction_status": status,
            "status_code": code,
            "fraud_status": "accept",
            "transaction_time": charge.created_at.strftime("%Y-%m-%d %H:%M:%S"),
            "settlement_time": charge.paid_at.strftime("%Y-%m-%d %H:%M:%S") if charge.paid_at else None,
            "signature_key": midtrans_signature(charge.merchant_reference, code, gross, self.server_key),
            "qr_string": charge.qris,
            "va_numbers": [{"bank": "bpd_bali", "va_number": charge.va_number}] if charge.va_number else [],
            "redirect_url": f"{self.url}/checkout/{charge.reference}" if charge.method == "card" else None,
        }

    def xendit_view(self, charge: Charge) -> dict:
        status = {"pending": "PENDING", "paid": "PAID", "expired": "EXPIRED", "refunded": "PAID", "partially_refunded": "PAID"}[
            charge.status
        ]
        return {
            "id": charge.reference,
            "external_id": charge.merchant_reference,
            "status": status,
            "amount": charge.amount,
            "paid_amount": charge.amount if charge.paid_at else None,
            "currency": "IDR",
            "payment_method": {"qris": "QR_CODE", "va": "BANK_TRANSFER", "card": "CREDIT_CARD"}[charge.method],
            "invoice_url": f"{self.url}/checkout/{charge.reference}",
            "qr_string": charge.qris,
            "bank_account_number": charge.va_number,
            "paid_at": charge.paid_at.isoformat() if charge.paid_at else None,
            "refunded_amount": charge.refunded,
        }

    # --- notifications ---------------------------------------------------------------
    def _notification(self, charge: Charge, event: str) -> tuple[bytes, dict]:
        if charge.dialect == "midtrans":
            return json.dumps(self.midtrans_view(charge)).encode(), {}
        if charge.dialect == "xendit":
            return json.dumps(self.xendit_view(charge)).encode(), {"X-CALLBACK-TOKEN": self.callback_token}
        body = json.dumps({"event_id": f"{charge.reference}:{event}", "event": event, **self.native_view(charge)}).encode()
        return body, {}

    def _notify(self, charge: Charge, event: str) -> None:
        if not self.notify or not charge.notify_url:
            return
        for _ in range(self.duplicate_deliveries):
            delivery = Delivery(charge.reference, event)
            with self.lock:
                self.deliveries.append(delivery)
            thread = threading.Thread(target=self._deliver, args=(charge, event, delivery), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _deliver(self, charge: Charge, event: str, delivery: Delivery) -> None:
        for attempt in range(len(self.retry_delays) + 1):
            body, headers = self._notification(charge, event)
            if charge.dialect == "native":  # signed per attempt: the timestamp is part of it
                timestamp = str(int(time.time()))
                headers = {"X-Sim-Timestamp": timestamp, "X-Sim-Signature": native_signature(self.server_key, timestamp, body)}
            request = urllib.request.Request(
                charge.notify_url, data=body, method="POST", headers={"Content-Type": "application/json", **headers}
            )
            delivery.attempts += 1
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    delivery.last_status = response.status
            except urllib.error.HTTPError as exc:
                delivery.last_status = exc.code
            except (urllib.error.URLError, OSError):
                delivery.last_status = None
            if delivery.last_status is not None and 200 <= delivery.last_status < 300:
                delivery.delivered = True
                return
            if attempt < len(self.retry_delays):
                time.sleep(self.retry_delays[attempt])


class _Handler(QuietHandler):
    sim: BankSimulator
    server_version = "BankSim/1.0"

    # --- helpers ---------------------------------------------------------------------
    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _json_body(self) -> dict | None:
        try:
            data = json.loads(self._body() or b"{}")
        except ValueError:
            return None
        return data if isinstance(data, dict) else None

    def _send(self, status: int, payload, content_type: str = "application/json") -> None:
        self.send_body(status, payload, content_type)

    def _authorised(self, key: str) -> bool:
        header = self.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return False
        try:
            user = base64.b64decode(header[6:]).decode().split(":", 1)[0]
        except ValueError:
            return False
        return hmac.compare_digest(user, key)

    def _error(self, status: int, message: str) -> None:
        self._send(status, {"error": message, "status_message": message})

    # --- routing ---------------------------------------------------------------------
    def do_GET(self):
        url = urlparse(self.path)
        parts = [p for p in url.path.split("/") if p]
        sim = self.sim
        if parts[:1] == ["checkout"] and len(parts) == 2:
            return self._checkout_page(parts[1])
        if parts == ["sim", "deliveries"]:
            with sim.lock:
                return self._send(200, [d.__dict__ for d in sim.deliveries])
        if not self._authorised(sim.server_key):
            return self._error(401, "unauthorised")
        if parts[:2] == ["v1", "charges"] and len(parts) == 3:
            charge = sim.charges.get(parts[2])
            return self._send(200, sim.native_view(charge)) if charge else self._error(404, "charge not found")
        if parts[:2] == ["v1", "settlements"]:
            day = parse_qs(url.query).get("date", [""])[0]
            try:
                parsed = datetime.strptime(day, "%Y-%m-%d").date()
            except ValueError:
                return self._error(400, "date=YYYY-MM-DD is required")
            return self._send(200, sim.settlement_csv(parsed), "text/csv")
        if parts[:1] == ["v2"] and len(parts) == 3 and parts[2] == "status":
            reference = sim.by_merchant_reference.get(parts[1])
            if not reference:
                return self._send(404, {"status_code": "404", "status_message": "Transaction doesn't exist."})
            return self._send(200, sim.midtrans_view(sim.charges[reference]))
        if parts[:2] == ["v2", "invoices"] and len(parts) == 3:
            charge = sim.charges.get(parts[2])
            return self._send(200, sim.xendit_view(charge)) if charge else self._error(404, "INVOICE_NOT_FOUND_ERROR")
        return self._error(404, "not found")

    def do_POST(self):
        parts = [p for p in urlparse(self.path).path.split("/") if p]
        sim = self.sim
        # Payer side (the tourist's bank app, ATM or card page): no merchant credentials.
        if parts[:1] == ["checkout"] and len(parts) == 2:
            ok, message = sim.pay(parts[1])
            charge = sim.charges.get(parts[1])
            if ok and charge and charge.return_url:
                self.send_response(HTTPStatus.SEE_OTHER)
                self.send_header("Location", charge.return_url)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
            return self._send(200 if ok else 409, f"<p>{message}</p>", "text/html; charset=utf-8")
        if parts == ["v1", "qris", "pay"]:
            data = self._json_body() or {}
            try:
                parsed = qris.parse(str(data.get("payload", "")))
            except qris.QrisError as exc:
                return self._error(400, f"invalid QRIS: {exc}")
            reference = sim.by_merchant_reference.get(parsed.reference)
            if not reference:
                return self._error(404, "no bill for this QRIS")
            ok, message = sim.pay(reference, parsed.amount)
            return self._send(200 if ok else 409, {"status": message, "reference": reference})
        if parts == ["v1", "va", "pay"]:
            data = self._json_body() or {}
            match = [c for c in sim.charges.values() if c.va_number and c.va_number == data.get("va_number")]
            if not match:
                return self._error(404, "unknown virtual account")
            ok, message = sim.pay(match[0].reference, data.get("amount"))
            return self._send(200 if ok else 409, {"status": message, "reference": match[0].reference})
        if parts[:2] == ["v1", "charges"] and len(parts) == 4 and parts[3] == "pay":
            ok, message = sim.pay(parts[2])
            return self._send(200 if ok else 409, {"status": message})
        if parts[:2] == ["sim", "expire"] and len(parts) == 3:
            sim.expire(parts[2])
            return self._send(200, {"status": "expired"})
        # Merchant side: credentials required.
        if parts[:2] == ["v2", "invoices"] or parts == ["refunds"]:
            if not self._authorised(sim.server_key):
                return self._error(401, "unauthorised")
        elif not self._authorised(sim.server_key):
            return self._error(401, "unauthorised")
        data = self._json_body()
        if data is None:
            return self._error(400, "body must be a JSON object")
        if parts == ["v1", "charges"]:
            return self._create(
                "native", data.get("merchant_reference"), data.get("amount"), data.get("method"),
                data.get("notify_url", ""), data.get("return_url", ""), sim.native_view, 201,
            )
        if parts[:2] == ["v1", "charges"] and len(parts) == 4 and parts[3] == "refunds":
            ok, result = sim.refund(parts[2], int(data.get("amount") or 0), str(data.get("refund_key") or ""))
            return self._send(200 if ok else 409, {"refund_reference": result, "status": "succeeded"} if ok else {"error": result})
        if parts == ["v2", "charge"]:
            details = data.get("transaction_details") or {}
            method = {"qris": "qris", "bank_transfer": "va", "credit_card": "card"}.get(data.get("payment_type"), "")
            amount = details.get("gross_amount")
            if details.get("order_id") in sim.by_merchant_reference:
                existing = sim.charges[sim.by_merchant_reference[details["order_id"]]]
                if existing.status != "pending":
                    return self._send(406, {"status_code": "406", "status_message": "The order_id has already been utilized."})
            return self._create(
                "midtrans", details.get("order_id"), amount, method,
                self.headers.get("X-Override-Notification", ""), "", sim.midtrans_view, 201,
            )
        if parts[:1] == ["v2"] and len(parts) == 3 and parts[2] == "refund":
            reference = sim.by_merchant_reference.get(parts[1])
            if not reference:
                return self._send(404, {"status_code": "404", "status_message": "Transaction doesn't exist."})
            ok, result = sim.refund(reference, int(data.get("amount") or 0), str(data.get("refund_key") or ""))
            if not ok:
                return self._send(412, {"status_code": "412", "status_message": result})
            return self._send(200, {"status_code": "200", "refund_key": data.get("refund_key"), "refund_chargeback_id": result})
        if parts == ["v2", "invoices"]:
            method = {"QR_CODE": "qris", "BANK_TRANSFER": "va", "CREDIT_CARD": "card"}.get(
                (data.get("payment_methods") or [""])[0], ""
            )
            return self._create(
                "xendit", data.get("external_id"), data.get("amount"), method,
                data.get("callback_url", ""), data.get("success_redirect_url", ""), sim.xendit_view, 200,
            )
        if parts == ["refunds"]:
            ok, result = sim.refund(str(data.get("invoice_id")), int(data.get("amount") or 0), str(data.get("reference_id") or ""))
            return self._send(200 if ok else 400, {"id": result, "status": "SUCCEEDED"} if ok else {"error_code": "REFUND_ERROR", "message": result})
        return self._error(404, "not found")

    def _create(self, dialect, merchant_reference, amount, method, notify_url, return_url, view, status):
        if not merchant_reference or not isinstance(merchant_reference, str) or len(merchant_reference) > 50:
            return self._error(400, "merchant reference is required (at most 50 characters)")
        try:
            amount = int(float(amount))
        except (TypeError, ValueError):
            return self._error(400, "amount must be a whole number of rupiah")
        if amount <= 0 or method not in ("qris", "va", "card"):
            return self._error(400, "amount must be positive and method one of qris, va, card")
        charge = self.sim.create_charge(dialect, merchant_reference, amount, method, notify_url, return_url)
        return self._send(status, view(charge))

    def _checkout_page(self, reference: str):
        charge = self.sim.charges.get(reference)
        if charge is None:
            return self._send(404, "<p>Unknown payment</p>", "text/html; charset=utf-8")
        page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>BankSim card payment</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family:sans-serif;max-width:28rem;margin:2rem auto">
<h1>BankSim secure payment</h1><p>This is the local bank simulator, not a real bank.</p>
<p>Merchant: {SIM_MERCHANT.name}<br>Amount: IDR {charge.amount:,}<br>Reference: {charge.merchant_reference}</p>
<p>Status: <strong>{charge.status}</strong></p>
<form method="post"><label>Card number <input name="card" value="4111 1111 1111 1111"></label>
<button type="submit" id="pay">Pay IDR {charge.amount:,}</button></form></body></html>"""
        return self._send(200, page, "text/html; charset=utf-8")
