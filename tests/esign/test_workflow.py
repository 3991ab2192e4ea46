"""The document workflow: draft → paraf in order → number, date, QR stamped → signatures in
order → registry; bad files; public verification; access across agencies; audit trail."""

from __future__ import annotations

import io
import subprocess

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from spbe.audit.models import AuditEvent
from spbe.core.roles import Role
from spbe.esign import services
from spbe.esign.models import Document, SignatureStep
from tests.conftest import login, make_user

from .fixtures import PASSPHRASE, letter, write


@pytest.fixture
def office(world, esign):
    agency = world.agency_a
    people = {
        "drafter": world.users["staff_a"],
        "reviewer1": make_user("pemeriksa1", agency, Role.DOCUMENT_REVIEWER),
        "reviewer2": make_user("pemeriksa2", agency, Role.DOCUMENT_REVIEWER),
        "signer": make_user("kadis", agency, Role.SIGNER),
        "sealer": make_user("sekretariat", agency, Role.SIGNER),
    }
    services.set_signer_profile(people["signer"], nik=esign.pki.state["people"]["kadis"]["nik"], title="Kepala Dinas A")
    return agency, people


def _create(agency, people, **overrides):
    values = dict(agency=agency, title="Undangan Rapat", class_code="000.1.2", classification="biasa", file_name="undangan.pdf",
                  data=letter(2), reviewers=[people["reviewer1"], people["reviewer2"]],
                  signers_=[(people["signer"], SignatureStep.Method.BSRE), (people["sealer"], SignatureStep.Method.SEAL)],
                  level="B-T", by=people["drafter"])
    values.update(overrides)
    return services.create_document(**values)


def _encrypted() -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(letter())))
    writer.encrypt("rahasia")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize("data, message", [
    (b"PK\x03\x04 a zip renamed to pdf", "not a PDF"),
    (b"", "empty"),
    (b"%PDF-1.7\n garbage without objects", "damaged"),
    ("encrypted", "password-protected"),
])
def test_bad_files_get_a_clear_error(office, data, message):
    agency, people = office
    if data == "encrypted":
        data = _encrypted()
    with pytest.raises(services.ServiceError) as exc:
        _create(agency, people, data=data)
    assert message in exc.value.message
    assert not Document.objects.exists()


def test_too_large_file(office, settings):
    settings.ESIGN_MAX_BYTES = 1000
    agency, people = office
    with pytest.raises(services.ServiceError) as exc:
        _create(agency, people)
    assert "too large" in exc.value.message


