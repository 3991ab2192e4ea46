"""One signer interface, three backends — and the rule of who signs with which key.

* ``local``  — a person's own PKCS#12 (development and demos: each official of the test PKI has
  one, found by NIK; production refuses it);
* ``seal``   — the institution's electronic seal in a PKCS#11 token (SoftHSM in tests, an HSM in
  production), only for steps marked as seal;
* ``bsre``   — BSrE's esign-client API, v1 (multipart) or v2 (JSON/base64, TOTP, several files
  per call), with the official's NIK and passphrase or a one-time code.

``sign(pdf, request)`` returns the signed PDF at the level the request asks for: BSrE answers
with B-T, and ``pades.ensure_level`` adds the validation data and document timestamp on our side,
the same code as for our own signatures. Passphrases, TOTPs and PINs are taken per call, passed
on, and never stored, logged or put in error messages.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from functools import lru_cache

import httpx
from django.conf import settings

from . import pades


class SignerError(Exception):
    """A signing attempt failed; ``code`` is one of CODES, ``message`` is safe to show."""

    def __init__(self, code: str, message: str, bsre_code: int | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.bsre_code = bsre_code


CODES = ("wrong_passphrase", "wrong_totp", "not_registered", "certificate_inactive", "bad_document", "unavailable",
         "rejected", "misconfigured", "wrong_certificate")
# BSrE's numeric codes as its esign-client answers them ({"status_code", "error"}); the public
# clients and forum reports agree on these, the juknis text itself could not be read (unconfirmed).
BSRE_CODES = {1110: "not_registered", 1111: "not_registered", 2021: "certificate_inactive", 2031: "wrong_passphrase",
              2032: "wrong_totp", 2041: "bad_document"}
# User status values of /api/v2/user/check/status that allow signing, and those that do not.
BSRE_READY = "ISSUE"
BSRE_STATUSES = ("ISSUE", "EXPIRED", "RENEW", "WAITING_FOR_VERIFICATION", "NEW", "NO_CERTIFICATE", "NOT_REGISTERED",
                 "SUSPEND", "REVOKE")


@dataclass(repr=False)
class SignRequest:
    level: str = "B-B"
    field_name: str = ""
    reason: str = ""
    location: str = "Denpasar, Bali"
    signer_name: str = ""
    nik: str = ""
    passphrase: str = field(default="", repr=False)
    totp: str = field(default="", repr=False)
    certify: bool = False
    appearance: pades.Appearance | None = None
    appearance_image: bytes | None = None  # PNG for BSrE's visible signature

    def __repr__(self) -> str:  # never print secrets, even in tracebacks
        return f"SignRequest(level={self.level!r}, field_name={self.field_name!r}, nik={self.nik!r})"


def _load_roots(paths: tuple[str, ...]) -> tuple:
    from asn1crypto import pem
    from asn1crypto import x509 as asn1_x509

    roots = []
    for path in paths:
        with open(path, "rb") as handle:
            data = handle.read()
        if pem.detect(data):
            roots.extend(asn1_x509.Certificate.load(der) for _t, _h, der in pem.unarmor(data, multiple=True))
        else:
            roots.append(asn1_x509.Certificate.load(data))
    return tuple(roots)


def trust_roots() -> list:
    """Configured trust roots (PEM or DER files) as asn1crypto certificates (read once per file
    and modification time)."""
    import os

    paths = tuple(settings.ESIGN_TRUST_ROOTS)
    stamp = tuple(os.stat(p).st_mtime_ns if os.path.exists(p) else 0 for p in paths)
    return list(_load_roots_stamped(paths, stamp))


@lru_cache(maxsize=8)
def _load_roots_stamped(paths, stamp):
    return _load_roots(paths)


def validation_context():
    # Hard-fail: a B-LT file whose DSS silently lacks a response would verify offline as
    # "unknown" years later, so signing stops instead when a responder cannot answer.
    return pades.validation_context(trust_roots(), fetching=True, revocation_mode="hard-fail")


def _options(request: SignRequest) -> pades.SignOptions:
    needs_context = pades.LEVEL_RANK[request.level] >= pades.LEVEL_RANK["B-LT"]
    return pades.SignOptions(
        level=request.level, field_name=request.field_name, reason=request.reason, location=request.location,
        signer_name=request.signer_name, tsa_url=settings.ESIGN_TSA_URL,
        validation_context=validation_context() if needs_context else None,
        certify=request.certify, appearance=request.appearance,
    )


class LocalPkcs12Signer:
    """A PKCS#12 on disk: the test PKI's personal certificates (development) or a file given."""

    kind = "local"

    def __init__(self, path: str, password: str):
        self.path, self._password = path, password

    @classmethod
    def for_person(cls, nik: str) -> LocalPkcs12Signer:
        """The person's own certificate, never the seal: found by NIK in the test PKI."""
        if settings.IS_PRODUCTION:
            raise SignerError("misconfigured", "local certificates are for development; sign with BSrE")
        from .pki import TestPki

        pki = TestPki(settings.ESIGN_PKI_DIR)
        label = pki.person_by_nik(nik) if pki.exists() and nik else None
        if label is None:
            raise SignerError("not_registered", "no certificate for this NIK in the test PKI")
        return cls(str(pki.path(f"{label}.p12")), settings.ESIGN_PKCS12_PASSWORD)

    def _signer(self) -> pades.CachedKeySigner:
        return _cached_pkcs12(self.path, self._password)

    def sign(self, pdf: bytes, request: SignRequest) -> bytes:
        try:
            return pades.sign_pdf(pdf, self._signer(), _options(request))
        except pades.SigningFailed as exc:
            raise SignerError("rejected", str(exc)) from exc


