"""TTE against verifiers we did not write (openssl cms/ts, PDFBox + Bouncy Castle) for every level
and signer backend, and the attacks a verifier must not fall for: a revoked signer whose
responder is unreachable, fields, annotations or pages changed after signing, a look-alike CA."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from spbe.esign import pades, signers
from spbe.esign.verify import FAILED, INDETERMINATE, PASSED, verify_pdf
from tests.support.independent import openssl_check, pdfbox_check

from .fixtures import PASSPHRASE, letter, write


def _roots(esign):
    return [pades.to_asn1(esign.pki.cert("root"))]


def _sign(esign, backend: str, level: str, pdf: bytes | None = None) -> bytes:
    request = signers.SignRequest(level=level, reason="uji")
    if backend == "local":
        request.nik = esign.pki.state["people"]["sekda"]["nik"]
        return signers.get_signer("local", nik=request.nik).sign(pdf or letter(), request)
    if backend == "seal":
        return signers.get_signer("seal").sign(pdf or letter(), request)
    request.nik, request.passphrase = esign.pki.state["people"]["gubernur"]["nik"], PASSPHRASE
    return signers.get_signer("bsre").sign(pdf or letter(), request)


@pytest.mark.parametrize("backend", ["local", "seal", "bsre-v1", "bsre-v2"])
@pytest.mark.parametrize("level", ["B-B", "B-T", "B-LT", "B-LTA"])
def test_every_level_and_backend_passes_two_independent_verifiers(esign, settings, backend, level):
    if backend.startswith("bsre"):
        settings.ESIGN_BSRE_API_VERSION = backend.split("-")[1]
        if level == "B-B":
            level = "B-T"  # BSrE always timestamps
    signed = _sign(esign, backend.split("-")[0], level)
    ours = verify_pdf(signed, _roots(esign))
    assert ours.valid and ours.signatures[0].indication == PASSED and ours.signatures[0].level == level, ours
    root = esign.pki.path("root.pem")
    openssl = openssl_check(signed, root)
    pdfbox = pdfbox_check(signed)
    signatures = [c for c in openssl if c.kind == "signature"]
    assert signatures and all(c.ok for c in signatures), openssl
    assert all(c.ok for c in pdfbox), pdfbox
    timestamped = level != "B-B"
    assert [c.timestamp for c in signatures] == ["ok" if timestamped else "none"]
    assert [c.timestamp for c in pdfbox if c.kind == "signature"] == ["ok" if timestamped else "none"]
    doc_timestamps = [c for c in openssl if c.kind == "doc_timestamp"]
    assert (len(doc_timestamps) == 1) == (level == "B-LTA") and all(c.ok for c in doc_timestamps)
    if level in ("B-LT", "B-LTA"):
        offline = verify_pdf(signed, _roots(esign), allow_fetching=False)
        assert offline.valid and offline.signatures[0].level == level  # its own validation data suffices


def test_each_certificate_is_embedded_once_in_a_seal_signature(esign):
    """The seal used to carry its certificate twice (endesive refused it)."""
    from asn1crypto import cms

    from tests.support.independent import signatures_in

    signed = _sign(esign, "seal", "B-T")
    _content, der = signatures_in(signed)[0]
    certs = [c.chosen.dump() for c in cms.ContentInfo.load(der)["content"]["certificates"]]
    assert len(certs) == len(set(certs)) == 3  # seal, BSrE CA, root
    assert pdfbox_check(signed)[0].certificates == 3


@pytest.mark.django_db
def test_a_revoked_signer_is_never_valid_when_revocation_cannot_be_checked(esign, settings):
    revoked = signers.LocalPkcs12Signer(str(esign.pki.path("pensiun.p12")), "uji-only").sign(
        letter(), signers.SignRequest(level="B-T"))
    online = verify_pdf(revoked, _roots(esign))
    assert not online.valid and online.signatures[0].revoked and online.signatures[0].problem_code == "revoked"
    offline = verify_pdf(revoked, _roots(esign), allow_fetching=False)
    assert not offline.valid and offline.signatures[0].indication == INDETERMINATE
    assert offline.signatures[0].sub_indication == "TRY_LATER"
    # The responder unreachable: the guard refuses it once its address is no longer configured.
    settings.ESIGN_TSA_URL = "http://127.0.0.1:9/tsa"
    settings.ESIGN_PKI_URL = "http://127.0.0.1:9"
    unreachable = verify_pdf(revoked, _roots(esign))
    assert not unreachable.valid and unreachable.signatures[0].indication == INDETERMINATE
    # The same on the public page, in Indonesian.
    from django.test import Client

    page = Client(HTTP_ACCEPT_LANGUAGE="id").post("/tte/verify/", {"file": io.BytesIO(revoked)}).content.decode()
    assert 'data-valid="false"' in page and "Semua tanda tangan sah" not in page


def _pdf_with_field() -> bytes:
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.drawString(72, 760, "Formulir uji")
    pdf.acroForm.textfield(name="nilai", value="100", x=72, y=700, width=200, height=20)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _incremental(pdf: bytes, change) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize("level", ["B-T", "B-LT"])
def test_a_field_changed_after_signing_is_a_disallowed_modification(esign, level):
    from pyhanko.pdf_utils import generic

    signed = signers.get_signer("local", nik=esign.pki.state["people"]["sekda"]["nik"]).sign(
        _pdf_with_field(), signers.SignRequest(level=level, certify=True, nik=esign.pki.state["people"]["sekda"]["nik"]))
    untouched = verify_pdf(signed, _roots(esign)).signatures[0]
    # The validation-data revision of B-LT leaves the locked field alone, so it still passes.
    assert untouched.certified and untouched.indication == "TOTAL_PASSED" and untouched.level == level

    def change_value(writer):
        field = next(f.get_object() for f in writer.root["/AcroForm"]["/Fields"] if f.get_object()["/T"] == "nilai")
        field["/V"] = generic.TextStringObject("999")
        writer.update_container(field)

    report = verify_pdf(_incremental(signed, change_value), _roots(esign))
    item = report.signatures[0]
    assert not report.valid and item.indication == FAILED and "form_filling" in item.modifications


def test_an_annotation_or_a_page_added_after_signing_is_caught(esign):
    from pyhanko.pdf_utils import generic

    signed = signers.get_signer("local", nik=esign.pki.state["people"]["sekda"]["nik"]).sign(
        letter(), signers.SignRequest(level="B-T", certify=True, nik=esign.pki.state["people"]["sekda"]["nik"]))

    def add_note(writer):
        page = writer.root["/Pages"]["/Kids"][0].get_object()
        note = writer.add_object(generic.DictionaryObject({
            generic.NameObject("/Type"): generic.NameObject("/Annot"), generic.NameObject("/Subtype"): generic.NameObject("/Text"),
            generic.NameObject("/Rect"): generic.ArrayObject([generic.NumberObject(v) for v in (100, 100, 120, 120)]),
            generic.NameObject("/Contents"): generic.TextStringObject("disetujui")}))
        page["/Annots"] = generic.ArrayObject(list(page.get("/Annots", [])) + [note])
        writer.update_container(page)

    annotated = verify_pdf(_incremental(signed, add_note), _roots(esign))
    assert not annotated.valid and "annotations" in annotated.signatures[0].modifications

    def add_page(writer):
        writer.insert_page(generic.DictionaryObject({
            generic.NameObject("/Type"): generic.NameObject("/Page"),
            generic.NameObject("/MediaBox"): generic.ArrayObject([generic.NumberObject(v) for v in (0, 0, 595, 842)])}))

    paged = verify_pdf(_incremental(signed, add_page), _roots(esign))
    assert not paged.valid and "pages" in paged.signatures[0].modifications


def test_a_look_alike_ca_is_not_trusted(esign, tmp_path):
    """Same names as the test PKI (root, BSrE CA, the Sekda with his NIK), other keys."""
    from spbe.esign.pki import PKCS12_PASSWORD, DEFAULT_PEOPLE, TestPki

    fake = TestPki.create(tmp_path / "fake", esign.pki.base_url, people=[p for p in DEFAULT_PEOPLE if p.label == "sekda"])
    signed = signers.LocalPkcs12Signer(str(fake.path("sekda.p12")), PKCS12_PASSWORD.decode()).sign(
        letter(), signers.SignRequest(level="B-B"))
    report = verify_pdf(signed, _roots(esign))
    assert not report.valid and report.signatures[0].indication in (INDETERMINATE, FAILED)
    assert report.signatures[0].signer_serial == esign.pki.state["people"]["sekda"]["nik"]  # the name alone proves nothing


def test_ocsp_answers_sha1_and_sha256_cert_ids(esign, tmp_path):
    """openssl's default CertID hash is SHA-1, Java's checker too; BSrE's responder answers both."""
    pki = esign.pki
    for digest in ("-sha1", "-sha256"):
        result = subprocess.run(["openssl", "ocsp", digest, "-issuer", str(pki.path("bsre.pem")), "-cert",
                                 str(pki.path("sekda.pem")), "-url", f"{pki.base_url}/ocsp/bsre", "-CAfile",
                                 str(pki.path("root.pem")), "-no_nonce"], capture_output=True, text=True, timeout=30)
        assert "sekda.pem: good" in result.stdout, (digest, result.stdout, result.stderr)
        revoked = subprocess.run(["openssl", "ocsp", digest, "-issuer", str(pki.path("bsre.pem")), "-cert",
                                  str(pki.path("pensiun.pem")), "-url", f"{pki.base_url}/ocsp/bsre", "-CAfile",
                                  str(pki.path("root.pem")), "-no_nonce"], capture_output=True, text=True, timeout=30)
        assert "pensiun.pem: revoked" in revoked.stdout


