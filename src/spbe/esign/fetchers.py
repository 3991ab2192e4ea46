"""OCSP, CRL and certificate fetching for pyHanko through the platform's outbound guard.

pyHanko's own fetchers open aiohttp connections to whatever URL a certificate names, and the
public verification page validates certificates anyone can upload: that would let a crafted
certificate make the server call its own network. The fetchers here are pyHanko's aiohttp
fetchers with their HTTP session replaced by a small adapter over ``core.outbound`` (purpose
"esign"), so every hop is checked like any other server-side request.
"""

from __future__ import annotations

import aiohttp
import httpx
from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend

from spbe.core import outbound

MAX_BYTES = 10 * 1024 * 1024  # a CRL larger than this is not one we will parse


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


def backend(timeout: float = 10) -> AIOHttpFetcherBackend:
    return AIOHttpFetcherBackend(session=GuardedSession(), per_request_timeout=timeout)
