"""Rate limits hold across processes (two gunicorn workers share the cache: the database cache
embedded, Redis when the CI provides one), read the client address behind the configured number
of proxies only, and every 429 says when to come back."""

from __future__ import annotations

import os

import httpx
import pytest

from tests.support.servers import gunicorn

LIMIT = 30  # levy endpoint check: 30 a minute per client address


def _fresh_window(needed: float = 30) -> None:
    """Counts are per minute (fixed windows): a run that crossed a minute boundary would see two
    limits. Wait for the next minute when this one has less than ``needed`` seconds left."""
    import time

    left = 60 - time.time() % 60
    if left < needed:
        time.sleep(left + 0.05)


def _caches():
    yield "db"
    if os.environ.get("SPBE_TEST_REDIS_URL"):
        yield os.environ["SPBE_TEST_REDIS_URL"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("cache_url", list(_caches()))
def test_two_workers_share_one_limit_and_forged_forwarded_for_changes_nothing(cache_url):
    if cache_url.startswith("redis"):
        import redis

        redis.Redis.from_url(cache_url).flushdb()
    with gunicorn(workers=2, CACHE_URL=cache_url, SPBE_TRUSTED_PROXIES="0") as url:
        _fresh_window()
        with httpx.Client(base_url=url, timeout=30) as client:
            answers = [client.get("/api/v1/levy/endpoints/check", params={"q": "hotel"},
                                  headers={"X-Forwarded-For": f"198.51.100.{i}"}) for i in range(80)]
    codes = [a.status_code for a in answers]
    assert codes.count(200) == LIMIT, codes
    limited = [a for a in answers if a.status_code == 429]
    assert len(limited) == 80 - LIMIT
    assert all(1 <= int(a.headers["Retry-After"]) <= 60 for a in limited)
    assert {a.json()["error"]["code"] for a in limited} == {"rate_limited"}


@pytest.mark.django_db(transaction=True)
def test_behind_one_proxy_the_limit_is_per_real_client():
    with gunicorn(workers=2, CACHE_URL="db", SPBE_TRUSTED_PROXIES="1") as url:
        _fresh_window()
        with httpx.Client(base_url=url, timeout=30) as client:
            # What the proxy appends (the last hop) decides; what the client wrote before it does not.
            first = [client.get("/api/v1/levy/endpoints/check", params={"q": "x"},
                                headers={"X-Forwarded-For": f"10.0.0.{i}, 203.0.113.5"}).status_code for i in range(40)]
            other = client.get("/api/v1/levy/endpoints/check", params={"q": "x"},
                               headers={"X-Forwarded-For": "203.0.113.6"}).status_code
    assert first.count(200) == LIMIT and first.count(429) == 40 - LIMIT
    assert other == 200
