"""Signing at each PAdES level with every backend, checked by pyHanko's validator, qpdf and
poppler's pdfsig; tampering, revocation, untrusted roots and passphrase hygiene."""

from __future__ import annotations

import io
import logging
import subprocess

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from spbe.esign import pades, signers
from spbe.esign.verify import verify_pdf

from .fixtures import PASSPHRASE, letter, write


def _trust(env):
    return [pades.to_asn1(env.pki.cert("root"))]


def _external_checks(tmp_path, data: bytes) -> None:
    path = write(tmp_path, "signed.pdf", data)
    qpdf = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert qpdf.returncode == 0 and "No syntax or stream encoding errors" in qpdf.stdout
    pdfsig = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True)
    assert pdfsig.stdout.count("Signature Validation: Signature is Valid.") >= 1, pdfsig.stdout


@pytest.mark.parametrize("level", ["B-B", "B-T", "B-LT"])
def test_local_signer_each_level_passes_pyhanko_qpdf_and_pdfsig(esign, tmp_path, level):
    signed = signers.get_signer("local").sign(letter(), signers.SignRequest(level=level, reason="uji"))
    # (outside_event_loop: the browser tests' session keeps an asyncio loop running in this thread)
    status = pades.outside_event_loop(validate_pdf_signature, PdfFileReader(io.BytesIO(signed)).embedded_signatures[0],
                                      ValidationContext(trust_roots=_trust(esign), allow_fetching=True))
    assert status.bottom_line and status.intact and status.valid and status.trusted and not status.revoked
    assert (status.timestamp_validity is not None) == (level != "B-B")
    report = verify_pdf(signed, _trust(esign))
    assert report.valid and report.signatures[0].level == level
    assert report.signatures[0].signer_serial == esign.pki.state["people"]["kadis"]["nik"]
    if level == "B-LT":
        assert b"/DSS" in signed  # revocation data embedded
    _external_checks(tmp_path, signed)


def test_any_changed_byte_after_signing_is_detected(esign):
    # B-LT: the file carries its own validation data, so it verifies offline (a B-B file cannot:
    # its revocation status would be unknown) and every tampered copy is judged on the same data.
    signed = signers.get_signer("local").sign(letter(), signers.SignRequest(level="B-LT"))
    assert verify_pdf(signed, _trust(esign), allow_fetching=False).valid
    # Every byte of the signed revision (the signature container included); the validation data
    # appended after it is checked by the next test.
    byte_range = PdfFileReader(io.BytesIO(signed)).embedded_signatures[0].sig_object["/ByteRange"]
    end = int(byte_range[2]) + int(byte_range[3])
    step = max(1, end // 250)
    positions = list(range(0, end, step)) + [end - 2]
    for position in positions:
        tampered = bytearray(signed)
        tampered[position] ^= 0x01
        report = verify_pdf(bytes(tampered), _trust(esign), allow_fetching=False)
        assert not report.valid, f"byte {position} changed and still valid"


def test_altered_validation_data_is_not_trusted(esign):
    """Flipping bytes inside the embedded OCSP responses and CRLs: offline the signature can then
    no longer be shown unrevoked — never valid on forged revocation data."""
    signed = signers.get_signer("local").sign(letter(), signers.SignRequest(level="B-LT"))
    reader = PdfFileReader(io.BytesIO(signed))
    dss = reader.root["/DSS"]
    streams = [ref for key in ("/OCSPs", "/CRLs") for ref in dss.get(key, [])]
    assert streams
    for ref in streams:
        raw = ref.get_object().encoded_data
        offset = signed.index(raw) + len(raw) // 2
        tampered = bytearray(signed)
        tampered[offset] ^= 0x01
        assert not verify_pdf(bytes(tampered), _trust(esign), allow_fetching=False).valid


def test_incremental_signatures_and_a_later_page_change(esign, tmp_path):
    first = signers.get_signer("local").sign(letter(2), signers.SignRequest(field_name="TTE-1"))
    second = signers.get_signer("seal").sign(first, signers.SignRequest(field_name="TTE-2", level="B-T"))
    report = verify_pdf(second, _trust(esign))
    assert report.valid and [s.field for s in report.signatures] == ["TTE-1", "TTE-2"]
    assert not report.signatures[0].covers_whole_file and report.signatures[1].covers_whole_file
    assert report.signatures[1].signer.startswith("Pemerintah Provinsi Bali")
    _external_checks(tmp_path, second)
    # Append a page in a new incremental revision: the signatures stay intact, but the change is caught.
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils import generic

    writer = IncrementalPdfFileWriter(io.BytesIO(second))
    page = generic.DictionaryObject({generic.NameObject("/Type"): generic.NameObject("/Page"),
                                     generic.NameObject("/MediaBox"): generic.ArrayObject([generic.NumberObject(0)] * 2 + [generic.NumberObject(595), generic.NumberObject(842)])})
    writer.insert_page(page)
    out = io.BytesIO()
    writer.write(out)
    changed = verify_pdf(out.getvalue(), _trust(esign))
    assert not changed.valid and changed.signatures[-1].changes_after_signing == "other"


def test_revoked_signer_and_untrusted_root_are_refused(esign):
    revoked = signers.LocalPkcs12Signer(str(esign.pki.path("pensiun.p12")), "uji-only").sign(letter(), signers.SignRequest())
    report = verify_pdf(revoked, _trust(esign))
    assert not report.valid and report.signatures[0].revoked and "revoked" in report.signatures[0].problem
    from cryptography.hazmat.primitives.asymmetric import rsa  # an unrelated root
    import datetime as dt
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Some Other Root")])
    now = dt.datetime.now(dt.timezone.utc)
    other = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key()).serial_number(1)
             .not_valid_before(now).not_valid_after(now + dt.timedelta(days=1))
             .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True).sign(key, hashes.SHA256()))
    good = signers.get_signer("local").sign(letter(), signers.SignRequest())
    untrusted = verify_pdf(good, [pades.to_asn1(other)])
    assert not untrusted.valid and not untrusted.signatures[0].trusted


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_bsre_client_gets_a_genuinely_signed_pdf(esign, settings, version, caplog):
    settings.ESIGN_BSRE_API_VERSION = version
    nik = esign.pki.state["people"]["gubernur"]["nik"]
    bsre = signers.get_signer("bsre")
    assert bsre.user_status(nik) == "ISSUE"
    with caplog.at_level(logging.DEBUG):
        signed = bsre.sign(letter(), signers.SignRequest(nik=nik, passphrase=PASSPHRASE, reason="uji"))
        with pytest.raises(signers.SignerError) as wrong:
            bsre.sign(letter(), signers.SignRequest(nik=nik, passphrase=PASSPHRASE + "x"))
    assert wrong.value.code == "wrong_passphrase" and wrong.value.bsre_code == 2031 and PASSPHRASE not in str(wrong.value)
    assert PASSPHRASE not in caplog.text and PASSPHRASE not in repr(signers.SignRequest(nik=nik, passphrase=PASSPHRASE))
    report = verify_pdf(signed, _trust(esign))
    assert report.valid and report.signatures[0].signer_serial == nik and report.signatures[0].level == "B-T"
    with pytest.raises(signers.SignerError) as unknown:
        bsre.sign(letter(), signers.SignRequest(nik="1234567890123456", passphrase=PASSPHRASE))
    assert unknown.value.code == "not_registered"
    with pytest.raises(signers.SignerError) as inactive:
        bsre.sign(letter(), signers.SignRequest(nik=esign.pki.state["people"]["pensiun"]["nik"], passphrase=PASSPHRASE))
    assert inactive.value.code == "certificate_inactive"


