"""Signed requests from Love Bali Endpoints (partners).

Headers::

    X-LB-Key:        lbk_…           (key id)
    X-LB-Timestamp:  1735689600      (unix seconds; ±5 minutes)
    X-LB-Signature:  hex(HMAC-SHA256(secret, METHOD \\n PATH?QUERY \\n TIMESTAMP \\n hex(SHA-256(body))))
    Idempotency-Key: any unique string per logical POST

The signature covers method, path, time and body, so a captured request cannot be altered
or replayed outside the time window; within it, POSTs are de-duplicated by Idempotency-Key.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from django.conf import settings
from django.utils import timezone
from ninja.errors import Throttled
from ninja.security.base import AuthBase

from spbe.core import context, ratelimit

from . import protect
from .models import Endpoint, EndpointKey


def canonical_string(method: str, path: str, timestamp: str, body: bytes) -> bytes:
    return f"{method.upper()}\n{path}\n{timestamp}\n{hashlib.sha256(body).hexdigest()}".encode()


def sign(secret: str, method: str, path: str, timestamp: str, body: bytes) -> str:
    return hmac.new(secret.encode(), canonical_string(method, path, timestamp, body), hashlib.sha256).hexdigest()


def signed_headers(key_id: str, secret: str, method: str, path: str, body: bytes = b"", now: float | None = None) -> dict:
    """What a partner client sends (used by tests, the benchmark and the docs example)."""
    timestamp = str(int(now if now is not None else time.time()))
    return {"X-LB-Key": key_id, "X-LB-Timestamp": timestamp, "X-LB-Signature": sign(secret, method, path, timestamp, body)}


def verify_request(request) -> Endpoint | None:
    key_id = request.headers.get("X-LB-Key", "")
    timestamp = request.headers.get("X-LB-Timestamp", "")
    signature = request.headers.get("X-LB-Signature", "")
    if not (key_id and timestamp.isdigit() and signature):
        return None
    if abs(time.time() - int(timestamp)) > settings.LEVY_PARTNER_CLOCK_SKEW:
        return None
    key = EndpointKey.objects.filter(key_id=key_id, revoked_at__isnull=True).select_related("endpoint").first()
    if key is None or key.endpoint.status != Endpoint.Status.APPROVED:
        return None
    expected = sign(protect.decrypt(key.secret_encrypted), request.method, request.get_full_path(), timestamp, request.body)
    if not hmac.compare_digest(expected, signature):
        return None
    if key.last_used_at is None or (timezone.now() - key.last_used_at).total_seconds() > 60:
        EndpointKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
    return key.endpoint


class PartnerAuth(AuthBase):
    openapi_type = "apiKey"
    openapi_in = "header"
    openapi_name = "X-LB-Key"

    def __call__(self, request):
        endpoint = verify_request(request)
        if endpoint is None:
            return None
        # Per-partner ceiling, generous for front desks; protects the service from a runaway client.
        if ratelimit.hit(f"levy-partner:{endpoint.pk}", limit=settings.LEVY_PARTNER_RATE_PER_MINUTE, window=60):
            raise Throttled(wait=ratelimit.retry_after(60))
        request.partner = endpoint
        context.update_current(kind="partner", token_name=f"endpoint {endpoint.code}")
        return endpoint
