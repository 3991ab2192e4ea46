"""Verify the signatures in a PDF: three-state verdicts after ETSI EN 319 102-1, the PAdES level
each signature really reaches, and what changed after it.

* **TOTAL_PASSED** — intact, the signature value verifies, the chain reaches a trust root, the
  signer was not revoked (from the document's own validation data, or fetched), the container
  holds nothing unsigned, and nothing changed afterwards beyond what the signature allows.
* **INDETERMINATE** — something needed to decide could not be established: revocation status
  unknown (offline without embedded data, responder unreachable: ``TRY_LATER``), no chain to a
  trusted root, revoked without proof the signature came first, …
* **TOTAL_FAILED** — the document or the signature was altered (``HASH_FAILURE``,
  ``SIG_CRYPTO_FAILURE``, ``FORMAT_FAILURE`` for disallowed changes or an altered container).

Only TOTAL_PASSED is "valid", anywhere. Revocation is checked in hard-fail mode: the
document's DSS is tried first (no network), then — if allowed — the responders, through the
outbound guard. Any parse error becomes "unable to verify", never a crash and never "valid".
"""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import asdict, dataclass, field

from django.utils.translation import gettext_lazy as _

logger = logging.getLogger("spbe.esign")

PASSED, INDETERMINATE, FAILED = "TOTAL_PASSED", "INDETERMINATE", "TOTAL_FAILED"

# What a reader is told, per problem (English in JSON; pages translate by code).
PROBLEMS = {
    "hash_failure": _("The document was changed after signing (its hash no longer matches)."),
    "signature_invalid": _("The signature value does not verify."),
    "container_altered": _("Data was added or changed inside the signature container."),
    "container_unreadable": _("The signature container cannot be read."),
    "certificate_altered": _("A certificate embedded in the signature does not verify."),
    "certificate_unverifiable": _("A certificate embedded in the signature cannot be checked against any issuer."),
    "revoked": _("The signer's certificate is revoked."),
    "revocation_unknown": _("The revocation status of the signer's certificate could not be checked "
                            "(no embedded validation data, and the responder was not reachable)."),
    "untrusted": _("The signer's certificate does not chain to a trusted root."),
    "chain_problem": _("The signer's certificate chain is not valid."),
    "expired": _("The signer's certificate was not valid at the time of signing."),
    "timestamp_invalid": _("The signature timestamp does not verify."),
    "modified": _("The document was modified after signing in a way the signature does not allow: %(what)s."),
    "unreadable": _("The signature could not be verified: %(what)s."),
}
MODIFICATION_NAMES = {
    "form_filling": _("form fields changed"), "annotations": _("annotations added or changed"),
    "pages": _("pages added or removed"), "other": _("other content changed"),
}


@dataclass
class SignatureReport:
    field: str
    signer: str = ""
    signer_serial: str = ""  # NIK for BSrE personal certificates
    issuer: str = ""
    signing_time: str | None = None
    timestamp_time: str | None = None
    level: str = "B-B"  # the level this signature really reaches
    intact: bool = False
    valid: bool = False
    trusted: bool = False
    revoked: bool = False
    covers_whole_file: bool = False
    changes_after_signing: str = ""  # none | signatures_and_validation_data | form_filling | annotations | other
    ok: bool = False
    problem: str = ""
    indication: str = INDETERMINATE
    sub_indication: str = ""
    modifications: list[str] = field(default_factory=list)  # form_filling, annotations, pages, other
    problem_code: str = ""
    certified: bool = False  # a certification (DocMDP) signature
    revision: int = 0


@dataclass
class TimestampReport:
    field: str
    time: str | None = None
    tsa: str = ""
    indication: str = INDETERMINATE
    sub_indication: str = ""
    ok: bool = False
    problem: str = ""
    revision: int = 0


@dataclass
class VerificationReport:
    sha256: str
    signatures: list[SignatureReport] = field(default_factory=list)
    valid: bool = False
    error: str = ""
    document_timestamps: list[TimestampReport] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


