"""A local stand-in for BSrE's esign-client service (API v1 and v2), on loopback.

It behaves like the real one as far as the public clients show (see docs/architecture.md):
HTTP Basic credentials per application; NIK + passphrase (or TOTP) per official; v1 takes
multipart forms and answers with the signed PDF (``id_dokumen`` header), v2 takes JSON with
base64 files (several per call) and answers ``{"time", "file": [...]}``; user status, verify and
institutional seal endpoints; errors as ``{"status_code", "error"}`` with BSrE's codes (1110 not
registered, 2021 certificate not active, 2031 wrong passphrase, 2032 wrong TOTP, 2041 not a PDF).
Signatures are genuine PAdES **B-T** made with the test PKI's keys and TSA — like the real
service, no validation data: the platform adds that itself. A VISIBLE request draws the given
image in the given box.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time

from spbe.core.loopback import LoopbackServer, QuietHandler

from . import pades
from .pki import PKCS12_PASSWORD, TestPki


def _hash(passphrase: str) -> str:
    return hashlib.sha256(passphrase.encode()).hexdigest()


class FakeBsre:
    TOTP_SECONDS = 300

    def __init__(self, pki: TestPki, *, client_id: str = "spbe-bali", client_secret: str = "rahasia-uji", level: str = "B-T"):
        self.pki = pki
        self.client_id, self.client_secret = client_id, client_secret
        self.level = level
        self.users: dict[str, dict] = {}  # nik -> {label, passphrase_hash, status}
        self.totp: dict[str, tuple[str, float, int]] = {}  # code, expiry, files left — per NIK or subscriber
        self.documents: dict[str, bytes] = {}
        self.seal_subscriber = "SEAL-PEMPROV-BALI"
        self.requests: list[dict] = []  # what arrived, minus secrets (tests assert on it)
        self._loopback = LoopbackServer(_Handler, bsre=self)
        self._signers: dict[str, pades.CachedKeySigner] = {}
        self._lock = threading.Lock()

    def enroll(self, label: str, passphrase: str, status: str = "ISSUE") -> str:
        nik = self.pki.state["people"][label]["nik"]
        self.users[nik] = {"label": label, "passphrase_hash": _hash(passphrase), "status": status}
        return nik

    def signer_for(self, label: str) -> pades.CachedKeySigner:
        with self._lock:
            if label not in self._signers:
                self._signers[label] = pades.CachedKeySigner.from_pkcs12(self.pki.path(f"{label}.p12").read_bytes(), PKCS12_PASSWORD)
            return self._signers[label]

    def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        return self._loopback.start(host, port)

    def serve_forever(self, host: str, port: int) -> None:
        self._loopback.serve_forever(host, port)

    def stop(self) -> None:
        self._loopback.stop()

    # --- the service -------------------------------------------------------------------
    def check_user(self, nik: str, passphrase: str | None = None, totp: str | None = None) -> tuple[int, dict | str]:
        user = self.users.get(nik)
        if user is None:
            return 400, {"status_code": 1110, "error": "Pengguna tidak terdaftar"}
        if user["status"] != "ISSUE":
            return 400, {"status_code": 2021, "error": f"Sertifikat tidak aktif ({user['status']})"}
        if totp is not None:
            if not self.use_totp(nik, str(totp)):
                return 400, {"status_code": 2032, "error": "TOTP tidak valid"}
        elif not passphrase or not hmac.compare_digest(_hash(passphrase), user["passphrase_hash"]):
            return 400, {"status_code": 2031, "error": "Passphrase anda salah"}
        return 200, user["label"]

    def send_totp(self, key: str, files: int = 1) -> str:
        code = f"{secrets.randbelow(10**6):06d}"
        self.totp[key] = (code, time.time() + self.TOTP_SECONDS, max(1, int(files or 1)))
        return code

    def use_totp(self, key: str, code: str) -> bool:
        stored = self.totp.get(key)
        if stored is None or stored[1] < time.time() or not hmac.compare_digest(stored[0], code):
            self.totp.pop(key, None)
            return False
        if stored[2] <= 1:
            self.totp.pop(key, None)
        else:
            self.totp[key] = (stored[0], stored[1], stored[2] - 1)
        return True

    def sign(self, label: str, pdf: bytes, reason: str = "", location: str = "", props: dict | None = None) -> bytes:
        props = props or {}
        appearance = None
        if str(props.get("tampilan", "")).upper() == "VISIBLE" and props.get("imageBase64"):
            x, y = float(props.get("originX", 0)), float(props.get("originY", 0))
            w, h = float(props.get("width", 150)), float(props.get("height", 60))
            appearance = pades.Appearance(int(props.get("page", 1)) - 1, (x, y, x + w, y + h),
                                          _image_pdf(base64.b64decode(props["imageBase64"]), w, h))
        options = pades.SignOptions(
            level=self.level, field_name=f"BSrE-{secrets.token_hex(3)}", reason=reason, location=location or "Indonesia",
            tsa_url=self.pki.tsa_url(), appearance=appearance, lock_fields=False,
        )
        return pades.sign_pdf(pdf, self.signer_for(label), options)

    def verify(self, pdf: bytes):
        from .verify import verify_pdf

        return verify_pdf(pdf, [pades.to_asn1(self.pki.cert("root"))])


class _Handler(QuietHandler):
    bsre: FakeBsre
    server_version = "esign-client (UJI)"

    def _send(self, status: int, payload, content_type="application/json", headers=None) -> None:
        self.send_body(status, payload, content_type, headers)

    def _authorised(self) -> bool:
        header = self.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return False
        try:
            user, _sep, password = base64.b64decode(header[6:]).decode().partition(":")
        except ValueError:
            return False
        return hmac.compare_digest(user, self.bsre.client_id) and hmac.compare_digest(password, self.bsre.client_secret)

    def _record(self, fields: dict) -> None:
        safe = {k: ("<redacted>" if k in ("passphrase", "totp") else (f"<{len(v)} bytes>" if isinstance(v, (bytes, list)) else v))
                for k, v in fields.items()}
        self.bsre.requests.append({"path": self.path, **safe})

    def do_GET(self):
        if not self._authorised():
            return self._send(401, {"error": "Unauthorized"})
        parts = [p for p in self.path.split("/") if p]
        if parts[:3] == ["api", "user", "status"] and len(parts) == 4:
            user = self.bsre.users.get(parts[3])
            status = user["status"] if user else "NOT_REGISTERED"
            return self._send(200, {"status_code": 1111 if status == "ISSUE" else 1110, "status": status,
                                    "message": "Sertifikat aktif" if status == "ISSUE" else "Pengguna tidak terdaftar"})
        if parts[:3] == ["api", "sign", "download"] and len(parts) == 4:
            pdf = self.bsre.documents.get(parts[3])
            return self._send(200, pdf, "application/pdf") if pdf else self._send(404, {"error": "Dokumen tidak ditemukan"})
        return self._send(404, {"error": "Not found"})

    def do_POST(self):
        if not self._authorised():
            return self._send(401, {"error": "Unauthorized"})
        if self.path in ("/api/sign/pdf", "/api/sign/verify"):
            return self._v1_form()
        length = int(self.headers.get("Content-Length") or 0)
        try:
            data = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            return self._send(400, {"error": "JSON tidak valid"})
        self._record(data)
        if self.path == "/api/v2/user/check/status":
            user = self.bsre.users.get(str(data.get("nik", "")))
            return self._send(200, {"status": user["status"] if user else "NOT_REGISTERED"})
        if self.path == "/api/v2/sign/get/totp":
            nik = str(data.get("nik", ""))
            if nik not in self.bsre.users:
                return self._send(400, {"error": "Pengguna tidak terdaftar"})
            self.bsre.send_totp(nik, data.get("data", 1))
            return self._send(200, {"message": "TOTP telah dikirim"})
        if self.path == "/api/v2/seal/get/totp":
            self.bsre.send_totp(self.bsre.seal_subscriber, data.get("data", 1))
            return self._send(200, {"message": "TOTP telah dikirim"})
        if self.path in ("/api/v2/sign/pdf", "/api/v2/seal/pdf"):
            return self._v2_sign(data, seal=self.path.endswith("seal/pdf"))
        if self.path == "/api/v2/verify/pdf":
            try:
                pdf = base64.b64decode(data.get("file", ""), validate=True)
            except ValueError:
                return self._send(400, {"error": "File tidak valid"})
            report = self.bsre.verify(pdf)
            return self._send(200, {
                "documentName": "document.pdf", "signatureCount": len(report.signatures),
                "conclusion": "VALID" if report.valid else ("NO_SIGNATURE" if not report.signatures else "INVALID"),
                "description": report.error or "",
                "signatureInformations": [{"signerName": s.signer, "signatureField": s.field, "integrityValid": s.intact,
                                           "certificateTrusted": s.trusted, "signedUsingTSA": s.timestamp_time is not None,
                                           "signatureDate": s.signing_time} for s in report.signatures],
            })
        return self._send(404, {"error": "Not found"})

    def _v1_form(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        fields = parse_multipart(self.headers.get("Content-Type", ""), body)
        self._record(fields)
        if self.path == "/api/sign/verify":
            report = self.bsre.verify(fields.get("signed_file") or b"")
            return self._send(200, {
                "nama_dokumen": "document.pdf", "jumlah_signature": len(report.signatures),
                "notes": report.error or "", "summary": "VALID" if report.valid else "INVALID",
                "details": [{"signature_field": s.field,
                             "info_signer": {"signer_name": s.signer, "issuer_dn": s.issuer, "cert_user_certified": s.trusted},
                             "info_tsa": {"name": "Timestamp Authority BSSN (UJI)"} if s.timestamp_time else {},
                             "signature_document": {"document_integrity": s.intact, "signed_using_tsa": s.timestamp_time is not None,
                                                    "signed_in": s.signing_time}} for s in report.signatures],
            })
        status, result = self.bsre.check_user(str(fields.get("nik", "")), passphrase=str(fields.get("passphrase", "")))
        if status != 200:
            return self._send(status, result)
        pdf = fields.get("file")
        if not isinstance(pdf, bytes) or not pdf.startswith(b"%PDF-"):
            return self._send(400, {"status_code": 2041, "error": "Dokumen bukan PDF"})
        try:
            signed = self.bsre.sign(result, pdf, str(fields.get("reason", "")), str(fields.get("location", "")))
        except pades.SigningFailed as exc:
            return self._send(500, {"status_code": 5000, "error": f"Gagal menandatangani: {exc}"})
        document_id = secrets.token_hex(12)
        self.bsre.documents[document_id] = signed
        return self._send(200, signed, "application/pdf", {"id_dokumen": document_id})

    def _v2_sign(self, data: dict, *, seal: bool):
        if seal:
            if data.get("idSubscriber") != self.bsre.seal_subscriber or \
                    not self.bsre.use_totp(self.bsre.seal_subscriber, str(data.get("totp", ""))):
                return self._send(400, {"status_code": 2032, "error": "TOTP atau idSubscriber tidak valid"})
            label = "seal"
        else:
            nik = str(data.get("nik", ""))
            status, result = self.bsre.check_user(nik, passphrase=data.get("passphrase"), totp=data.get("totp"))
            if status != 200:
                return self._send(status, result)
            label = result
        files = data.get("file") or []
        if not isinstance(files, list) or not files:
            return self._send(400, {"status_code": 2041, "error": "File wajib diisi"})
        all_props = data.get("signatureProperties") if isinstance(data.get("signatureProperties"), list) else []
        signed = []
        for number, item in enumerate(files):
            props = all_props[number] if number < len(all_props) else (all_props[0] if all_props else {})
            try:
                pdf = base64.b64decode(item, validate=True)
            except ValueError:
                return self._send(400, {"status_code": 2041, "error": "File bukan base64"})
            if not pdf.startswith(b"%PDF-"):
                return self._send(400, {"status_code": 2041, "error": "Dokumen bukan PDF"})
            try:
                signed.append(base64.b64encode(self.bsre.sign(label, pdf, props.get("reason", ""), props.get("location", ""),
                                                              props)).decode())
            except pades.SigningFailed as exc:
                return self._send(500, {"status_code": 5000, "error": f"Gagal menandatangani: {exc}"})
        return self._send(200, {"time": int(time.time() * 1000), "file": signed})


def _image_pdf(image: bytes, width: float, height: float) -> bytes:
    """The visible signature BSrE draws: the caller's image in the box."""
    import io

    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(width, height), invariant=1)
    pdf.drawImage(ImageReader(io.BytesIO(image)), 0, 0, width=width, height=height, preserveAspectRatio=True, mask="auto")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def parse_multipart(content_type: str, body: bytes) -> dict:
    """multipart/form-data → {name: str or bytes (for files)} with the e-mail parser (no cgi)."""
    from email.parser import BytesParser
    from email.policy import HTTP

    message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body)
    fields: dict = {}
    if not message.is_multipart():
        return fields
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        payload = part.get_payload(decode=True) or b""
        fields[name] = payload if part.get_filename() else payload.decode("utf-8", "replace")
    return fields
