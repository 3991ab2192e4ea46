"""The one way the server makes requests to other machines.

Every server-side request (the judol scanner, alert and chat webhooks, the Wazuh indexer, BSrE,
payment providers, the test PKI's TSA, the optional LLM) goes through a client from ``client()``
or ``async_client()``. Its transport resolves the host itself and refuses loopback, private,
link-local, shared, reserved, multicast and cloud-metadata addresses — on every hop, redirects
included — unless the exact host:port (or a network) is allow-listed for that purpose in
``settings.OUTBOUND_ALLOW``. The connection then goes to the address that was checked (the URL's
host is replaced by it, with the Host header and TLS server name kept), so a DNS answer that
changes between the check and the connect ("rebinding") cannot send the request elsewhere.

Bodies are read with a cap on the *decoded* size (``read_capped``), and gzip is inflated in
bounded steps (``inflate_capped``), so a small compressed answer cannot fill memory.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import os
import socket
import zlib
from urllib.parse import urlsplit

import httpx

# Metadata services of cloud providers, refused even where private addresses are allowed.
METADATA_NETWORKS = [ipaddress.ip_network(n) for n in (
    "169.254.169.254/32", "169.254.170.2/32", "100.100.100.200/32", "fd00:ec2::254/128",
)]


class OutboundRefused(httpx.TransportError):
    """The target is not a public address and not allow-listed for this purpose."""


def _configured_endpoints(purpose: str) -> list[str]:
    """Service URLs that settings name for ``purpose`` (read now, so test overrides count)."""
    from django.conf import settings

    if purpose == "levy":
        return [cfg.get("base_url", "") for cfg in getattr(settings, "LEVY_PROVIDERS", {}).values()]
    if purpose == "esign":
        return [getattr(settings, name, "") for name in ("ESIGN_PKI_URL", "ESIGN_TSA_URL", "ESIGN_BSRE_URL")]
    if purpose == "llm":
        return [getattr(settings, "ASSISTANT_LLM_BASE_URL", "")]
    return []


def _origin(url: str) -> str | None:
    if not url:
        return None
    parts = urlsplit(url)
    if not parts.hostname:
        return None
    return f"{parts.hostname.lower()}:{parts.port or (443 if parts.scheme == 'https' else 80)}"


def _allow_list(purpose: str) -> list[str]:
    from django.conf import settings

    table = getattr(settings, "OUTBOUND_ALLOW", {})
    implicit = [o for o in map(_origin, _configured_endpoints(purpose)) if o]
    return list(table.get(purpose, ())) + implicit


def _is_allowed(ip: ipaddress._BaseAddress, host: str, port: int, purpose: str) -> bool:
    for entry in _allow_list(purpose):
        entry = entry.strip().lower()
        if "/" in entry:
            try:
                if ip in ipaddress.ip_network(entry, strict=False):
                    return True
            except ValueError:
                continue
        elif entry in (f"{host}:{port}", f"{ip}:{port}", f"[{ip}]:{port}"):
            return True
    return False


def _is_public(ip: ipaddress._BaseAddress) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if any(ip in net for net in METADATA_NETWORKS if net.version == ip.version):
        return False
    return ip.is_global and not ip.is_multicast


def _default_port(url: httpx.URL) -> int:
    return url.port or (443 if url.scheme == "https" else 80)


def choose_address(host: str, port: int, infos: list, purpose: str) -> str:
    """The first resolved address this purpose may reach; every address must pass, so a name
    that resolves to both a public and a private address is refused."""
    addresses = []
    for info in infos:
        ip = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        allowed = _is_allowed(ip, host, port, purpose)
        if any(ip in net for net in METADATA_NETWORKS if net.version == ip.version) and not allowed:
            raise OutboundRefused(f"{host} resolves to a metadata address")
        if not allowed and not _is_public(ip):
            raise OutboundRefused(f"{host} ({ip}) is not a public address and not allowed for {purpose}")
        addresses.append(str(ip))
    if not addresses:
        raise OutboundRefused(f"{host} does not resolve")
    return addresses[0]


def _check_scheme(url: httpx.URL) -> None:
    if url.scheme not in ("http", "https"):
        raise OutboundRefused(f"scheme {url.scheme!r} is not allowed")


def _pin(request: httpx.Request, address: str) -> None:
    host = request.url.host
    if request.url.scheme == "https":
        request.extensions = {**request.extensions, "sni_hostname": host}
    request.url = request.url.copy_with(host=address)


def check_url(url: str, purpose: str) -> str:
    """Refuse (OutboundRefused) or return the address ``url`` would be fetched from."""
    parsed = httpx.URL(url)
    _check_scheme(parsed)
    port = _default_port(parsed)
    try:
        infos = socket.getaddrinfo(parsed.host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise OutboundRefused(f"{parsed.host} does not resolve: {exc}") from None
    return choose_address(parsed.host, port, infos, purpose)


class GuardedTransport(httpx.HTTPTransport):
    def __init__(self, purpose: str, **kwargs):
        super().__init__(**kwargs)
        self.purpose = purpose

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        try:
            address = check_url(str(request.url), self.purpose)
        except OutboundRefused as exc:
            raise OutboundRefused(str(exc), request=request) from None
        _pin(request, address)
        return super().handle_request(request)


class AsyncGuardedTransport(httpx.AsyncHTTPTransport):
    def __init__(self, purpose: str, **kwargs):
        super().__init__(**kwargs)
        self.purpose = purpose

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        try:
            _check_scheme(url)
            port = _default_port(url)
            try:
                infos = await asyncio.get_running_loop().getaddrinfo(url.host, port, type=socket.SOCK_STREAM)
            except socket.gaierror as exc:
                raise OutboundRefused(f"{url.host} does not resolve: {exc}") from None
            address = choose_address(url.host, port, infos, self.purpose)
        except OutboundRefused as exc:
            raise OutboundRefused(str(exc), request=request) from None
        _pin(request, address)
        return await super().handle_async_request(request)


@functools.cache
def _default_tls(cafile: str, capath: str):
    """One TLS context per trust store: loading the CA bundle costs ~25 ms, every client paid it."""
    import ssl

    import certifi

    if cafile or capath:
        return ssl.create_default_context(cafile=cafile or None, capath=capath or None)
    return ssl.create_default_context(cafile=certifi.where())


def _tls(verify):
    if verify is True:
        return _default_tls(os.environ.get("SSL_CERT_FILE", ""), os.environ.get("SSL_CERT_DIR", ""))
    return verify


def client(purpose: str, *, verify=True, **kwargs) -> httpx.Client:
    """An httpx client whose every request (and redirect) passes the guard for ``purpose``."""
    return httpx.Client(transport=GuardedTransport(purpose, verify=_tls(verify)), **kwargs)


def async_client(purpose: str, *, verify=True, limits: httpx.Limits | None = None, **kwargs) -> httpx.AsyncClient:
    transport = AsyncGuardedTransport(purpose, verify=_tls(verify), limits=limits or httpx.Limits())
    return httpx.AsyncClient(transport=transport, **kwargs)


def post(purpose: str, url: str, **kwargs) -> httpx.Response:
    """One guarded POST (webhooks); no redirects followed."""
    timeout = kwargs.pop("timeout", 10)
    with client(purpose, timeout=timeout) as http:
        return http.post(url, **kwargs)


# --- bounded decoding ----------------------------------------------------------------------

class TooLarge(ValueError):
    pass


def inflate_capped(data: bytes, limit: int) -> bytes:
    """gzip/zlib data inflated to at most ``limit`` bytes (TooLarge beyond)."""
    inflater = zlib.decompressobj(zlib.MAX_WBITS | 32)  # gzip or zlib header, detected
    out = inflater.decompress(data, limit + 1)
    if len(out) > limit or inflater.unconsumed_tail:
        raise TooLarge(f"inflates beyond {limit} bytes")
    return out


class _CappedInflater:
    def __init__(self, encoding: str):
        wbits = zlib.MAX_WBITS | 16 if encoding == "gzip" else -zlib.MAX_WBITS if encoding == "deflate-raw" else zlib.MAX_WBITS
        self._z = zlib.decompressobj(wbits)

    def feed(self, chunk: bytes, room: int) -> tuple[bytes, bool]:
        """Inflate ``chunk`` into at most ``room`` + 1 bytes; True when there was more."""
        out = self._z.decompress(chunk, room + 1)
        return out, len(out) > room or bool(self._z.unconsumed_tail)


ACCEPT_ENCODING = "gzip, deflate"


def _decoder(response: httpx.Response):
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if encoding in ("", "identity"):
        return None
    if encoding in ("gzip", "x-gzip"):
        return _CappedInflater("gzip")
    if encoding == "deflate":
        return _CappedInflater("deflate")
    raise TooLarge(f"unsupported content-encoding {encoding!r}")


def read_capped(response: httpx.Response, limit: int) -> tuple[bytes, bool]:
    """(decoded body up to ``limit`` bytes, True if it was cut). Reads the raw stream so the
    inflater never produces more than the cap, however small the compressed body."""
    decoder = _decoder(response)
    chunks, size, cut = [], 0, False
    for raw in response.iter_raw():
        data, more = decoder.feed(raw, limit - size) if decoder else (raw, False)
        if size + len(data) > limit or more:
            chunks.append(data[: limit - size])
            cut = True
            break
        chunks.append(data)
        size += len(data)
    return b"".join(chunks), cut


async def aread_capped(response: httpx.Response, limit: int) -> tuple[bytes, bool]:
    decoder = _decoder(response)
    chunks, size, cut = [], 0, False
    async for raw in response.aiter_raw():
        data, more = decoder.feed(raw, limit - size) if decoder else (raw, False)
        if size + len(data) > limit or more:
            chunks.append(data[: limit - size])
            cut = True
            break
        chunks.append(data)
        size += len(data)
    return b"".join(chunks), cut