def test_bsre_v2_totp_and_bad_client_credentials(esign, settings):
    nik = esign.pki.state["people"]["sekda"]["nik"]
    bsre = signers.get_signer("bsre")
    bsre.request_totp(nik)
    code = esign.bsre.totp[nik][0]  # what BSrE sent the official by SMS
    signed = bsre.sign(letter(), signers.SignRequest(nik=nik, totp=code))
    assert verify_pdf(signed, _trust(esign)).valid
    with pytest.raises(signers.SignerError) as reused:
        bsre.sign(letter(), signers.SignRequest(nik=nik, totp=code))  # one-time
    assert reused.value.code == "wrong_totp"
    settings.ESIGN_BSRE_CLIENT_SECRET = "wrong"
    with pytest.raises(signers.SignerError) as refused:
        signers.get_signer("bsre").sign(letter(), signers.SignRequest(nik=nik, passphrase=PASSPHRASE))
    assert refused.value.code == "misconfigured"


def test_bsre_unreachable_is_a_clear_error(esign, settings):
    settings.ESIGN_BSRE_URL = "http://127.0.0.1:9"
    with pytest.raises(signers.SignerError) as exc:
        signers.get_signer("bsre").sign(letter(), signers.SignRequest(nik="5171010101700001", passphrase=PASSPHRASE))
    assert exc.value.code == "unavailable"


def test_bsre_verify_endpoints_agree(esign):
    import base64

    import httpx

    signed = signers.get_signer("local").sign(letter(), signers.SignRequest())
    auth = (esign.bsre.client_id, esign.bsre.client_secret)
    v2 = httpx.post(f"{esign.bsre_url}/api/v2/verify/pdf", json={"file": base64.b64encode(signed).decode()}, auth=auth).json()
    assert v2["conclusion"] == "VALID" and v2["signatureCount"] == 1
    v1 = httpx.post(f"{esign.bsre_url}/api/sign/verify", files={"signed_file": ("a.pdf", signed, "application/pdf")}, auth=auth).json()
    assert v1["summary"] == "VALID" and v1["jumlah_signature"] == 1
