"""PAdES signing with pyHanko: baseline levels B-B, B-T (RFC 3161 timestamp), B-LT (validation
data for the signer's chain and the TSA in a DSS) and B-LTA (a document timestamp over it all),
one incremental revision per step.

* The first signature of a document we stamped *certifies* it (DocMDP: form filling and further
  signatures allowed) and every signature locks the form fields that exist when it is made
  (FieldMDP "all"), so a field changed after signing is a disallowed modification.
* ``ensure_level`` adds what a signature still lacks for the level asked (DSS, document
  timestamp) — the same code for our own signatures and for BSrE's, which come back as B-T.
* ``CachedKeySigner`` keeps the parsed private key: pyHanko's stock ``SimpleSigner`` re-parses
  (and re-validates) the RSA key for every raw signature and the size-estimation dry run, about
  50 ms each time. A fixed ``bytes_reserved`` skips the dry run.
"""

from __future__ import annotations

import binascii
import logging
import dataclasses
import io
import uuid
from dataclasses import dataclass

import httpx
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from pyhanko.pdf_utils import content, generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.layout import BoxConstraints
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.timestamps.api import TimeStamper
from pyhanko.sign.timestamps.common_utils import TimestampRequestError
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

logger = logging.getLogger("spbe.esign")
LEVELS = ("B-B", "B-T", "B-LT", "B-LTA")
LEVEL_RANK = {level: rank for rank, level in enumerate(LEVELS)}
# Room for the CMS blob: RSA-2048 signature + a 3-certificate chain + a timestamp token, with
# margin (validation data goes into the DSS, outside the signature).
BYTES_RESERVED = {"B-B": 12_288, "B-T": 20_480, "B-LT": 20_480, "B-LTA": 20_480}
DOC_TIMESTAMP_RESERVED = 16_384


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


def validation_context(trust_roots: list, *, fetching: bool = True, **kwargs) -> ValidationContext:
    """A context whose OCSP/CRL/certificate fetching goes through the outbound guard."""
    from .fetchers import backend

    return ValidationContext(trust_roots=trust_roots, allow_fetching=fetching,
                             fetcher_backend=backend() if fetching else None, **kwargs)