def test_test_pki_policies(esign):
    from asn1crypto import cms, tsp
    from cryptography import x509

    from spbe.esign.pki import PERSON_POLICY, SEAL_POLICY, TSA_POLICY
    from tests.support.independent import _timestamp_tokens, signatures_in

    for label, policy in (("sekda", PERSON_POLICY), ("seal", SEAL_POLICY)):
        cert = esign.pki.cert(label)
        policies = cert.extensions.get_extension_for_class(x509.CertificatePolicies).value
        assert [p.policy_identifier.dotted_string for p in policies] == [policy]
    _content, der = signatures_in(_sign(esign, "local", "B-T"))[0]
    token, _value = _timestamp_tokens(der)[0]
    info = cms.ContentInfo.load(token)["content"]["encap_content_info"]["content"].parsed
    assert isinstance(info, tsp.TSTInfo) and info["policy"].dotted == TSA_POLICY
    assert esign.pki.path("pensiun.p12").exists()  # other tools rely on the revoked official's bundle


def _command(*args):
    import os

    from tests.support.servers import server_env

    result = subprocess.run([sys.executable, "-m", "spbe.manage", *args], capture_output=True, text=True, timeout=180,
                            env=server_env(**{k: v for k, v in os.environ.items() if k.startswith("ESIGN_")}))
    return result.returncode, result.stdout, result.stderr