@lru_cache(maxsize=16)
def _cached_pkcs12(path: str, password: str) -> pades.CachedKeySigner:
    try:
        with open(path, "rb") as handle:
            return pades.CachedKeySigner.from_pkcs12(handle.read(), password.encode() if password else None)
    except (OSError, ValueError) as exc:
        raise SignerError("misconfigured", f"cannot load the PKCS#12 file {path}: {exc.__class__.__name__}") from exc


class Pkcs11SealSigner:
    """The institution's seal key in a PKCS#11 token; the chain comes from files because
    tokens often hold only the end-entity certificate."""

    kind = "seal"

    def __init__(self, lib: str, token_label: str, pin: str, key_label: str, cert_path: str, chain_paths: list[str]):
        self.lib, self.token_label, self._pin, self.key_label = lib, token_label, pin, key_label
        self.cert_path, self.chain_paths = cert_path, chain_paths
        self._session = None

    def _open(self, pkcs11):
        from pkcs11.exceptions import UserAlreadyLoggedIn

        criteria = pkcs11.TokenCriteria(label=self.token_label)
        try:
            return pkcs11.open_pkcs11_session(self.lib, token_criteria=criteria, user_pin=self._pin)
        except UserAlreadyLoggedIn:  # login state is per process: another session logged in already
            return pkcs11.open_pkcs11_session(self.lib, token_criteria=criteria, user_pin=None)

    def _load(self, path):
        from pyhanko.keys import load_cert_from_pemder

        return load_cert_from_pemder(path)

    def sign(self, pdf: bytes, request: SignRequest) -> bytes:
        from pyhanko.sign import pkcs11

        try:
            if self._session is None:  # one session per worker process
                self._session = self._open(pkcs11)
            signing_cert = self._load(self.cert_path)
            signer = _seal_pkcs11_class()(
                self._session, key_label=self.key_label, signing_cert=signing_cert,
                # The chain from files, each certificate once; never "pull everything on the
                # token" (a real HSM holds other keys' certificates too).
                ca_chain=[c for c in (self._load(p) for p in self.chain_paths) if c.dump() != signing_cert.dump()],
                other_certs_to_pull=(),
            )
        except Exception as exc:  # python-pkcs11 raises its own types; none may carry the PIN
            self._session = None
            raise SignerError("unavailable", f"the seal token is not available ({exc.__class__.__name__})") from exc
        try:
            return pades.sign_pdf(pdf, signer, _options(request))
        except pades.SigningFailed as exc:
            raise SignerError("rejected", str(exc)) from exc


