"""PAdES signing with pyHanko: baseline levels B-B, B-T (RFC 3161 timestamp) and B-LT
(validation data in a DSS), one incremental revision per signature.

``CachedKeySigner`` keeps the parsed private key: pyHanko's stock ``SimpleSigner`` re-parses
(and re-validates) the RSA key for every raw signature and the size-estimation dry run, which
costs about 50 ms each time. A fixed ``bytes_reserved`` skips the dry run altogether.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import httpx
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.timestamps.api import TimeStamper
from pyhanko.sign.timestamps.common_utils import TimestampRequestError
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

LEVELS = ("B-B", "B-T", "B-LT")
# Room for the CMS blob: RSA-2048 signature + a 3-certificate chain + a timestamp token, with
# margin; B-LT keeps revocation data in the DSS, outside the signature.
BYTES_RESERVED = {"B-B": 12_288, "B-T": 20_480, "B-LT": 20_480}


class SigningFailed(Exception):
    pass


def outside_event_loop(fn, *args, **kwargs):
    """pyHanko's synchronous API calls asyncio.run(); when this thread already runs an event
    loop (an ASGI server, a browser-test harness) run the call on a short-lived thread."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return fn(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(fn, *args, **kwargs).result()


def to_asn1(cert) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


class CachedKeySigner(signers.Signer):
    """A local key held as a parsed ``cryptography`` object (PKCS#12 or PEM)."""

    def __init__(self, private_key, certificate, chain=()):
        self._key = private_key
        self._size = (private_key.key_size + 7) // 8 if isinstance(private_key, rsa.RSAPrivateKey) else 0
        super().__init__(
            signing_cert=to_asn1(certificate),
            cert_registry=SimpleCertificateStore.from_certs([to_asn1(c) for c in chain]),
            embed_roots=True,
        )

    @classmethod
    def from_pkcs12(cls, data: bytes, password: bytes | None) -> CachedKeySigner:
        from cryptography.hazmat.primitives.serialization import pkcs12

        key, cert, chain = pkcs12.load_key_and_certificates(data, password)
        if key is None or cert is None:
            raise SigningFailed("the PKCS#12 file holds no key and certificate")
        return cls(key, cert, chain or [])

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run=False) -> bytes:
        if dry_run and self._size:
            return bytes(self._size)
        algorithm = getattr(hashes, digest_algorithm.upper().replace("-", "_"))()
        if isinstance(self._key, rsa.RSAPrivateKey):
            return self._key.sign(data, PKCS1v15(), algorithm)
        if isinstance(self._key, ec.EllipticCurvePrivateKey):
            return self._key.sign(data, ec.ECDSA(algorithm))
        raise SigningFailed(f"unsupported key type {type(self._key).__name__}")


class HttpTimeStamper(TimeStamper):
    """RFC 3161 over HTTP with httpx (the TSA is BSrE's in production, the test PKI's here)."""

    def __init__(self, url: str, timeout: float = 15.0):
        super().__init__()
        self.url = url
        self.timeout = timeout

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        from spbe.core import outbound

        async with outbound.async_client("esign", timeout=self.timeout) as client:
            try:
                response = await client.post(self.url, content=req.dump(), headers={"Content-Type": "application/timestamp-query"})
            except httpx.HTTPError as exc:
                raise TimestampRequestError(f"TSA unreachable: {exc.__class__.__name__}") from exc
        if response.status_code != 200 or response.headers.get("Content-Type") != "application/timestamp-reply":
            raise TimestampRequestError(f"TSA answered {response.status_code}")
        return tsp.TimeStampResp.load(response.content)


@dataclass(frozen=True)
class SignOptions:
    level: str = "B-B"
    field_name: str = "Signature1"
    reason: str = ""
    location: str = "Denpasar, Bali"
    signer_name: str = ""
    tsa_url: str = ""
    validation_context: ValidationContext | None = None  # needed for B-LT (revocation data)


def sign_pdf(pdf: bytes, signer: signers.Signer, options: SignOptions) -> bytes:
    """Append one signature as an incremental update; earlier signatures stay intact."""
    if options.level not in LEVELS:
        raise SigningFailed(f"unknown PAdES level {options.level!r}; use one of {', '.join(LEVELS)}")
    if options.level in ("B-T", "B-LT") and not options.tsa_url:
        raise SigningFailed(f"{options.level} needs a timestamp authority (ESIGN_TSA_URL)")
    if options.level == "B-LT" and options.validation_context is None:
        raise SigningFailed("B-LT needs a validation context to fetch revocation data")
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    meta = signers.PdfSignatureMetadata(
        field_name=options.field_name,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=options.reason or None,
        location=options.location or None,
        name=options.signer_name or None,
        embed_validation_info=options.level == "B-LT",
        validation_context=options.validation_context if options.level == "B-LT" else None,
        signer_key_usage={"non_repudiation"},
    )
    timestamper = HttpTimeStamper(options.tsa_url) if options.level in ("B-T", "B-LT") else None
    output = io.BytesIO()
    try:
        outside_event_loop(
            signers.sign_pdf, writer, meta, signer=signer, timestamper=timestamper, output=output,
            bytes_reserved=None if options.level == "B-LT" else BYTES_RESERVED[options.level],
            new_field_spec=fields.SigFieldSpec(sig_field_name=options.field_name),
        )
    except TimestampRequestError as exc:
        raise SigningFailed(f"timestamp failed: {exc}") from exc
    except Exception as exc:  # pyHanko raises several types (SigningError, PdfError, ValueError)
        raise SigningFailed(f"{exc.__class__.__name__}: {exc}") from exc
    return output.getvalue()