@pytest.mark.django_db(transaction=True)
def test_commands_keep_their_contract(esign, settings, tmp_path):
    import os

    pki = esign.pki
    env = {"ESIGN_PKI_DIR": str(pki.dir), "ESIGN_TRUST_ROOTS": str(pki.path("root.pem")), "ESIGN_TSA_URL": pki.tsa_url(),
           "ESIGN_PKI_URL": pki.base_url, "ESIGN_PKCS12_PATH": str(pki.path("sekda.p12"))}
    os.environ.update(env)
    try:
        source = write(tmp_path, "in.pdf", _pdf_with_field())
        b_lt = tmp_path / "lt.pdf"
        code, out, err = _command("esign_sign", str(source), str(b_lt), "--level", "B-LT")
        assert code == 0, err
        code, out, err = _command("esign_verify", str(b_lt), "--format", "json", "--offline")
        assert out.strip(), err
        data = json.loads(out)
        assert code == 0 and {"file", "sha256", "valid", "signatures", "registry", "error"} <= set(data)
        signature = data["signatures"][0]
        assert {"indication", "sub_indication", "level", "modifications"} <= set(signature)
        assert signature["indication"] == "TOTAL_PASSED" and signature["level"] == "B-LT"
        # B-B offline: revocation unknown, so not valid (exit 1), and it says so.
        b_b = tmp_path / "bb.pdf"
        assert _command("esign_sign", str(source), str(b_b), "--level", "B-B")[0] == 0
        code, out, _ = _command("esign_verify", str(b_b), "--format", "json", "--offline")
        assert code == 1 and json.loads(out)["signatures"][0]["sub_indication"] == "TRY_LATER"
        # A countersignature never takes an existing field's name.
        second = tmp_path / "two.pdf"
        assert _command("esign_sign", str(b_lt), str(second), "--level", "B-T", "--field", "Signature1")[0] == 0
        names = [s["field"] for s in json.loads(_command("esign_verify", str(second), "--format", "json")[1])["signatures"]]
        assert len(set(names)) == 2
        # Failure writes nothing and says why: the revoked official at B-LT.
        os.environ["ESIGN_PKCS12_PATH"] = str(pki.path("pensiun.p12"))
        refused = tmp_path / "refused.pdf"
        code, out, err = _command("esign_sign", str(source), str(refused), "--level", "B-LT")
        assert code == 1 and not refused.exists() and "revoked" in (out + err).lower()
        assert not list(tmp_path.glob(".esign-*"))
        code, out, err = _command("esign_sign", str(source), str(refused), "--level", "B-B")
        assert code == 1 and not refused.exists() and "NOT VALID" in err
    finally:
        for key in env:
            os.environ.pop(key, None)