CHANGES = {
    "NONE": "none",
    "LTA_UPDATES": "signatures_and_validation_data",
    "FORM_FILLING": "form_filling",
    "ANNOTATIONS": "annotations",
    "OTHER": "other",
}


def problem_text(code: str, **params) -> str:
    from django.utils import translation

    with translation.override("en"):
        return str(PROBLEMS[code]) % params if params else str(PROBLEMS[code])


def _name_attr(name, attr: str) -> str:
    try:
        return str(name.native.get(attr, "") or "")
    except (AttributeError, ValueError):
        return ""


def _encoded_length(raw: bytes) -> int:
    """Bytes taken by the outer DER/BER object (indefinite lengths included)."""
    from asn1crypto import parser

    _class, _method, _tag, header, contents, trailer = parser.parse(raw, strict=False)
    return len(header) + len(contents) + len(trailer)


def _decode_all(value) -> None:
    """Decode every nested element, as ``.native`` would, without building Python values from
    them (a tenth of the time). asn1crypto decodes lazily; an altered tag deep in an unsigned
    part would otherwise never be looked at."""
    from asn1crypto import core

    if isinstance(value, core.Choice):
        _decode_all(value.chosen)
    elif isinstance(value, core.Any):
        _decode_all(value.parsed)
    elif isinstance(value, core.Sequence | core.Set):
        value._parse_children(recurse=False)
        for index in range(len(value.children or ())):
            _decode_all(value[index])
    elif isinstance(value, core.SequenceOf | core.SetOf):
        for child in value:
            _decode_all(child)


def container_problem(sig, trust_roots: list) -> str:
    """The bytes of the signature container are outside the signed range, so check them too:
    nothing after the encoded object but zero padding, and every embedded certificate verifying
    against its issuer. BER (indefinite lengths, as PDFBox/BouncyCastle write) is accepted: the
    signed attributes are verified cryptographically, so re-encoding is not required."""
    from asn1crypto import cms
    from cryptography import x509

    raw = bytes(sig.sig_object["/Contents"])
    try:
        length = _encoded_length(raw)
        parsed = cms.ContentInfo.load(raw[:length], strict=False)
        _decode_all(parsed)  # every nested element now, so a broken inner structure is found here
    except (ValueError, TypeError):
        return "container_unreadable"
    if raw[length:].strip(b"\x00"):
        return "container_altered"
    roots = [x509.load_der_x509_certificate(r.dump()) for r in trust_roots]
    try:
        tokens = _timestamp_tokens(parsed)
        sets = [_certificates(parsed["content"])] + [_certificates(token["content"]) for token in tokens]
        # The list of digest algorithms is unsigned: it must name exactly those the signers use.
        for signed_data in [parsed["content"]] + [token["content"] for token in tokens]:
            listed = {d["algorithm"].dotted for d in signed_data["digest_algorithms"]}
            used = {si["digest_algorithm"]["algorithm"].dotted for si in signed_data["signer_infos"]}
            if listed != used:
                return "container_altered"
    except (ValueError, TypeError, KeyError):  # parsed lazily: a broken inner structure shows here
        return "container_unreadable"
    for certs in sets:
        for cert in certs:
            # Who may have issued it: a certificate named as its issuer — and, when it carries the
            # name of a trusted root, that root itself (an altered or look-alike copy fails here).
            candidates = [c for c in certs + roots if c.subject == cert.issuer] + [r for r in roots if r.subject == cert.subject]
            if candidates and not any(_signed_by(cert, issuer) for issuer in candidates):
                return "certificate_altered"
            if not candidates:
                # Nobody here could have issued it: a chain cut short, or a copy whose names were
                # changed. Either way it cannot be checked, so the signature is not valid.
                return "certificate_unverifiable"
    return ""


def _certificates(signed_data) -> list:
    from cryptography import x509

    return [x509.load_der_x509_certificate(c.chosen.dump()) for c in signed_data["certificates"] or []]


