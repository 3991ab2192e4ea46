"""Verify the signatures in a PDF with pyHanko: integrity, signer certificate against the
configured trust roots, revocation (OCSP/CRL, or the data embedded by B-LT), timestamps, and
what changed after each signature. Any parse error becomes "unable to verify" — never a crash
and never "valid".
"""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import asdict, dataclass, field

logger = logging.getLogger("spbe.esign")


@dataclass
class SignatureReport:
    field: str
    signer: str = ""
    signer_serial: str = ""  # NIK for BSrE personal certificates
    issuer: str = ""
    signing_time: str | None = None
    timestamp_time: str | None = None
    level: str = "B-B"
    intact: bool = False
    valid: bool = False
    trusted: bool = False
    revoked: bool = False
    covers_whole_file: bool = False
    changes_after_signing: str = ""  # none | signatures_and_validation_data | form_filling | annotations | other
    ok: bool = False
    problem: str = ""


@dataclass
class VerificationReport:
    sha256: str
    signatures: list[SignatureReport] = field(default_factory=list)
    valid: bool = False
    error: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


CHANGES = {
    "NONE": "none",
    "LTA_UPDATES": "signatures_and_validation_data",
    "FORM_FILLING": "form_filling",
    "ANNOTATIONS": "annotations",
    "OTHER": "other",
}


def _name_attr(name, attr: str) -> str:
    try:
        return str(name.native.get(attr, "") or "")
    except (AttributeError, ValueError):
        return ""


def container_problem(sig, trust_roots: list) -> str:
    """The bytes of the signature container itself are outside the signed range, so check them
    too: exact DER with only zero padding after it, and every embedded certificate verifying
    against its issuer. Together with the signed byte ranges, no byte can change unnoticed."""
    from asn1crypto import cms
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

    raw = bytes(sig.sig_object["/Contents"])
    try:
        info = cms.ContentInfo.load(raw, strict=False)
        length = len(info.dump())
        parsed = cms.ContentInfo.load(raw[:length], strict=True)
        if parsed.dump(force=True) != raw[:length]:
            return "the signature container is not canonically encoded"
    except ValueError:
        return "the signature container cannot be parsed"
    if raw[length:].strip(b"\x00"):
        return "data was added inside the signature container"
    certs = [x509.load_der_x509_certificate(c.chosen.dump()) for c in parsed["content"]["certificates"] or []]
    anchors = certs + [x509.load_der_x509_certificate(r.dump()) for r in trust_roots]
    for cert in certs:
        issuers = [c for c in anchors if c.subject == cert.issuer]
        for issuer in issuers:
            key = issuer.public_key()
            try:
                if isinstance(key, rsa.RSAPublicKey):
                    key.verify(cert.signature, cert.tbs_certificate_bytes, padding.PKCS1v15(), cert.signature_hash_algorithm)
                elif isinstance(key, ec.EllipticCurvePublicKey):
                    key.verify(cert.signature, cert.tbs_certificate_bytes, ec.ECDSA(cert.signature_hash_algorithm))
                break
            except (InvalidSignature, ValueError, TypeError):
                continue
        else:
            # No issuer verifies it: altered, or a chain we cannot check (then it is untrusted anyway).
            return f"an embedded certificate does not verify ({cert.subject.rfc4514_string()[:80]})"
    return ""


def verify_pdf(data: bytes, trust_roots: list, *, allow_fetching: bool = True) -> VerificationReport:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    from .pades import outside_event_loop

    report = VerificationReport(sha256=hashlib.sha256(data).hexdigest())
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        embedded = list(reader.embedded_signatures)
    except Exception as exc:  # noqa: BLE001 - anything unreadable is "unable to verify"
        report.error = f"unreadable PDF: {exc.__class__.__name__}"
        return report
    if not embedded:
        report.error = "no signatures"
        return report
    has_dss = "/DSS" in reader.root
    for sig in embedded:
        item = SignatureReport(field=sig.field_name or "")
        try:
            context = ValidationContext(trust_roots=trust_roots, allow_fetching=allow_fetching, revocation_mode="soft-fail")
            status = outside_event_loop(validate_pdf_signature, sig, context)
            cert = status.signing_cert
            item.signer = _name_attr(cert.subject, "common_name")
            item.signer_serial = _name_attr(cert.subject, "serial_number")
            item.issuer = _name_attr(cert.issuer, "common_name")
            item.signing_time = status.signer_reported_dt.isoformat() if status.signer_reported_dt else None
            if status.timestamp_validity is not None:
                item.timestamp_time = status.timestamp_validity.timestamp.isoformat()
                item.level = "B-LT" if has_dss else "B-T"
            item.intact, item.valid, item.trusted = bool(status.intact), bool(status.valid), bool(status.trusted)
            item.revoked = bool(status.revoked)
            item.covers_whole_file = status.coverage.name == "ENTIRE_FILE"
            item.changes_after_signing = CHANGES.get(status.modification_level.name, "other") if status.modification_level else "none"
            container = container_problem(sig, trust_roots)
            item.ok = bool(status.bottom_line) and not item.revoked and not container
            if container:
                item.problem = container
            elif not item.intact:
                item.problem = "the document was changed after signing (hash mismatch)"
            elif not item.valid:
                item.problem = "the signature value does not verify"
            elif item.revoked:
                item.problem = "the signer's certificate is revoked"
            elif not item.trusted:
                item.problem = "the signer's certificate does not chain to a trusted root"
            elif not item.ok:
                item.problem = f"disallowed changes after signing ({item.changes_after_signing})"
        except Exception as exc:  # noqa: BLE001 - a malformed signature is "unable to verify"
            logger.info("signature %s could not be verified: %s", item.field, exc)
            item.problem = f"unable to verify: {exc.__class__.__name__}"
        report.signatures.append(item)
    report.valid = all(s.ok for s in report.signatures)
    return report