class BsreSigner:
    """Client for BSrE's esign-client service. ``version`` is "v1" or "v2"."""

    kind = "bsre"
    timeout = 120.0  # BSrE calls can be slow; the signing page shows progress

    def __init__(self, base_url: str, client_id: str, client_secret: str, version: str = "v2"):
        self.base_url, self.client_id, self._secret, self.version = base_url.rstrip("/"), client_id, client_secret, version

    def _client(self) -> httpx.Client:
        from spbe.core import outbound

        return outbound.client("esign", base_url=self.base_url, auth=(self.client_id, self._secret), timeout=self.timeout)

    def _post(self, path: str, **kwargs) -> httpx.Response:
        try:
            with self._client() as client:
                return client.post(path, **kwargs)
        except httpx.HTTPError as exc:
            raise SignerError("unavailable", f"BSrE is unreachable ({exc.__class__.__name__})") from exc

    @staticmethod
    def _error(response: httpx.Response) -> SignerError:
        try:
            data = response.json()
        except ValueError:
            data = {}
        message = str(data.get("error") or data.get("message") or response.reason_phrase)[:200]
        raw_code = data.get("status_code")
        code = BSRE_CODES.get(raw_code) if isinstance(raw_code, int) else None
        if response.status_code == 401:
            return SignerError("misconfigured", "BSrE refused this application's credentials", raw_code)
        if code is None:
            lowered = message.lower()
            code = ("wrong_totp" if "totp" in lowered or "otp" in lowered else
                    "wrong_passphrase" if "passphrase" in lowered else
                    "not_registered" if "tidak terdaftar" in lowered else
                    "certificate_inactive" if "sertifikat" in lowered else
                    "unavailable" if response.status_code >= 500 else "rejected")
        return SignerError(code, f"BSrE answered {response.status_code}: {message}", raw_code)

    def user_status(self, nik: str) -> str:
        """ISSUE when the official can sign; otherwise why not (EXPIRED, REVOKE, …)."""
        try:
            with self._client() as client:
                if self.version == "v1":
                    response = client.get(f"/api/user/status/{nik}")
                else:
                    response = client.post("/api/v2/user/check/status", json={"nik": nik})
        except httpx.HTTPError as exc:
            raise SignerError("unavailable", f"BSrE is unreachable ({exc.__class__.__name__})") from exc
        if response.status_code != 200:
            raise self._error(response)
        return str(response.json().get("status", "")).upper()

    def request_totp(self, nik: str, files: int = 1) -> None:
        """Ask BSrE to send the official a one-time code (valid for this many files)."""
        response = self._post("/api/v2/sign/get/totp", json={"nik": nik, "data": files})
        if response.status_code != 200:
            raise self._error(response)

    @staticmethod
    def _properties(request: SignRequest, pdf: bytes) -> dict:
        props = {"tampilan": "INVISIBLE", "reason": request.reason, "location": request.location}
        # BSrE always makes a new field, which a certified document allows only invisibly.
        if request.appearance is not None and request.appearance_image and not pades.is_certified(pdf):
            x1, y1, x2, y2 = request.appearance.box
            props.update(tampilan="VISIBLE", imageBase64=base64.b64encode(request.appearance_image).decode(),
                         page=request.appearance.page + 1, originX=x1, originY=y1, width=x2 - x1, height=y2 - y1)
        return props

    def sign_many(self, pdfs: list[bytes], request: SignRequest, per_file: list[SignRequest] | None = None) -> list[bytes]:
        """v2: several documents with one passphrase (or one-time code) in one call."""
        if not request.nik or not (request.passphrase or request.totp):
            raise SignerError("wrong_passphrase", "enter your passphrase")
        requests = per_file or [request] * len(pdfs)
        if self.version == "v1":
            return [self.sign(pdf, r) for pdf, r in zip(pdfs, requests, strict=True)]
        credential = {"totp": request.totp} if request.totp else {"passphrase": request.passphrase}
        response = self._post("/api/v2/sign/pdf", json={
            "nik": request.nik, **credential, "file": [base64.b64encode(p).decode() for p in pdfs],
            "signatureProperties": [self._properties(r, p) for r, p in zip(requests, pdfs, strict=True)],
        })
        if response.status_code != 200:
            raise self._error(response)
        files = response.json().get("file") or []
        if len(files) != len(pdfs):
            raise SignerError("rejected", f"BSrE returned {len(files)} files for {len(pdfs)}")
        return [self._finish(base64.b64decode(f), r) for f, r in zip(files, requests, strict=True)]

    def _finish(self, signed: bytes, request: SignRequest) -> bytes:
        """BSrE answers B-T; the rest of the level is added here."""
        try:
            return pades.ensure_level(signed, request.level, validation_context()
                                      if pades.LEVEL_RANK[request.level] >= pades.LEVEL_RANK["B-LT"] else None,
                                      settings.ESIGN_TSA_URL)
        except pades.SigningFailed as exc:
            raise SignerError("rejected", str(exc)) from exc

    def sign(self, pdf: bytes, request: SignRequest) -> bytes:
        if not request.nik or not (request.passphrase or request.totp):
            raise SignerError("wrong_passphrase", "enter your passphrase")
        if self.version == "v2":
            return self.sign_many([pdf], request)[0]
        response = self._post("/api/sign/pdf", data={
            "nik": request.nik, "passphrase": request.passphrase, "tampilan": "invisible",
            "reason": request.reason, "location": request.location,
        }, files={"file": ("document.pdf", pdf, "application/pdf")})
        if response.status_code != 200:
            raise self._error(response)
        if response.headers.get("Content-Type", "").startswith("application/pdf"):
            return self._finish(response.content, request)
        document_id = response.json().get("id_dokumen")  # some deployments answer with an id
        try:
            with self._client() as client:
                return self._finish(client.get(f"/api/sign/download/{document_id}").content, request)
        except httpx.HTTPError as exc:
            raise SignerError("unavailable", f"BSrE is unreachable ({exc.__class__.__name__})") from exc


