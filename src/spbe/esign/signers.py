"""One signer interface, three backends.

* ``local``  — a PKCS#12 file (development, demos; never officials' production keys);
* ``seal``   — a key in a PKCS#11 token (SoftHSM in tests, an HSM in production) for the
  institution's electronic seal;
* ``bsre``   — BSrE's esign-client API, v1 (multipart) or v2 (JSON/base64), with the official's
  NIK and passphrase (or TOTP).

``sign(pdf, request)`` returns the signed PDF bytes. Passphrases, TOTPs and PINs are taken per
call or from the environment, passed on, and never stored, logged or put in error messages.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from functools import lru_cache

import httpx
from django.conf import settings

from . import pades


class SignerError(Exception):
    """A signing attempt failed; ``code`` is one of the values below, message is safe to show."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


# codes: wrong_credentials, not_registered, certificate_inactive, unavailable, rejected, misconfigured


@dataclass(repr=False)
class SignRequest:
    level: str = "B-B"
    field_name: str = "Signature1"
    reason: str = ""
    location: str = "Denpasar, Bali"
    signer_name: str = ""
    nik: str = ""
    passphrase: str = field(default="", repr=False)
    totp: str = field(default="", repr=False)

    def __repr__(self) -> str:  # never print secrets, even in tracebacks
        return f"SignRequest(level={self.level!r}, field_name={self.field_name!r}, nik={self.nik!r})"


def trust_roots() -> list:
    """Configured trust roots (PEM files) as asn1crypto certificates."""
    from asn1crypto import pem
    from asn1crypto import x509 as asn1_x509

    roots = []
    for path in settings.ESIGN_TRUST_ROOTS:
        with open(path, "rb") as handle:
            data = handle.read()
        if pem.detect(data):
            for _type, _headers, der in pem.unarmor(data, multiple=True):
                roots.append(asn1_x509.Certificate.load(der))
        else:
            roots.append(asn1_x509.Certificate.load(data))
    return roots


def validation_context():
    from pyhanko_certvalidator import ValidationContext

    return ValidationContext(trust_roots=trust_roots(), allow_fetching=True)


def _options(request: SignRequest) -> pades.SignOptions:
    return pades.SignOptions(
        level=request.level, field_name=request.field_name, reason=request.reason, location=request.location,
        signer_name=request.signer_name, tsa_url=settings.ESIGN_TSA_URL,
        validation_context=validation_context() if request.level == "B-LT" else None,
    )


class LocalPkcs12Signer:
    kind = "local"

    def __init__(self, path: str, password: str):
        self.path, self._password = path, password

    def _signer(self) -> pades.CachedKeySigner:
        return _cached_pkcs12(self.path, self._password)

    def sign(self, pdf: bytes, request: SignRequest) -> bytes:
        try:
            return pades.sign_pdf(pdf, self._signer(), _options(request))
        except pades.SigningFailed as exc:
            raise SignerError("rejected", str(exc)) from exc


@lru_cache(maxsize=8)
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
            signer = pkcs11.PKCS11Signer(
                self._session, key_label=self.key_label, signing_cert=self._load(self.cert_path),
                ca_chain=[self._load(p) for p in self.chain_paths], other_certs_to_pull=None,
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

    @staticmethod
    def _error(response: httpx.Response) -> SignerError:
        try:
            data = response.json()
        except ValueError:
            data = {}
        message = str(data.get("error") or data.get("message") or response.reason_phrase)[:200]
        lowered = message.lower()
        if response.status_code == 401:
            return SignerError("misconfigured", "BSrE refused this application's credentials")
        if "passphrase" in lowered or "totp" in lowered:
            return SignerError("wrong_credentials", "the passphrase or one-time code is wrong")
        if "tidak terdaftar" in lowered:
            return SignerError("not_registered", "this NIK is not registered at BSrE")
        if "sertifikat" in lowered:
            return SignerError("certificate_inactive", message)
        return SignerError("rejected", f"BSrE answered {response.status_code}: {message}")

    def user_status(self, nik: str) -> str:
        with self._client() as client:
            try:
                if self.version == "v1":
                    response = client.get(f"/api/user/status/{nik}")
                else:
                    response = client.post("/api/v2/user/check/status", json={"nik": nik})
            except httpx.HTTPError as exc:
                raise SignerError("unavailable", f"BSrE is unreachable ({exc.__class__.__name__})") from exc
        if response.status_code != 200:
            raise self._error(response)
        return str(response.json().get("status", ""))

    def request_totp(self, nik: str, files: int = 1) -> None:
        with self._client() as client:
            response = client.post("/api/v2/sign/get/totp", json={"nik": nik, "data": files})
        if response.status_code != 200:
            raise self._error(response)

    def sign(self, pdf: bytes, request: SignRequest) -> bytes:
        if not request.nik or not (request.passphrase or request.totp):
            raise SignerError("wrong_credentials", "enter your passphrase")
        try:
            with self._client() as client:
                if self.version == "v1":
                    response = client.post("/api/sign/pdf", data={
                        "nik": request.nik, "passphrase": request.passphrase, "tampilan": "invisible",
                        "reason": request.reason, "location": request.location,
                    }, files={"file": ("document.pdf", pdf, "application/pdf")})
                else:
                    credential = {"totp": request.totp} if request.totp else {"passphrase": request.passphrase}
                    response = client.post("/api/v2/sign/pdf", json={
                        "nik": request.nik, **credential, "file": [base64.b64encode(pdf).decode()],
                        "signatureProperties": [{"tampilan": "INVISIBLE", "reason": request.reason, "location": request.location}],
                    })
        except httpx.HTTPError as exc:
            raise SignerError("unavailable", f"BSrE is unreachable ({exc.__class__.__name__})") from exc
        if response.status_code != 200:
            raise self._error(response)
        if self.version == "v1":
            if response.headers.get("Content-Type", "").startswith("application/pdf"):
                return response.content
            document_id = response.json().get("id_dokumen")  # some deployments answer with an id
            with self._client() as client:
                return client.get(f"/api/sign/download/{document_id}").content
        files = response.json().get("file") or []
        if not files:
            raise SignerError("rejected", "BSrE returned no file")
        return base64.b64decode(files[0])


def get_signer(kind: str):
    """The configured backend of this kind (settings ESIGN_*)."""
    if kind == "local":
        return LocalPkcs12Signer(settings.ESIGN_PKCS12_PATH, settings.ESIGN_PKCS12_PASSWORD)
    if kind == "seal":
        return _seal_signer(settings.ESIGN_PKCS11_LIB, settings.ESIGN_PKCS11_TOKEN, settings.ESIGN_PKCS11_PIN,
                            settings.ESIGN_PKCS11_KEY_LABEL, settings.ESIGN_SEAL_CERT, tuple(settings.ESIGN_SEAL_CHAIN))
    if kind == "bsre":
        return BsreSigner(settings.ESIGN_BSRE_URL, settings.ESIGN_BSRE_CLIENT_ID, settings.ESIGN_BSRE_CLIENT_SECRET,
                          settings.ESIGN_BSRE_API_VERSION)
    raise SignerError("misconfigured", f"unknown signer {kind!r}")


@lru_cache(maxsize=2)
def _seal_signer(lib, token, pin, key_label, cert, chain) -> Pkcs11SealSigner:
    return Pkcs11SealSigner(lib, token, pin, key_label, cert, list(chain))