def _timestamp_tokens(content_info) -> list:
    """The RFC 3161 tokens in the signer infos' unsigned attributes (signature timestamps)."""
    tokens = []
    for signer_info in content_info["content"]["signer_infos"]:
        for attribute in signer_info["unsigned_attrs"] or []:
            if attribute["type"].native == "signature_time_stamp_token":
                tokens.extend(attribute["values"])
    return tokens


def _signed_by(cert, issuer) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

    key = issuer.public_key()
    try:
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(cert.signature, cert.tbs_certificate_bytes, padding.PKCS1v15(), cert.signature_hash_algorithm)
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(cert.signature, cert.tbs_certificate_bytes, ec.ECDSA(cert.signature_hash_algorithm))
        else:
            return False
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def _contexts(reader, trust_roots, allow_fetching):
    """(offline context from the DSS or None, online context or None)."""
    from pyhanko.sign.validation.dss import DocumentSecurityStore

    from .pades import validation_context

    offline = None
    extra = {}
    if "/DSS" in reader.root:
        try:
            dss = DocumentSecurityStore.read_dss(reader)
            offline = dss.as_validation_context({"trust_roots": trust_roots, "allow_fetching": False,
                                                 "revocation_mode": "hard-fail"})
            extra = {"other_certs": list(dss.load_certs())}
        except (ValueError, KeyError, TypeError) as exc:
            logger.info("DSS not usable offline: %s", exc)
            offline = None
    online = validation_context(trust_roots, fetching=True, revocation_mode="hard-fail", **extra) if allow_fetching else None
    return offline, online


def _soft_context(trust_roots):
    from .pades import validation_context

    return validation_context(trust_roots, fetching=False, revocation_mode="soft-fail")


def _validate(sig, context):
    from pyhanko.sign.validation import validate_pdf_signature

    from .diffpolicy import diff_policy
    from .pades import outside_event_loop

    return outside_event_loop(validate_pdf_signature, sig, context, ts_validation_context=context,
                              diff_policy=diff_policy())


def _get(node, key, default):
    """A dictionary entry, dereferenced (pyHanko's ``get`` returns indirect references)."""
    return node[key] if key in node else default


def _field_values(root) -> dict:
    values = {}
    stack = [(f, "") for f in _get(_get(root, "/AcroForm", {}), "/Fields", [])]
    while stack:
        ref, prefix = stack.pop()
        node = ref.get_object()
        name = f"{prefix}.{node['/T']}" if prefix and "/T" in node else str(_get(node, "/T", prefix))
        stack.extend((k, name) for k in _get(node, "/Kids", []))
        if str(_get(node, "/FT", "")) not in ("", "/Sig") and "/V" in node:
            values[name] = repr(node["/V"])
    return values


def _annotation_count(root) -> int:
    count, stack = 0, [root["/Pages"]]
    while stack:
        node = stack.pop().get_object()
        if "/Kids" in node:
            stack.extend(node["/Kids"])
        else:
            count += sum(1 for a in _get(node, "/Annots", []) if str(_get(a.get_object(), "/Subtype", "")) != "/Widget")
    return count


def _modifications(status, sig, reader) -> list[str]:
    """What changed in the content after this signature (validation data and later signatures
    are not modifications)."""
    level = status.modification_level.name if status.modification_level else "NONE"
    if level in ("NONE", "LTA_UPDATES"):
        return []
    found = []
    try:
        then, now = reader.get_historical_resolver(sig.signed_revision).root, reader.root
        if _field_values(then) != {k: v for k, v in _field_values(now).items() if k in _field_values(then)}:
            found.append("form_filling")
        if _annotation_count(then) != _annotation_count(now):
            found.append("annotations")
        if int(then["/Pages"]["/Count"]) != int(now["/Pages"]["/Count"]):
            found.append("pages")
    except Exception:  # noqa: BLE001 - the comparison is a description; the verdict stands
        pass
    if not found:
        # FORM_FILLING with no changed value is a later signature being added: not a modification.
        found = {"ANNOTATIONS": ["annotations"], "OTHER": ["other"]}.get(level, [])
    return found