class CachedKeySigner(signers.Signer):
    """A local key held as a parsed ``cryptography`` object (PKCS#12 or PEM)."""

    def __init__(self, private_key, certificate, chain=()):
        self._key = private_key
        self._size = (private_key.key_size + 7) // 8 if isinstance(private_key, rsa.RSAPrivateKey) else 0
        leaf = to_asn1(certificate)
        others = [to_asn1(c) for c in chain]
        super().__init__(
            signing_cert=leaf,
            # Each certificate once: the leaf is embedded by pyHanko itself.
            cert_registry=SimpleCertificateStore.from_certs([c for c in others if c.dump() != leaf.dump()]),
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
    """RFC 3161 over HTTP through the outbound guard (the TSA is BSrE's in production)."""

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


class ImportedPdfBytes(content.PdfContent):
    """The first page of an in-memory PDF as a form XObject (a signature's appearance)."""

    def __init__(self, data: bytes):
        self.data = data
        super().__init__()

    def render(self) -> bytes:
        writer = self._ensure_writer
        xobject = writer.import_page_as_xobject(PdfFileReader(io.BytesIO(self.data)), page_ix=0)
        name = b"/Sig" + binascii.hexlify(uuid.uuid4().bytes)
        self.resources.xobject[name.decode("ascii")] = xobject
        x1, y1, x2, y2 = xobject.get_object()["/BBox"]
        self.box = BoxConstraints(width=abs(x1 - x2), height=abs(y1 - y2))
        return name + b" Do"


@dataclass(frozen=True)
class Appearance:
    page: int
    box: tuple[float, float, float, float]
    pdf: bytes  # from stamp.appearance_pdf


@dataclass(frozen=True)
class SignOptions:
    level: str = "B-B"
    field_name: str = ""
    reason: str = ""
    location: str = "Denpasar, Bali"
    signer_name: str = ""
    tsa_url: str = ""
    validation_context: ValidationContext | None = None  # needed for B-LT/B-LTA (revocation data)
    certify: bool = False  # first signature on a document we stamped
    lock_fields: bool = True  # lock the form fields the document has now (not signature fields)
    appearance: Appearance | None = None


def existing_field_names(pdf: bytes) -> set[str]:
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        return {name for name, _value, _ref in fields.enumerate_sig_fields(reader, filled_status=None)} | {
            str(f.get("/T", "")) for f in _all_fields(reader)}
    except Exception:  # noqa: BLE001 - a name clash is then caught by pyHanko itself
        return set()


def form_field_names(pdf: bytes) -> list[str]:
    """Fully qualified names of the document's terminal form fields that are not signatures."""
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    except Exception:  # noqa: BLE001
        return []
    names = []
    form = reader.root.get("/AcroForm")
    if form is None:
        return names
    stack = [(node, "") for node in form.get_object().get("/Fields", [])]
    while stack:
        ref, prefix = stack.pop()
        node = ref.get_object()
        name = f"{prefix}.{node['/T']}" if prefix and "/T" in node else str(node.get("/T", prefix))
        kids = [k for k in node.get("/Kids", []) if "/T" in k.get_object()]
        if kids:
            stack.extend((k, name) for k in kids)
        elif str(node.get("/FT", "")) != "/Sig" and name:
            names.append(name)
    return names


def _all_fields(reader) -> list:
    form = reader.root.get("/AcroForm")
    if form is None:
        return []
    out, stack = [], list(form.get_object().get("/Fields", []))
    while stack:
        node = stack.pop().get_object()
        out.append(node)
        stack.extend(node.get("/Kids", []))
    return out


def unique_field_name(pdf: bytes, wanted: str = "") -> str:
    """``wanted`` if free, otherwise ``Signature<n>`` with the first free n (never a clash with
    a field the document already has)."""
    taken = existing_field_names(pdf)
    if wanted and wanted not in taken:
        return wanted
    base = wanted or "Signature"
    n = 1
    while f"{base}{n}" in taken:
        n += 1
    return f"{base}{n}"


def _writer(pdf: bytes) -> IncrementalPdfFileWriter:
    """An incremental writer that keeps a PDF/A file's Info and XMP saying the same thing: pyHanko
    appends its name to the Info producer but writes only its own name into the XMP, and PDF/A
    requires both to match. With XMP present the Info producer is set to that same name."""
    from pyhanko.pdf_utils.metadata.model import VENDOR

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    try:
        if writer._info is not None and "/Metadata" in writer.root:
            info = writer._info.get_object()
            if str(info.get("/Producer", "")) != VENDOR:
                info[generic.NameObject("/Producer")] = generic.TextStringObject(VENDOR)
                writer.mark_update(writer._info)
    except Exception:  # noqa: BLE001 - odd Info dictionaries: leave them as they are
        logger.info("Info dictionary not aligned with XMP")
    return writer


def empty_signature_fields(pdf: bytes) -> set[str]:
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        return {name for name, value, _ref in fields.enumerate_sig_fields(reader, filled_status=False)}
    except Exception:  # noqa: BLE001
        return set()


def add_signature_fields(pdf: bytes, boxes: list[tuple[str, int, tuple]], *, lock: list[str] | None = None) -> bytes:
    """Empty signature fields, one per signer, made before the first signature: a certified
    document (DocMDP "form filling and signing") may be signed later only in fields that already
    exist, so every signer's box is prepared now. ``lock`` names the form fields the first
    signature locks (FieldMDP)."""
    writer = _writer(pdf)
    for number, (name, page, box) in enumerate(boxes):
        spec = fields.SigFieldSpec(sig_field_name=name, on_page=page, box=tuple(int(round(v)) for v in box),
                                   field_mdp_spec=fields.FieldMDPSpec(fields.FieldMDPAction.INCLUDE, fields=lock)
                                   if lock and number == 0 else None)
        fields.append_signature_field(writer, spec)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def is_certified(pdf: bytes) -> bool:
    """The document carries a certification signature (DocMDP). After it, a signature may go
    visibly only into a signature field that already exists; a new one must be invisible."""
    try:
        root = PdfFileReader(io.BytesIO(pdf), strict=False).root
        return "/Perms" in root and "/DocMDP" in root["/Perms"]
    except Exception:  # noqa: BLE001
        return False


def has_signatures(pdf: bytes) -> bool:
    try:
        return bool(PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures)
    except Exception:  # noqa: BLE001
        return False


def sign_pdf(pdf: bytes, signer: signers.Signer, options: SignOptions) -> bytes:
    """Append one signature as an incremental update (earlier signatures stay intact), then add
    what its level needs (``ensure_level``)."""
    if options.level not in LEVELS:
        raise SigningFailed(f"unknown PAdES level {options.level!r}; use one of {', '.join(LEVELS)}")
    timestamped = LEVEL_RANK[options.level] >= LEVEL_RANK["B-T"]
    if timestamped and not options.tsa_url:
        raise SigningFailed(f"{options.level} needs a timestamp authority (ESIGN_TSA_URL)")
    if LEVEL_RANK[options.level] >= LEVEL_RANK["B-LT"] and options.validation_context is None:
        raise SigningFailed(f"{options.level} needs a validation context to fetch revocation data")
    prepared = options.field_name in empty_signature_fields(pdf) if options.field_name else False
    field_name = options.field_name if prepared else unique_field_name(pdf, options.field_name)
    writer = _writer(pdf)
    certify = options.certify and not has_signatures(pdf)
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=options.reason or None,
        location=options.location or None,
        name=options.signer_name or None,
        certify=certify,
        docmdp_permissions=fields.MDPPerm.FILL_FORMS,
        signer_key_usage={"non_repudiation"},
    )
    spec_kwargs = {"sig_field_name": field_name}
    locked = form_field_names(pdf) if options.lock_fields and not prepared else []
    if locked:
        # Locking "all" fields would also lock the signature fields of later signers (and their
        # validation data): lock exactly the form fields that exist now.
        spec_kwargs["field_mdp_spec"] = fields.FieldMDPSpec(fields.FieldMDPAction.INCLUDE, fields=locked)
    stamp_style = None
    if options.appearance is not None and not prepared and is_certified(pdf):
        options = dataclasses.replace(options, appearance=None)  # see is_certified
    if options.appearance is not None:
        from pyhanko.stamp import StaticStampStyle

        if not prepared:
            spec_kwargs.update(on_page=options.appearance.page, box=tuple(int(round(v)) for v in options.appearance.box))
        stamp_style = StaticStampStyle(background=ImportedPdfBytes(options.appearance.pdf), border_width=0,
                                       background_opacity=1.0)
    timestamper = HttpTimeStamper(options.tsa_url) if timestamped else None
    pdf_signer = signers.PdfSigner(meta, signer=signer, timestamper=timestamper, stamp_style=stamp_style,
                                   new_field_spec=None if prepared else fields.SigFieldSpec(**spec_kwargs))
    output = io.BytesIO()
    try:
        outside_event_loop(pdf_signer.sign_pdf, writer, output=output, bytes_reserved=BYTES_RESERVED[options.level])
    except TimestampRequestError as exc:
        raise SigningFailed(f"timestamp failed: {exc}") from exc
    except Exception as exc:  # pyHanko raises several types (SigningError, PdfError, ValueError)
        raise SigningFailed(f"{exc.__class__.__name__}: {exc}") from exc
    return ensure_level(output.getvalue(), options.level, options.validation_context, options.tsa_url)


