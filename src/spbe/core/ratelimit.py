"""Fixed-window rate limits on the shared cache (Redis in production, local memory in dev).

Used for public endpoints and failed authentication; `hit` returns True when the caller
is over the limit for this window.
"""

from __future__ import annotations

import time

from django.core.cache import cache


def hit(bucket: str, *, limit: int, window: int) -> bool:
    window_start = int(time.time() // window)
    key = f"ratelimit:{bucket}:{window_start}"
    if cache.add(key, 1, timeout=window + 1):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=window + 1)
            count = 1
    return count > limit


def client_bucket(request, name: str) -> str:
    from .middleware import client_ip

    return f"{name}:{client_ip(request) or 'unknown'}"
