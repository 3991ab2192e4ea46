"""TTE: documents signed **and verified** per second through the workflow path — what an official
waits for after pressing "Sign": claim the step, sign with the official's own certificate, verify
the result (revocation online, or from the DSS at B-LT), check level and certificate, store the
revision, audit — at B-B and B-LT, one core.

Baseline, same run, same letter and key: pyHanko's stock ``SimpleSigner`` + ``sign_pdf`` followed
by its stock ``validate_pdf_signature`` with an online validation context (no database, no
checks of ours). Target: ≥ 10 documents/s at B-B.
"""

from __future__ import annotations

import io
import socket
import tempfile
import time
from pathlib import Path


def _letter(text: str) -> bytes:
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.drawString(72, 760, text)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _configure(pki) -> None:
    from django.conf import settings

    settings.ESIGN_TRUST_ROOTS = [str(pki.path("root.pem"))]
    settings.ESIGN_TSA_URL = pki.tsa_url()
    settings.ESIGN_PKI_URL = pki.base_url
    settings.ESIGN_PKI_DIR = pki.dir
    settings.ESIGN_SEAL_CERT = str(pki.path("seal.pem"))


def _people(pki):
    from spbe.core import services as core
    from spbe.core.models import Agency, Institution, User
    from spbe.core.roles import Role
    from spbe.esign import services

    institution = Institution.objects.filter(code="pemprov-bali").first() or core.create_institution(
        code="pemprov-bali", name="Pemerintah Provinsi Bali", kind="province")
    agency = Agency.objects.filter(code="bench-tte").first() or core.create_agency(
        institution=institution, code="bench-tte", name="Dinas Uji Benchmark", short_name="DUB")
    drafter = User.objects.filter(username="bench-drafter").first() or core.create_user(
        username="bench-drafter", full_name="Penyusun Uji", email="drafter@bench.invalid")
    signer = User.objects.filter(username="bench-kadis").first() or core.create_user(
        username="bench-kadis", full_name="Kepala Dinas Uji", email="kadis@bench.invalid")
    for user, role in ((drafter, Role.AGENCY_STAFF), (signer, Role.SIGNER)):
        if not user.memberships.filter(agency=agency, role=role).exists():
            core.grant_membership(user=user, agency=agency, role=role)
    services.set_signer_profile(signer, nik=pki.state["people"]["kadis"]["nik"], title="Kepala Dinas")
    return agency, drafter, signer


def _waiting_documents(agency, drafter, signer, level: str, count: int) -> list:
    from spbe.esign import services
    from spbe.esign.models import SignatureStep

    documents = []
    for n in range(count):
        document = services.create_document(
            agency=agency, title=f"Surat benchmark {n}", class_code="000.1.2", classification="biasa",
            file_name="surat.pdf", data=_letter(f"Surat benchmark {level} {n}"), reviewers=[],
            signers_=[(signer, SignatureStep.Method.LOCAL)], level=level, by=drafter)
        documents.append(services.submit(document, drafter))  # numbered and stamped: ready to sign
    return documents


def _workflow_rate(documents, signer) -> float:
    from spbe.esign import services

    started = time.perf_counter()
    for document in documents:
        assert services.sign(document, by=signer).status == "signed"
    return len(documents) / (time.perf_counter() - started)


def _stock_rate(pki, pdf: bytes, level: str, count: int) -> float:
    """pyHanko as it comes: SimpleSigner + sign_pdf, then validate_pdf_signature online."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign import fields, signers, timestamps
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    from spbe.esign.pki import PKCS12_PASSWORD

    stock = signers.SimpleSigner.load_pkcs12_data(pki.path("kadis.p12").read_bytes(), other_certs=None,
                                                  passphrase=PKCS12_PASSWORD)
    from asn1crypto import x509

    root = x509.Certificate.load(pki.cert("root").public_bytes(__import__("cryptography.hazmat.primitives.serialization",
                                                                          fromlist=["Encoding"]).Encoding.DER))
    timestamper = timestamps.HTTPTimeStamper(pki.tsa_url()) if level != "B-B" else None
    started = time.perf_counter()
    for _ in range(count):
        context = ValidationContext(trust_roots=[root], allow_fetching=True)
        meta = signers.PdfSignatureMetadata(field_name="Signature1", md_algorithm="sha256",
                                            subfilter=fields.SigSeedSubFilter.PADES,
                                            embed_validation_info=level == "B-LT",
                                            validation_context=context if level == "B-LT" else None)
        signed = signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)), meta, signer=stock, timestamper=timestamper)
        signature = PdfFileReader(signed).embedded_signatures[0]
        status = validate_pdf_signature(signature, ValidationContext(trust_roots=[root], allow_fetching=True))
        assert status.bottom_line, status
    return count / (time.perf_counter() - started)


def run(count: int = 30) -> dict:
    from spbe.esign.pki import TestPki
    from spbe.esign.pkiserver import PkiServer

    port = _free_port()
    pki = TestPki.create(Path(tempfile.mkdtemp(prefix="spbe-bench-pki-")), f"http://127.0.0.1:{port}")
    server = PkiServer(pki)
    server.start(port=port)
    try:
        _configure(pki)
        agency, drafter, signer = _people(pki)
        results = {}
        for level in ("B-B", "B-LT"):
            documents = _waiting_documents(agency, drafter, signer, level, count + 1)
            _workflow_rate(documents[:1], signer)  # warm-up: imports, first connections
            ours = _workflow_rate(documents[1:], signer)
            stock = _stock_rate(pki, _letter("Surat benchmark stock"), level, max(5, count // 2))
            key = level.replace("-", "_")
            results[f"workflow_documents_per_s_{key}"] = round(ours, 1)
            results[f"stock_pyhanko_sign_and_validate_per_s_{key}"] = round(stock, 1)
            results[f"workflow_vs_stock_{key}"] = round(ours / stock, 2)
        results["target_10_per_s_B_B_met"] = results["workflow_documents_per_s_B_B"] >= 10
    finally:
        server.stop()
    return results
