"""Loopback services of the test PKI: CRLs, an OCSP responder and an RFC 3161 TSA.

``GET /crl/<ca>.crl`` (root, bsre) · ``POST /ocsp/bsre`` · ``POST /tsa``. Revocations are
read from the PKI's state on every request, so a test can revoke a certificate and see it at
once. Run with ``spbe esign_testpki serve``; tests start it in a thread.
"""

from __future__ import annotations

import datetime as dt

from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp

from spbe.core.loopback import LoopbackServer, QuietHandler

from .pki import TestPki

UTC = dt.timezone.utc


def build_crl(pki: TestPki, ca_label: str) -> bytes:
    now = dt.datetime.now(UTC)
    builder = (
        x509.CertificateRevocationListBuilder().issuer_name(pki.cert(ca_label).subject)
        .last_update(now - dt.timedelta(minutes=1)).next_update(now + dt.timedelta(days=1))
    )
    for serial, when in pki.revoked(ca_label):
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(dt.datetime.fromisoformat(when)).build()
        )
    return builder.sign(pki.key(ca_label), hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def build_ocsp_response(pki: TestPki, request_der: bytes) -> bytes:
    try:
        request = ocsp.load_der_ocsp_request(request_der)
    except ValueError:
        return ocsp.OCSPResponseBuilder.build_unsuccessful(ocsp.OCSPResponseStatus.MALFORMED_REQUEST).public_bytes(serialization.Encoding.DER)
    issuer = pki.cert("bsre")
    revoked = dict(pki.revoked("bsre"))
    algorithm = request.hash_algorithm  # answer in the CertID hash the client used (SHA-1 or SHA-256)
    if not isinstance(algorithm, (hashes.SHA1, hashes.SHA256, hashes.SHA384, hashes.SHA512)):
        return ocsp.OCSPResponseBuilder.build_unsuccessful(ocsp.OCSPResponseStatus.MALFORMED_REQUEST).public_bytes(serialization.Encoding.DER)
    if request.issuer_key_hash != _key_hash(issuer, algorithm) or request.issuer_name_hash != _name_hash(issuer, algorithm):
        # Not one of this responder's certificates (another CA's, or a look-alike name).
        return ocsp.OCSPResponseBuilder.build_unsuccessful(ocsp.OCSPResponseStatus.UNAUTHORIZED).public_bytes(serialization.Encoding.DER)
    target = None
    for label in ["seal", *pki.state["people"].keys()]:
        cert = pki.cert(label)
        if cert.serial_number == request.serial_number:
            target = cert
    if target is None:
        return ocsp.OCSPResponseBuilder.build_unsuccessful(ocsp.OCSPResponseStatus.UNAUTHORIZED).public_bytes(serialization.Encoding.DER)
    now = dt.datetime.now(UTC)
    if target.serial_number in revoked:
        status, when = ocsp.OCSPCertStatus.REVOKED, dt.datetime.fromisoformat(revoked[target.serial_number])
    else:
        status, when = ocsp.OCSPCertStatus.GOOD, None
    builder = (
        ocsp.OCSPResponseBuilder()
        .add_response(cert=target, issuer=issuer, algorithm=algorithm, cert_status=status, this_update=now - dt.timedelta(minutes=1),
                      next_update=now + dt.timedelta(hours=12), revocation_time=when, revocation_reason=None)
        .responder_id(ocsp.OCSPResponderEncoding.HASH, pki.cert("ocsp"))
        .certificates([pki.cert("ocsp")])
    )
    for extension in request.extensions:
        if isinstance(extension.value, x509.OCSPNonce):
            builder = builder.add_extension(extension.value, critical=False)
    return builder.sign(pki.key("ocsp"), hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def _digest(algorithm, data: bytes) -> bytes:
    digest = hashes.Hash(algorithm)
    digest.update(data)
    return digest.finalize()


def _key_hash(cert: x509.Certificate, algorithm) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    spki = asn1_keys.PublicKeyInfo.load(cert.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo))
    return _digest(algorithm, spki["public_key"].contents[1:])  # the BIT STRING's bytes, unused-bits octet dropped


def _name_hash(cert: x509.Certificate, algorithm) -> bytes:
    return _digest(algorithm, cert.subject.public_bytes())


def _test_tsa():
    """pyHanko's dummy TSA, answering with the test PKI's own TSA policy."""
    from asn1crypto import core
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

    from .pki import TSA_POLICY

    class TestTsa(DummyTimeStamper):
        def _build_tst_info(self, message_imprint, dt_, req):
            info = super()._build_tst_info(message_imprint, dt_, req)
            info["policy"] = core.ObjectIdentifier(TSA_POLICY)
            return info

    return TestTsa


def build_timestamp_response(pki: TestPki, request_der: bytes) -> bytes:
    stamper = _test_tsa()(
        tsa_cert=asn1_x509.Certificate.load(pki.cert("tsa").public_bytes(serialization.Encoding.DER)),
        tsa_key=asn1_keys.PrivateKeyInfo.load(pki.key("tsa").private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())),
        certs_to_embed=[asn1_x509.Certificate.load(pki.cert("root").public_bytes(serialization.Encoding.DER))],
    )
    return stamper.request_tsa_response(tsp.TimeStampReq.load(request_der)).dump()


class _Handler(QuietHandler):
    pki: TestPki
    outage: set  # services answering 503 as in a real outage: "ocsp", "crl", "tsa"

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_body(status, body, content_type)

    def _down(self, service: str) -> bool:
        if service in self.outage:
            self._send(503, b"service unavailable", "text/plain")
            return True
        return False

    def do_GET(self):
        if self.path.startswith("/crl/") and self._down("crl"):
            return None
        if self.path in ("/crl/root.crl", "/crl/bsre.crl"):
            return self._send(200, build_crl(self.pki, self.path.split("/")[-1][:-4]), "application/pkix-crl")
        return self._send(404, b"not found", "text/plain")

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self._down({"/ocsp/bsre": "ocsp", "/tsa": "tsa"}.get(self.path, "")):
            return None
        if self.path == "/ocsp/bsre":
            return self._send(200, build_ocsp_response(self.pki, body), "application/ocsp-response")
        if self.path == "/tsa":
            try:
                return self._send(200, build_timestamp_response(self.pki, body), "application/timestamp-reply")
            except ValueError:
                return self._send(400, b"bad timestamp request", "text/plain")
        return self._send(404, b"not found", "text/plain")


class PkiServer(LoopbackServer):
    def __init__(self, pki: TestPki):
        self.outage: set[str] = set()
        super().__init__(_Handler, pki=pki, outage=self.outage)
        self.pki = pki
