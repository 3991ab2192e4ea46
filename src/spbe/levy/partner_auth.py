"""Signed requests from Love Bali Endpoints (partners). The full specification, with a worked
example, is ``docs/partner-api.md``; the OpenAPI security scheme repeats it.

Headers::

    X-LB-Key:        lbk_…           (key id)
    X-LB-Timestamp:  1735689600      (unix seconds; ±5 minutes)
    X-LB-Signature:  hex(HMAC-SHA256(secret, METHOD \\n PATH?QUERY \\n TIMESTAMP \\n hex(SHA-256(body))))
    Idempotency-Key: any unique string per logical POST

The signature covers method, path, time and body, so a captured request cannot be altered
or replayed outside the time window; within it, POSTs are de-duplicated by Idempotency-Key.

A refused request says which check failed (``missing_signature``, ``unknown_key``,
``timestamp_out_of_window``, ``signature_mismatch``) so an integrator can fix it, and never
says anything about the secret. Failures count against the caller's address to slow guessing.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.errors import Throttled
from ninja.security.base import AuthBase

from spbe.core import context, ratelimit
from spbe.core.services import NotAuthenticated, RateLimited

from . import protect
from .models import Endpoint, EndpointKey

SIGNATURE_HEADERS = ("X-LB-Key", "X-LB-Timestamp", "X-LB-Signature")
FAILURES_PER_MINUTE = 30

SCHEME_DESCRIPTION = """Every partner request is signed with the key's secret (shown once when the key is made).

Send three headers:

* `X-LB-Key`: the key id (`lbk_…`)
* `X-LB-Timestamp`: the current time in unix seconds (accepted within ±300 s of the server clock)
* `X-LB-Signature`: lowercase hex of HMAC-SHA256(secret, canonical string)

The canonical string is four lines joined by `\\n` (no trailing newline):

    METHOD            upper case, e.g. POST
    PATH?QUERY        exactly as sent, e.g. /api/v1/levy/partner/orders
    TIMESTAMP         the X-LB-Timestamp value
    hex(SHA-256(body)) of the raw body bytes (the hash of the empty string for GET)

POST requests also need `Idempotency-Key` (at most 100 characters): a retry with the same key and body
gets the first answer again.

Worked example: secret `lbs_example-secret`, `POST /api/v1/levy/partner/coverage`, timestamp `1767225600`,
body `{"nationality":"AU","passport":"PA1234567"}` gives the canonical string

    POST
    /api/v1/levy/partner/coverage
    1767225600
    864fbf8642fafeb4bd7ee8f02e4a9283212a0de7648952e8db25550b7aad44ec

and `X-LB-Signature: 38352dc0a7665282018e1c0e191026c1f8c390365bbc8019ce841a79d93e013a`
(the test suite recomputes both).

Refusals answer 401 with `error.code`: `missing_signature`, `unknown_key` (unknown or revoked key, or the
endpoint is not approved), `timestamp_out_of_window` or `signature_mismatch`."""


class PartnerAuthFailed(NotAuthenticated):
    """A partner request that failed one signature check; ``code`` names the check."""


def canonical_string(method: str, path: str, timestamp: str, body: bytes) -> bytes:
    return f"{method.upper()}\n{path}\n{timestamp}\n{hashlib.sha256(body).hexdigest()}".encode()


def sign(secret: str, method: str, path: str, timestamp: str, body: bytes) -> str:
    return hmac.new(secret.encode(), canonical_string(method, path, timestamp, body), hashlib.sha256).hexdigest()


def signed_headers(key_id: str, secret: str, method: str, path: str, body: bytes = b"", now: float | None = None) -> dict:
    """What a partner client sends (used by tests, the benchmark and the docs example)."""
    timestamp = str(int(now if now is not None else time.time()))
    return {"X-LB-Key": key_id, "X-LB-Timestamp": timestamp, "X-LB-Signature": sign(secret, method, path, timestamp, body)}


def verify_request(request) -> tuple[Endpoint, EndpointKey]:
    """The endpoint and key that signed ``request``; raises PartnerAuthFailed naming the failed check."""
    key_id = request.headers.get("X-LB-Key", "")
    timestamp = request.headers.get("X-LB-Timestamp", "")
    signature = request.headers.get("X-LB-Signature", "")
    if not (key_id and timestamp and signature):
        raise PartnerAuthFailed(_("Sign the request: send the X-LB-Key, X-LB-Timestamp and X-LB-Signature headers."),
                                code="missing_signature")
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > settings.LEVY_PARTNER_CLOCK_SKEW:
        raise PartnerAuthFailed(
            _("X-LB-Timestamp must be the current time in unix seconds, within %(n)s seconds of the server clock.")
            % {"n": settings.LEVY_PARTNER_CLOCK_SKEW}, code="timestamp_out_of_window")
    key = EndpointKey.objects.filter(key_id=key_id, revoked_at__isnull=True).select_related("endpoint").first()
    if key is None or key.endpoint.status != Endpoint.Status.APPROVED:
        raise PartnerAuthFailed(_("This API key is unknown or revoked, or the endpoint is not approved."), code="unknown_key")
    expected = sign(protect.decrypt(key.secret_encrypted), request.method, request.get_full_path(), timestamp, request.body)
    if not hmac.compare_digest(expected, signature.lower()):
        raise PartnerAuthFailed(_("The signature does not match this request. Sign the method, the path with its query, "
                                  "the timestamp and the SHA-256 of the exact body bytes."), code="signature_mismatch")
    if key.last_used_at is None or (timezone.now() - key.last_used_at).total_seconds() > 60:
        EndpointKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
    return key.endpoint, key


class PartnerAuth(AuthBase):
    openapi_type = "apiKey"
    openapi_in = "header"
    openapi_name = "X-LB-Key"
    openapi_description = SCHEME_DESCRIPTION

    def __call__(self, request):
        try:
            endpoint, key = verify_request(request)
        except PartnerAuthFailed:
            if ratelimit.hit(ratelimit.client_bucket(request, "levy-partner-auth-failure"), limit=FAILURES_PER_MINUTE, window=60):
                raise RateLimited(_("Too many requests. Please wait and try again."), retry_after=ratelimit.retry_after(60)) from None
            raise
        # Per-partner ceiling, generous for front desks; protects the service from a runaway client.
        if ratelimit.hit(f"levy-partner:{endpoint.pk}", limit=settings.LEVY_PARTNER_RATE_PER_MINUTE, window=60):
            raise Throttled(wait=ratelimit.retry_after(60))
        request.partner = endpoint
        request.partner_key = key
        context.update_current(kind="partner", token_name=f"endpoint {endpoint.code}")
        return endpoint