def ensure_level(pdf: bytes, level: str, context: ValidationContext | None, tsa_url: str = "") -> bytes:
    """Bring the *last* signature up to ``level``: validation data for its chain and its
    timestamp's chain in the DSS (B-LT), then a document timestamp (B-LTA)."""
    if LEVEL_RANK[level] < LEVEL_RANK["B-LT"]:
        return pdf
    if context is None:
        raise SigningFailed(f"{level} needs a validation context to fetch revocation data")
    from pyhanko.sign.validation import add_validation_info

    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    signatures = reader.embedded_signatures
    if not signatures:
        raise SigningFailed("no signature to add validation data to")
    output = io.BytesIO()
    try:
        outside_event_loop(add_validation_info, signatures[-1], context, output=output)
    except Exception as exc:  # noqa: BLE001 - revocation sources unreachable, revoked signer, …
        raise SigningFailed(f"validation data could not be added: {exc.__class__.__name__}: {exc}") from exc
    pdf = output.getvalue()
    if level == "B-LTA":
        pdf = add_document_timestamp(pdf, tsa_url, context)
    return pdf


def add_document_timestamp(pdf: bytes, tsa_url: str, context: ValidationContext) -> bytes:
    """A document timestamp (ETSI.RFC3161) over the file as it is, with its own validation data."""
    if not tsa_url:
        raise SigningFailed("B-LTA needs a timestamp authority (ESIGN_TSA_URL)")
    writer = _writer(pdf)
    output = io.BytesIO()
    try:
        outside_event_loop(signers.PdfTimeStamper(HttpTimeStamper(tsa_url)).timestamp_pdf, writer, "sha256",
                           validation_context=context, bytes_reserved=DOC_TIMESTAMP_RESERVED, output=output)
    except Exception as exc:  # noqa: BLE001
        raise SigningFailed(f"document timestamp failed: {exc.__class__.__name__}: {exc}") from exc
    return output.getvalue()


def renew_archive_timestamp(pdf: bytes, tsa_url: str, context: ValidationContext) -> bytes:
    """Validation data for the newest document timestamp, then a fresh one over everything
    (the archive stays verifiable after the previous TSA certificate expires)."""
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    output = io.BytesIO()
    try:
        outside_event_loop(signers.PdfTimeStamper(HttpTimeStamper(tsa_url)).update_archival_timestamp_chain, reader,
                           context, in_place=False, output=output)
    except Exception as exc:  # noqa: BLE001
        raise SigningFailed(f"archive timestamp renewal failed: {exc.__class__.__name__}: {exc}") from exc
    return output.getvalue()