def test_full_chain_with_two_signers_then_public_verification(office, esign, tmp_path):
    agency, people = office
    document = _create(agency, people)
    services.submit(document, people["drafter"])
    with pytest.raises(PermissionDenied):
        services.paraf(document, by=people["reviewer2"], approve=True)  # not yet their turn
    with pytest.raises(services.ServiceError):
        services.paraf(document, by=people["reviewer1"], approve=False, note="")  # a return needs a note
    services.paraf(document, by=people["reviewer1"], approve=False, note="Perbaiki tanggal rapat")
    document.refresh_from_db()
    assert document.status == "returned"
    services.replace_draft(document, file_name="v2.pdf", data=letter(2, "Surat uji v2"), by=people["drafter"])
    services.submit(document, people["drafter"])
    services.paraf(document, by=people["reviewer1"], approve=True)
    document = services.paraf(document, by=people["reviewer2"], approve=True)
    assert document.status == "signing" and document.number == f"000.1.2/1/{(agency.short_name or agency.code).upper().replace(' ', '')}/{document.dated.year}"
    stamped = services.read(services.current_file(document))
    # The QR decodes from a 150 dpi render of the last page and holds the verification URL.
    path = write(tmp_path, "stamped.pdf", stamped)
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-f", "2", "-l", "2", str(path), str(tmp_path / "page")], check=True)
    import zxingcpp
    from PIL import Image

    image = Image.open(next(tmp_path.glob("page*.png")))
    decoded = [r.text for r in zxingcpp.read_barcodes(image)]
    assert decoded == [services.verify_url(document)]

    with pytest.raises(PermissionDenied):
        services.sign(document, by=people["sealer"])  # the BSrE signer goes first
    with pytest.raises(services.ServiceError) as wrong:
        services.sign(document, by=people["signer"], passphrase="salah")
    assert "passphrase" in wrong.value.message
    services.sign(document, by=people["signer"], passphrase=PASSPHRASE)
    document = services.sign(document, by=people["sealer"])
    assert document.status == "signed"
    final = services.read(services.current_file(document))
    report, record = services.verify_upload(final)
    assert report.valid and [s.signer_serial for s in report.signatures][0] == esign.pki.state["people"]["kadis"]["nik"]
    assert record is not None and record.exact_copy and record.number == document.number
    assert document.final_sha256 == report.sha256
    # A copy with one byte changed is neither valid nor the registered copy.
    tampered = bytearray(final)
    tampered[len(final) // 3] ^= 0x01
    bad_report, bad_record = services.verify_upload(bytes(tampered))
    assert not bad_report.valid and bad_record is None
    # Public pages: the QR link shows the registry record; upload verification.
    client = Client()
    page = client.get(f"/tte/v/{document.verify_token}/")
    assert page.status_code == 200 and document.number in page.content.decode()
    assert client.get(f"/tte/v/{document.verify_token}/document.pdf").status_code == 200
    assert client.get("/tte/v/not-a-token/").status_code == 404
    from django.core.files.uploadedfile import SimpleUploadedFile

    result = client.post("/tte/verify/", {"file": SimpleUploadedFile("x.pdf", final, "application/pdf")}).content.decode()
    assert 'data-valid="true"' in result and 'data-testid="registry-match"' in result
    api = client.post("/api/v1/esign/verify", {"file": SimpleUploadedFile("x.pdf", bytes(tampered), "application/pdf")}).json()
    assert api["valid"] is False and api["registry"] is None
    # Audit trail and passphrase hygiene.
    actions = list(AuditEvent.objects.filter(target_type="esign.document", target_id=str(document.pk)).order_by("sequence").values_list("action", flat=True))
    assert actions[:2] == ["esign.document.created", "esign.document.submitted"]
    assert "esign.document.sign_failed" in actions and actions[-1] == "esign.document.completed"
    assert actions.count("esign.document.signed") == 2 and actions.count("esign.document.paraf") == 2
    from django.db import connection

    with connection.cursor() as cursor:
        for table in ("audit_auditevent", "esign_signaturestep", "esign_document"):
            cursor.execute(f"SELECT * FROM {table}")
            assert PASSPHRASE not in repr(cursor.fetchall())


def test_restricted_documents_show_no_title_and_no_download(office, esign):
    agency, people = office
    document = _create(agency, people, classification="terbatas", reviewers=[], signers_=[(people["sealer"], "seal")], level="B-B")
    services.submit(document, people["drafter"])
    services.sign(document, by=people["sealer"])
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    page = client.get(f"/tte/v/{document.verify_token}/").content.decode()
    assert "Undangan Rapat" not in page and "(restricted)" in page
    assert client.get(f"/tte/v/{document.verify_token}/document.pdf").status_code == 404


def test_other_agencies_cannot_see_documents(office, world):
    agency, people = office
    document = _create(agency, people)
    assert login(people["drafter"]).get(f"/console/tte/{document.pk}/").status_code == 200
    assert login(people["reviewer1"]).get(f"/console/tte/{document.pk}/").status_code == 200
    for outsider in (world.users["staff_b"], world.users["admin_b"]):
        client = login(outsider)
        assert client.get(f"/console/tte/{document.pk}/").status_code == 404
        assert client.get(f"/api/v1/esign/documents/{document.pk}").status_code == 404
        assert document.pk not in [d["id"] for d in client.get("/api/v1/esign/documents").json()]
    with pytest.raises(services.ServiceError):
        _create(agency, people, reviewers=[make_user("pemeriksa_b", world.agency_b, Role.DOCUMENT_REVIEWER)])


def test_withdrawn_document_shows_as_withdrawn(office):
    agency, people = office
    document = _create(agency, people, reviewers=[], signers_=[(people["sealer"], "seal")], level="B-B")
    services.submit(document, people["drafter"])
    services.sign(document, by=people["sealer"])
    with pytest.raises(services.ServiceError):
        services.withdraw(document, by=people["drafter"], reason=" ")
    services.withdraw(document, by=people["drafter"], reason="Salah alamat")
    assert "Withdrawn" in Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/tte/v/{document.verify_token}/").content.decode()
