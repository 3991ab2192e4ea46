"""Love Bali Endpoint partner API client: signs every request (HMAC-SHA256 over method, path,
timestamp and body hash), sends an Idempotency-Key with every POST, retries what is safe to
retry, and verifies the platform's webhooks."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

__all__ = ["ApiError", "Client", "InvalidSignature", "canonical_string", "sign", "verify_webhook", "webhook_signature"]
__version__ = "1.0.0"

API_PREFIX = "/api/v1/levy/partner"


class ApiError(Exception):
    """An error answer of the API (the body is always ``{"error": {...}}``)."""

    def __init__(self, status: int, code: str, message: str, details=None, request_id: str = "", retry_after: int | None = None):
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message = status, code, message
        self.details, self.request_id, self.retry_after = details or [], request_id, retry_after


class InvalidSignature(Exception):
    """A webhook whose signature or timestamp does not check out: do not act on it."""


def canonical_string(method: str, path: str, timestamp: str, body: bytes) -> bytes:
    return f"{method.upper()}\n{path}\n{timestamp}\n{hashlib.sha256(body).hexdigest()}".encode()


def sign(secret: str, method: str, path: str, timestamp: str, body: bytes) -> str:
    return hmac.new(secret.encode(), canonical_string(method, path, timestamp, body), hashlib.sha256).hexdigest()


def webhook_signature(secret: str, timestamp: str, body: bytes) -> str:
    return "v1=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def verify_webhook(secret: str, headers, body: bytes, *, tolerance: int = 300, now: float | None = None) -> dict:
    """Check a webhook POST and return the event (``id``, ``type``, ``created_at``, ``data``).

    ``headers`` is any mapping; names are matched case-insensitively. Events can arrive more
    than once (retries): remember ``event["id"]`` and skip ones you have seen.
    """
    lower = {k.lower(): v for k, v in dict(headers).items()}
    timestamp = lower.get("x-lb-timestamp", "")
    given = lower.get("x-lb-webhook-signature", "")
    if not timestamp.isdigit() or abs((now if now is not None else time.time()) - int(timestamp)) > tolerance:
        raise InvalidSignature("timestamp missing or outside the tolerance")
    if not hmac.compare_digest(webhook_signature(secret, timestamp, body), given):
        raise InvalidSignature("signature does not match")
    event = json.loads(body)
    if event.get("id") != lower.get("x-lb-event-id"):
        raise InvalidSignature("event id header and body differ")
    return event


class Client:
    def __init__(self, base_url: str, key_id: str, secret: str, *, timeout: float = 15, retries: int = 2,
                 language: str | None = None):
        self.base_url = base_url.rstrip("/")
        self.key_id, self.secret = key_id, secret
        self.timeout, self.retries, self.language = timeout, retries, language

    # --- transport -------------------------------------------------------------------

    def request(self, method: str, path: str, payload=None, *, query: dict | None = None,
                idempotency_key: str | None = None, raw: bool = False):
        """Send a signed request; returns the decoded JSON (or bytes when ``raw``).

        429 and 503 answers, and connection failures, are retried after ``Retry-After`` (at most
        ``retries`` times); a POST is retried with the same Idempotency-Key, so it runs once.
        """
        full_path = API_PREFIX + path
        encoded = urllib.parse.urlencode({k: v for k, v in (query or {}).items() if v not in (None, "")})
        if encoded:  # never a bare "?": the server signs the path it sees, and drops an empty query
            full_path += "?" + encoded
        body = b"" if payload is None else json.dumps(payload, separators=(",", ":")).encode()
        if method == "POST" and idempotency_key is None:
            idempotency_key = str(uuid.uuid4())
        attempt = 0
        while True:
            timestamp = str(int(time.time()))
            headers = {"X-LB-Key": self.key_id, "X-LB-Timestamp": timestamp,
                       "X-LB-Signature": sign(self.secret, method, full_path, timestamp, body),
                       "Accept": "application/pdf" if raw else "application/json",
                       "User-Agent": f"lovebali-partner-python/{__version__}"}
            if payload is not None:
                headers["Content-Type"] = "application/json"
            if idempotency_key:
                headers["Idempotency-Key"] = idempotency_key
            if self.language:
                headers["Accept-Language"] = self.language
            request = urllib.request.Request(self.base_url + full_path, data=body if method != "GET" else None,
                                             headers=headers, method=method)
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    data = response.read()
                    if raw:
                        return data
                    return json.loads(data) if data else None
            except urllib.error.HTTPError as exc:
                error = self._error(exc)
                if error.status in (429, 503) and attempt < self.retries:
                    attempt += 1
                    time.sleep(min(error.retry_after or 1, 30))
                    continue
                raise error from None
            except (urllib.error.URLError, TimeoutError, ConnectionError):
                if attempt < self.retries:
                    attempt += 1
                    time.sleep(1)
                    continue
                raise

    @staticmethod
    def _error(exc: urllib.error.HTTPError) -> ApiError:
        retry_after = exc.headers.get("Retry-After")
        try:
            info = json.loads(exc.read() or b"{}").get("error", {})
        except ValueError:
            info = {}
        return ApiError(exc.code, info.get("code", "http_error"), info.get("message", exc.reason or ""), info.get("details"),
                        info.get("request_id", ""), int(retry_after) if retry_after and retry_after.isdigit() else None)

    # --- the API ---------------------------------------------------------------------

    def coverage(self, nationality: str, passport: str, on: str | None = None) -> dict:
        return self.request("POST", "/coverage", {"nationality": nationality, "passport": passport, **({"on": on} if on else {})})

    def create_order(self, *, email: str, travellers: list[dict], method: str = "qris", language: str = "en",
                     idempotency_key: str | None = None) -> dict:
        return self.request("POST", "/orders", {"email": email, "language": language, "method": method, "travellers": travellers},
                            idempotency_key=idempotency_key)

    def get_order(self, code: str) -> dict:
        return self.request("GET", f"/orders/{urllib.parse.quote(code)}")

    def list_orders(self, status: str = "", limit: int = 50, offset: int = 0) -> dict:
        return self.request("GET", "/orders", query={"status": status, "limit": limit, "offset": offset})

    def cancel_order(self, code: str, reason: str = "") -> dict:
        return self.request("POST", f"/orders/{urllib.parse.quote(code)}/cancel", {"reason": reason})

    def request_refund(self, code: str, travellers: list[int], reason: str, note: str = "") -> dict:
        """Ask for the levy of some travellers (positions, 1 = first) back; a levy officer decides.
        ``reason``: trip_cancelled, paid_twice, wrong_details or other."""
        return self.request("POST", f"/orders/{urllib.parse.quote(code)}/refund-requests",
                            {"travellers": travellers, "reason": reason, "note": note})

    def refund_requests(self, code: str) -> list:
        return self.request("GET", f"/orders/{urllib.parse.quote(code)}/refund-requests")

    def get_refund_request(self, request_id: int) -> dict:
        return self.request("GET", f"/refund-requests/{int(request_id)}")

    def withdraw_refund_request(self, request_id: int) -> dict:
        return self.request("POST", f"/refund-requests/{int(request_id)}/withdraw")

    def voucher_pdf(self, code: str, language: str = "") -> bytes:
        return self.request("GET", f"/orders/{urllib.parse.quote(code)}/vouchers.pdf", query={"language": language}, raw=True)

    def commission(self) -> dict:
        return self.request("GET", "/commission")

    def statement_pdf(self, year: int, quarter: int, language: str = "id") -> bytes:
        return self.request("GET", f"/statements/{int(year)}/{int(quarter)}.pdf", query={"language": language}, raw=True)

    def add_webhook(self, url: str, events: list[str] | None = None) -> dict:
        return self.request("POST", "/webhooks", {"url": url, "events": events or []})

    def list_webhooks(self) -> list:
        return self.request("GET", "/webhooks")

    def rotate_webhook_secret(self, webhook_id: int) -> dict:
        return self.request("POST", f"/webhooks/{int(webhook_id)}/secret")

    def remove_webhook(self, webhook_id: int) -> None:
        self.request("DELETE", f"/webhooks/{int(webhook_id)}")

    def deliveries(self, webhook_id: int) -> list:
        return self.request("GET", f"/webhooks/{int(webhook_id)}/deliveries")

    def redeliver(self, webhook_id: int, delivery_id: int) -> dict:
        return self.request("POST", f"/webhooks/{int(webhook_id)}/deliveries/{int(delivery_id)}/redeliver")
