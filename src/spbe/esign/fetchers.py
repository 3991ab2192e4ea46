"""OCSP, CRL and certificate fetching for pyHanko through the platform's outbound guard.

pyHanko's own fetchers open aiohttp connections to whatever URL a certificate names, and the
public verification page validates certificates anyone can upload: that would let a crafted
certificate make the server call its own network. The fetchers here are pyHanko's aiohttp
fetchers with their HTTP session replaced by a small adapter over ``core.outbound`` (purpose
"esign"), so every hop is checked like any other server-side request.

Answers are kept for a short while (``ESIGN_REVOCATION_CACHE_SECONDS``, never beyond the
answer's own nextUpdate): one verification asks the same responder several times (signature,
timestamp, each validation pass), and an office signing a stack of letters asks about the same
certificates again and again. OCSP requests carry no nonce so that answers can be reused, as
RFC 5019 recommends for high-volume responders; freshness is judged on thisUpdate/nextUpdate.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import OrderedDict

import aiohttp
import httpx
from django.conf import settings
from pyhanko_certvalidator.fetchers.aiohttp_fetchers import (
    AIOHttpCertificateFetcher,
    AIOHttpCRLFetcher,
    AIOHttpFetcherBackend,
    AIOHttpOCSPFetcher,
)
from pyhanko_certvalidator.fetchers.api import Fetchers
from pyhanko_certvalidator.fetchers.common_utils import FetchBudget

from spbe.core import outbound

MAX_BYTES = 10 * 1024 * 1024  # a CRL larger than this is not one we will parse
CACHE_ENTRIES = 512


class _AnswerCache:
    """Revocation answers by (method, URL, request body), each until it stops being fresh."""

    def __init__(self):
        self._items: OrderedDict[tuple, tuple[float, int, dict, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            item = self._items.get(key)
            if item is None or item[0] < time.monotonic():
                self._items.pop(key, None)
                return None
            self._items.move_to_end(key)
            return item[1:]

    def put(self, key, seconds: float, status: int, headers, body: bytes) -> None:
        if seconds <= 0:
            return
        with self._lock:
            self._items[key] = (time.monotonic() + seconds, status, dict(headers), body)
            self._items.move_to_end(key)
            while len(self._items) > CACHE_ENTRIES:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


CACHE = _AnswerCache()


def clear_cache() -> None:
    CACHE.clear()


def _fresh_for(body: bytes) -> float:
    """Seconds until the answer's nextUpdate (OCSP or CRL), capped by the setting; 0 if unknown."""
    from asn1crypto import crl, ocsp

    limit = float(getattr(settings, "ESIGN_REVOCATION_CACHE_SECONDS", 300))
    if limit <= 0:
        return 0
    next_update = None
    try:
        response = ocsp.OCSPResponse.load(body)
        if response["response_status"].native == "successful":
            single = response.basic_ocsp_response["tbs_response_data"]["responses"]
            next_update = min(r["next_update"].native for r in single) if len(single) else None
    except (ValueError, TypeError, KeyError):
        try:
            next_update = crl.CertificateList.load(body)["tbs_cert_list"]["next_update"].native
        except (ValueError, TypeError, KeyError):
            return 0
    if next_update is None:
        return 0
    return max(0.0, min(limit, (next_update - _now()).total_seconds()))


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class _Response:
    def __init__(self, status: int, headers, body: bytes):
        self.status, self.headers, self._body = status, headers, body
        self.request_info, self.history = None, ()

    async def read(self) -> bytes:
        return self._body


class _Request:
    def __init__(self, method: str, url: str, headers: dict | None, data: bytes | None, timeout):
        self.method, self.url, self.headers, self.data = method, url, headers or {}, data
        self.timeout = getattr(timeout, "total", None) or 10

    async def __aenter__(self) -> _Response:
        key = (self.method, self.url, self.data or b"")
        cached = CACHE.get(key)
        if cached is not None:
            return _Response(cached[0], cached[1], cached[2])
        try:
            async with outbound.async_client("esign", timeout=self.timeout) as client, client.stream(
                    self.method, self.url, headers={k: v for k, v in self.headers.items() if v},
                    content=self.data) as response:
                body, cut = await outbound.aread_capped(response, MAX_BYTES)
        except (httpx.HTTPError, outbound.TooLarge) as exc:
            raise aiohttp.ClientConnectionError(f"{self.url}: {exc.__class__.__name__}") from None
        if cut:
            raise aiohttp.ClientPayloadError(f"{self.url}: answer larger than {MAX_BYTES} bytes")
        if response.status_code >= 400:
            raise aiohttp.ClientResponseError(None, (), status=response.status_code, message=f"{self.url}")
        CACHE.put(key, _fresh_for(body), response.status_code, response.headers, body)
        return _Response(response.status_code, response.headers, body)

    async def __aexit__(self, *exc):
        return False


class GuardedSession:
    """The two aiohttp ``ClientSession`` methods pyHanko's fetchers call."""

    def get(self, url, headers=None, timeout=None, raise_for_status=True, **kwargs):
        return _Request("GET", url, headers, None, timeout)

    def post(self, url, headers=None, data=None, timeout=None, raise_for_status=True, **kwargs):
        return _Request("POST", url, headers, data, timeout)

    def get_session(self):
        return self

    async def close(self):
        return None


class GuardedFetcherBackend(AIOHttpFetcherBackend):
    """pyHanko's aiohttp fetchers over the guarded session, OCSP without nonces (see above)."""

    def get_fetchers(self) -> Fetchers:
        budget = FetchBudget(self.limits)
        timeout = self.per_request_timeout
        return Fetchers(
            ocsp_fetcher=AIOHttpOCSPFetcher(self.session, per_request_timeout=timeout, budget=budget, request_nonces=False),
            crl_fetcher=AIOHttpCRLFetcher(self.session, per_request_timeout=timeout, budget=budget),
            cert_fetcher=AIOHttpCertificateFetcher(self.session, per_request_timeout=timeout, budget=budget),
        )


def backend(timeout: float = 10) -> AIOHttpFetcherBackend:
    return GuardedFetcherBackend(session=GuardedSession(), per_request_timeout=timeout)