def _timestamp_ok(status) -> bool:
    ts = status.timestamp_validity
    return ts is None or (ts.intact and ts.valid and ts.trusted)


def _judge(status, container: str, modifications: list[str]) -> tuple[str, str, str, dict]:
    """(indication, sub-indication, problem code, message parameters)."""
    from pyhanko.sign.ades.report import AdESFailure

    if container in ("container_altered", "container_unreadable", "certificate_altered"):
        return FAILED, "FORMAT_FAILURE", container, {}
    if container == "certificate_unverifiable":
        return INDETERMINATE, "NO_CERTIFICATE_CHAIN_FOUND", container, {}
    if not status.intact:
        return FAILED, "HASH_FAILURE", "hash_failure", {}
    if not status.valid:
        return FAILED, "SIG_CRYPTO_FAILURE", "signature_invalid", {}
    if not status.docmdp_ok or (status.bottom_line is False and status.trusted and not status.revoked
                                and _timestamp_ok(status) and modifications):
        names = ", ".join(str(MODIFICATION_NAMES.get(m, m)) for m in modifications) or "?"
        return FAILED, "FORMAT_FAILURE", "modified", {"what": names}
    indic = status.trust_problem_indic
    if status.revoked:
        return (FAILED if isinstance(indic, AdESFailure) else INDETERMINATE), (indic.name if indic else "REVOKED_NO_POE"), "revoked", {}
    if indic is not None or not status.trusted:
        name = indic.name if indic is not None else "NO_CERTIFICATE_CHAIN_FOUND"
        code = {"NO_CERTIFICATE_CHAIN_FOUND": "untrusted", "EXPIRED": "expired", "NOT_YET_VALID": "expired",
                "OUT_OF_BOUNDS_NO_POE": "expired"}.get(name, "chain_problem")
        return (FAILED if isinstance(indic, AdESFailure) else INDETERMINATE), name, code, {}
    if not _timestamp_ok(status):
        return INDETERMINATE, "TIMESTAMP_ORDER_FAILURE", "timestamp_invalid", {}
    if not status.bottom_line:
        return FAILED, "FORMAT_FAILURE", "modified", {"what": "?"}
    return PASSED, "", "", {}


def _passes(status) -> bool:
    return bool(status.bottom_line) and status.trusted and not status.revoked and _timestamp_ok(status)


def _describe(item: SignatureReport, status) -> None:
    cert = status.signing_cert
    item.signer = _name_attr(cert.subject, "common_name")
    item.signer_serial = _name_attr(cert.subject, "serial_number")
    item.issuer = _name_attr(cert.issuer, "common_name")
    item.signing_time = status.signer_reported_dt.isoformat() if status.signer_reported_dt else None
    if status.timestamp_validity is not None:
        item.timestamp_time = status.timestamp_validity.timestamp.isoformat()
    item.intact, item.valid = bool(status.intact), bool(status.valid)
    item.trusted, item.revoked = bool(status.trusted), bool(status.revoked)
    item.covers_whole_file = status.coverage.name == "ENTIRE_FILE"
    item.changes_after_signing = CHANGES.get(status.modification_level.name, "other") if status.modification_level else "none"