def get_signer(kind: str, *, nik: str = ""):
    """The backend of this kind. ``local`` signs with the person's own certificate (by NIK; the
    command line may instead point ESIGN_PKCS12_PATH at a file)."""
    if kind == "local":
        if nik:
            return LocalPkcs12Signer.for_person(nik)
        if settings.IS_PRODUCTION:
            raise SignerError("misconfigured", "local certificates are for development; sign with BSrE")
        return LocalPkcs12Signer(settings.ESIGN_PKCS12_PATH, settings.ESIGN_PKCS12_PASSWORD)
    if kind == "seal":
        return _seal_signer(settings.ESIGN_PKCS11_LIB, settings.ESIGN_PKCS11_TOKEN, settings.ESIGN_PKCS11_PIN,
                            settings.ESIGN_PKCS11_KEY_LABEL, settings.ESIGN_SEAL_CERT, tuple(settings.ESIGN_SEAL_CHAIN))
    if kind == "bsre":
        return BsreSigner(settings.ESIGN_BSRE_URL, settings.ESIGN_BSRE_CLIENT_ID, settings.ESIGN_BSRE_CLIENT_SECRET,
                          settings.ESIGN_BSRE_API_VERSION)
    raise SignerError("misconfigured", f"unknown signer {kind!r}")


@lru_cache(maxsize=1)
def _seal_pkcs11_class():
    """pyHanko's PKCS#11 signer registers the signing certificate in its chain store and then
    embeds it again as the signer's: this one leaves it out of the store, so it appears once."""
    from pyhanko.sign import pkcs11
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    class SealPkcs11Signer(pkcs11.PKCS11Signer):
        @property
        def cert_registry(self):
            leaf = self.signing_cert.dump()
            return SimpleCertificateStore.from_certs([c for c in super().cert_registry if c.dump() != leaf])

    return SealPkcs11Signer


@lru_cache(maxsize=2)
def _seal_signer(lib, token, pin, key_label, cert, chain) -> Pkcs11SealSigner:
    return Pkcs11SealSigner(lib, token, pin, key_label, cert, list(chain))
