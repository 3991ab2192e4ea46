"""Fixed-window rate limits on the shared cache (Redis in production, the database cache
embedded), so every web and worker process counts together.

``hit`` returns True when the caller is over the limit for this window; ``retry_after`` says
how long until the window ends. Public limits are per client address, which ``client_ip``
derives from the configured number of trusted proxies (``SPBE_TRUSTED_PROXIES``).
"""

from __future__ import annotations

import ipaddress
import threading
import time

from django.core.cache import cache
from ninja.throttling import BaseThrottle


def hit(bucket: str, *, limit: int, window: int) -> bool:
    window_start = int(time.time() // window)
    key = f"ratelimit:{bucket}:{window}:{window_start}"
    if cache.add(key, 1, timeout=window + 1):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=window + 1)
            count = 1
    return count > limit


def retry_after(window: int) -> int:
    """Whole seconds until the current window ends (at least 1)."""
    return max(1, int(window - time.time() % window + 0.999))


def _valid_ip(value: str) -> str | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [v6]:port
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # v4:port
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or — behind N trusted proxies — the address the
    outermost trusted proxy saw, i.e. the N-th entry of X-Forwarded-For counted from the right.
    Entries further left were written by the client and are never trusted."""
    from django.conf import settings

    remote = request.META.get("REMOTE_ADDR") or None
    proxies = getattr(settings, "SPBE_TRUSTED_PROXIES", 0)
    if proxies <= 0:
        return remote
    hops = [h for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    if not hops:
        return remote
    candidate = hops[-min(proxies, len(hops))]
    return _valid_ip(candidate) or remote


def client_bucket(request, name: str) -> str:
    return f"{name}:{client_ip(request) or 'unknown'}"


def limited(request, bucket: str, *, limit: int, window: int = 60) -> bool:
    """For web pages: True when over the limit; the response then becomes a 429 with
    Retry-After (``RateLimitResponseMiddleware``) while the page still shows its message."""
    if hit(bucket, limit=limit, window=window):
        request.rate_limited_for = retry_after(window)
        return True
    return False


class RateLimitResponseMiddleware:
    """Every 429 carries Retry-After; a page that hit a limit (``limited``) answers 429."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        seconds = getattr(request, "rate_limited_for", None)
        if seconds is not None and response.status_code == 200:
            response.status_code = 429
            response.reason_phrase = "Too Many Requests"
        if response.status_code == 429 and not response.has_header("Retry-After"):
            response["Retry-After"] = str(seconds or 60)
        return response


_state = threading.local()


class SharedRateThrottle(BaseThrottle):
    """A django-ninja throttle on the same shared counters (ninja's own keeps a list per key
    and rewrites it, which loses counts across processes, and reads X-Forwarded-For itself).

    ``scope="anon"`` limits unauthenticated calls per client address; ``scope="auth"``
    authenticated calls per user."""

    def __init__(self, rate: str, scope: str):
        count, _, period = rate.partition("/")
        self.limit = int(count)
        self.window = {"s": 1, "m": 60, "h": 3600, "d": 86400}[period[:1]]
        self.scope = scope

    def _ident(self, request) -> str | None:
        auth = getattr(request, "auth", None)
        if self.scope == "anon":
            return None if auth is not None else f"ip:{client_ip(request)}"
        if auth is None:
            return None
        user = getattr(request, "user", None)
        if user is not None and getattr(user, "is_authenticated", False):
            return f"user:{user.pk}"
        return f"auth:{type(auth).__name__}:{getattr(auth, 'pk', id(auth))}"

    def allow_request(self, request) -> bool:
        ident = self._ident(request)
        if ident is None:
            return True
        if hit(f"api-{self.scope}:{ident}", limit=self.limit, window=self.window):
            _state.wait = retry_after(self.window)
            return False
        return True

    def wait(self) -> float | None:
        return getattr(_state, "wait", None)