def _verify_signature(sig, reader, trust_roots, offline, online, allow_fetching) -> tuple[SignatureReport, bool]:
    """The report, and whether the document's own validation data suffice (B-LT material)."""
    item = SignatureReport(field=sig.field_name or "", revision=sig.signed_revision)
    item.certified = sig.sig_object.get("/Reference") is not None and any(
        str(ref.get_object().get("/TransformMethod", "")) == "/DocMDP" for ref in sig.sig_object.get("/Reference", []))
    container = container_problem(sig, trust_roots)
    status = None
    self_contained = False
    if offline is not None:
        status = _validate(sig, offline)
        self_contained = _passes(status)
    if not self_contained and online is not None:
        status = _validate(sig, online)
    if status is None or (not _passes(status) and status.intact and status.valid and not status.revoked):
        # Would it pass if revocation did not matter? Then revocation is what is unknown.
        soft = _validate(sig, _soft_context(trust_roots))
        if status is None:
            status = soft
        if _passes(soft) and not status.revoked:
            _describe(item, soft)
            item.modifications = _modifications(soft, sig, reader)
            item.indication, item.sub_indication, item.problem_code = INDETERMINATE, "TRY_LATER", "revocation_unknown"
            item.problem = problem_text("revocation_unknown")
            item.level = "B-T" if soft.timestamp_validity is not None else "B-B"
            return item, False
    _describe(item, status)
    item.modifications = _modifications(status, sig, reader)
    item.indication, item.sub_indication, item.problem_code, params = _judge(status, container, item.modifications)
    if item.problem_code:
        item.problem = problem_text(item.problem_code, **params)
    item.ok = item.indication == PASSED
    has_ts = status.timestamp_validity is not None and _timestamp_ok(status)
    item.level = "B-LT" if has_ts and self_contained else "B-T" if has_ts else "B-B"
    return item, self_contained


def _verify_timestamp(sig, offline, online) -> TimestampReport:
    from pyhanko.sign.validation import validate_pdf_timestamp

    from .pades import outside_event_loop

    item = TimestampReport(field=sig.field_name or "", revision=sig.signed_revision)
    status = None
    for context in (offline, online):
        if context is None:
            continue
        status = outside_event_loop(validate_pdf_timestamp, sig, context)
        if status.intact and status.valid and status.trusted:
            break
    if status is None:
        item.sub_indication, item.problem = "TRY_LATER", problem_text("revocation_unknown")
        return item
    item.time = status.timestamp.isoformat() if status.timestamp else None
    item.tsa = _name_attr(status.signing_cert.subject, "common_name") if status.signing_cert else ""
    if not status.intact:
        item.indication, item.sub_indication, item.problem = FAILED, "HASH_FAILURE", problem_text("hash_failure")
    elif not status.valid:
        item.indication, item.sub_indication, item.problem = FAILED, "SIG_CRYPTO_FAILURE", problem_text("signature_invalid")
    elif not status.trusted:
        indic = status.trust_problem_indic
        item.sub_indication = indic.name if indic else "NO_CERTIFICATE_CHAIN_FOUND"
        item.problem = problem_text("timestamp_invalid")
    else:
        item.indication, item.ok = PASSED, True
    return item


def verify_pdf(data: bytes, trust_roots: list, *, allow_fetching: bool = True) -> VerificationReport:
    from pyhanko.pdf_utils.reader import PdfFileReader

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
    try:
        offline, online = _contexts(reader, trust_roots, allow_fetching)
    except Exception as exc:  # noqa: BLE001
        report.error = f"unreadable validation data: {exc.__class__.__name__}"
        return report
    self_contained: dict[int, bool] = {}
    for sig in embedded:
        try:
            if sig.sig_object_type == "/DocTimeStamp":
                report.document_timestamps.append(_verify_timestamp(sig, offline, online))
                continue
            item, complete = _verify_signature(sig, reader, trust_roots, offline, online, allow_fetching)
            self_contained[id(item)] = complete
        except Exception as exc:  # noqa: BLE001 - a malformed signature is "unable to verify"
            logger.info("signature %s could not be verified: %s", sig.field_name, exc)
            item = SignatureReport(field=sig.field_name or "", indication=INDETERMINATE, sub_indication="GENERIC",
                                   problem_code="unreadable",
                                   problem=problem_text("unreadable", what=exc.__class__.__name__))
        report.signatures.append(item)
    # B-LTA: a B-LT signature with a valid document timestamp in a later revision.
    for item in report.signatures:
        if item.level == "B-LT" and any(ts.ok and ts.revision > item.revision for ts in report.document_timestamps):
            item.level = "B-LTA"
    report.valid = bool(report.signatures) and all(s.ok for s in report.signatures) and all(
        ts.ok for ts in report.document_timestamps)
    return report
