"""The signing half of the workflow as officials meet it: countersigning a PDF that arrives signed,
B-LTA archives and their renewal, several letters with one BSrE call, one-time codes, a revoked
certificate refused before the passphrase, the registry telling apart earlier revisions, and
the guards that keep a wrong certificate or a lower level out of the registry."""

from __future__ import annotations

import pytest

from spbe.audit.models import AuditEvent
from spbe.core.roles import Role
from spbe.esign import services, signers
from spbe.esign.models import Document, DocumentFile, SignatureStep
from spbe.esign.verify import verify_pdf
from tests.conftest import make_user

from .fixtures import PASSPHRASE, letter


@pytest.fixture
def desk(world, esign):
    agency = world.agency_a
    people = {
        "drafter": world.users["staff_a"],
        "kadis": make_user("kadis", agency, Role.SIGNER),
        "sekda": make_user("sekda", agency, Role.SIGNER),
        "sealer": make_user("sekretariat", agency, Role.SIGNER),
        "retired": make_user("pensiun", agency, Role.SIGNER),
    }
    for label in ("kadis", "sekda"):
        services.set_signer_profile(people[label], nik=esign.pki.state["people"][label]["nik"], title=f"Jabatan {label}")
    services.set_signer_profile(people["retired"], nik=esign.pki.state["people"]["pensiun"]["nik"], title="Mantan pejabat")
    return agency, people


def _document(agency, people, signers_, *, level="B-T", data=None, title="Undangan Rapat"):
    document = services.create_document(
        agency=agency, title=title, class_code="000.1.2", classification="biasa", file_name="surat.pdf",
        data=data or letter(), reviewers=[], signers_=signers_, level=level, by=people["drafter"])
    return services.submit(document, people["drafter"])  # no paraf: straight to numbering and signing


def _bsre_sign_calls(esign) -> int:
    return sum(1 for r in esign.bsre.requests if r["path"] in ("/api/v2/sign/pdf", "/api/v1/sign/pdf"))


def test_a_pdf_that_arrives_signed_is_countersigned_without_touching_its_signature(desk, esign):
    agency, people = desk
    nik = esign.pki.state["people"]["sekda"]["nik"]
    # A letter from another institution, already signed there (B-T, certified: forms and signing allowed).
    arrived = signers.get_signer("local", nik=nik).sign(letter(), signers.SignRequest(level="B-T", nik=nik, certify=True))
    document = _document(agency, people, [(people["kadis"], SignatureStep.Method.BSRE)], level="B-LT", data=arrived)
    assert document.arrived_signed and document.status == "signing"
    # Nothing was stamped into it: the file to sign is byte for byte the one that arrived.
    assert services.read(services.current_file(document)) == arrived
    document = services.sign(document, by=people["kadis"], passphrase=PASSPHRASE)
    final = services.read(services.current_file(document))
    assert final.startswith(arrived)  # an incremental update only
    report = verify_pdf(final, signers.trust_roots())
    assert [s.indication for s in report.signatures] == ["TOTAL_PASSED", "TOTAL_PASSED"]
    assert report.signatures[0].signer_serial == nik and report.signatures[1].level == "B-LT"


def test_a_tampered_signed_pdf_is_refused_for_countersigning(desk, esign):
    agency, people = desk
    nik = esign.pki.state["people"]["sekda"]["nik"]
    arrived = bytearray(signers.get_signer("local", nik=nik).sign(letter(), signers.SignRequest(level="B-B", nik=nik)))
    position = arrived.find(b"halaman")
    arrived[position] = ord("H")  # one letter of the signed content
    with pytest.raises(services.ServiceError) as refused:
        _document(agency, people, [(people["kadis"], SignatureStep.Method.BSRE)], data=bytes(arrived))
    assert "countersigned" in refused.value.message and not Document.objects.exists()


def test_b_lta_archive_is_renewed_and_stays_in_the_registry(desk, esign):
    agency, people = desk
    document = _document(agency, people, [(people["kadis"], SignatureStep.Method.BSRE)], level="B-LTA")
    document = services.sign(document, by=people["kadis"], passphrase=PASSPHRASE)
    signed = services.read(services.current_file(document))
    report = verify_pdf(signed, signers.trust_roots())
    assert report.valid and report.signatures[0].level == "B-LTA" and len(report.document_timestamps) == 1
    # Far from expiry nothing happens; within the renewal window a fresh timestamp is added.
    assert services.renew_archive_timestamps(within_days=0) == []
    assert services.renew_archive_timestamps(within_days=365 * 50) == [document.pk]
    document.refresh_from_db()
    archived = services.current_file(document)
    assert archived.kind == DocumentFile.Kind.ARCHIVED and document.final_sha256 == archived.sha256
    renewed = services.read(archived)
    assert renewed.startswith(signed)
    renewed_report, record = services.verify_upload(renewed)
    assert renewed_report.valid and len(renewed_report.document_timestamps) == 2
    assert record is not None and record.exact_copy and record.latest and record.complete
    # The copy before renewal is still a registered signed revision, now no longer the latest.
    _old_report, old_record = services.verify_upload(signed)
    assert old_record is not None and old_record.exact_copy and not old_record.latest
    assert AuditEvent.objects.filter(action="esign.document.archive_timestamp_renewed", target_id=str(document.pk)).exists()


def test_several_letters_are_signed_with_one_passphrase_in_one_bsre_call(desk, esign):
    agency, people = desk
    documents = [_document(agency, people, [(people["kadis"], SignatureStep.Method.BSRE)], title=f"Surat {n}") for n in range(3)]
    calls = _bsre_sign_calls(esign)
    done = services.sign_batch(documents, by=people["kadis"], passphrase=PASSPHRASE)
    assert _bsre_sign_calls(esign) == calls + 1
    assert [d.status for d in done] == ["signed"] * 3
    for document in done:
        report = verify_pdf(services.read(services.current_file(document)), signers.trust_roots())
        assert report.valid and report.signatures[0].signer_serial == esign.pki.state["people"]["kadis"]["nik"]
    # A wrong passphrase signs none of them and leaves each waiting with the reason.
    more = [_document(agency, people, [(people["kadis"], SignatureStep.Method.BSRE)], title=f"Lagi {n}") for n in range(2)]
    with pytest.raises(services.SigningProblem) as wrong:
        services.sign_batch(more, by=people["kadis"], passphrase="bukan-ini")
    assert "passphrase" in wrong.value.message
    for document in more:
        document.refresh_from_db()
        step = document.signatures.get()
        assert document.status == "signing" and step.status == "waiting" and "passphrase" in step.last_error


def test_batch_refuses_a_document_that_is_not_the_signers_turn(desk, esign):
    from django.core.exceptions import PermissionDenied

    agency, people = desk
    mine = _document(agency, people, [(people["kadis"], SignatureStep.Method.BSRE)])
    theirs = _document(agency, people, [(people["sekda"], SignatureStep.Method.BSRE)])
    with pytest.raises(PermissionDenied):
        services.sign_batch([mine, theirs], by=people["kadis"], passphrase=PASSPHRASE)
    theirs.refresh_from_db()
    assert theirs.status == "signing" and not theirs.files.filter(kind=DocumentFile.Kind.SIGNED).exists()


def test_one_time_code_signs_once(desk, esign):
    agency, people = desk
    nik = esign.pki.state["people"]["kadis"]["nik"]
    first = _document(agency, people, [(people["kadis"], SignatureStep.Method.BSRE)], title="Pertama")
    second = _document(agency, people, [(people["kadis"], SignatureStep.Method.BSRE)], title="Kedua")
    services.request_bsre_totp(people["kadis"])
    code = esign.bsre.totp[nik][0]  # what BSrE sends to the official's phone
    assert services.sign(first, by=people["kadis"], totp=code).status == "signed"
    with pytest.raises(services.SigningProblem) as reused:
        services.sign(second, by=people["kadis"], totp=code)
    assert "one-time code" in reused.value.message
    # A code asked for two files covers a batch of two.
    services.request_bsre_totp(people["kadis"], files=2)
    more = [_document(agency, people, [(people["kadis"], SignatureStep.Method.BSRE)], title=f"Batch {n}") for n in range(2)]
    done = services.sign_batch(more, by=people["kadis"], totp=esign.bsre.totp[nik][0])
    assert len(done) == 2
    assert AuditEvent.objects.filter(action="esign.bsre.totp_requested").count() == 2
    assert not AuditEvent.objects.filter(data__icontains=code).exists()


def test_a_revoked_bsre_certificate_is_shown_before_the_passphrase_and_refused(desk, esign):
    from tests.conftest import login

    agency, people = desk
    status, text = services.bsre_status(people["retired"])
    assert status == "REVOKE" and text == str(services.BSRE_STATUS_TEXT["REVOKE"])
    assert services.bsre_status(people["kadis"])[0] == "ISSUE"
    document = _document(agency, people, [(people["retired"], SignatureStep.Method.BSRE)])
    client = login(people["retired"])
    page = client.get(f"/console/tte/{document.pk}/").content.decode()
    assert "Sertifikat BSrE Anda telah dicabut" in page and 'name="passphrase"' not in page and 'data-testid="sign"' not in page
    assert "esign.document" not in page  # the history reads in words, not event codes
    with pytest.raises(services.SigningProblem) as refused:
        services.sign(document, by=people["retired"], passphrase=PASSPHRASE)
    assert "tidak aktif" in refused.value.message  # the language of the page just shown


def test_an_earlier_revision_is_flagged_as_such_in_the_registry(desk, esign):
    agency, people = desk
    document = _document(agency, people, [(people["kadis"], SignatureStep.Method.BSRE), (people["sealer"], SignatureStep.Method.SEAL)])
    document = services.sign(document, by=people["kadis"], passphrase=PASSPHRASE)
    half = services.read(services.current_file(document))
    _report, record = services.verify_upload(half)
    assert record.exact_copy and not record.complete  # signing is not finished
    document = services.sign(document, by=people["sealer"])
    _report, record = services.verify_upload(half)
    assert record.exact_copy and not record.latest and not record.complete
    _report, record = services.verify_upload(services.read(services.current_file(document)))
    assert record.exact_copy and record.latest and record.complete


def test_a_signature_from_the_wrong_certificate_is_not_kept(desk, esign, monkeypatch):
    """If the seal backend were misconfigured to sign with a person's key, the result is refused."""
    agency, people = desk
    document = _document(agency, people, [(people["sealer"], SignatureStep.Method.SEAL)])
    nik = esign.pki.state["people"]["sekda"]["nik"]
    monkeypatch.setattr(services, "_backend", lambda step, request: signers.get_signer("local", nik=nik))
    with pytest.raises(services.SigningProblem) as wrong:
        services.sign(document, by=people["sealer"])
    assert "seal" in wrong.value.message
    document.refresh_from_db()
    assert document.status == "signing" and not document.files.filter(kind=DocumentFile.Kind.SIGNED).exists()


def test_a_personal_step_refuses_someone_elses_certificate(desk, esign, monkeypatch):
    agency, people = desk
    document = _document(agency, people, [(people["kadis"], SignatureStep.Method.LOCAL)])
    other = esign.pki.state["people"]["sekda"]["nik"]
    monkeypatch.setattr(services, "_backend", lambda step, request: signers.get_signer("local", nik=other))
    with pytest.raises(services.SigningProblem) as wrong:
        services.sign(document, by=people["kadis"])
    assert "NIK" in wrong.value.message


def test_a_signature_below_the_documents_level_is_not_kept(desk, esign, monkeypatch):
    agency, people = desk
    document = _document(agency, people, [(people["kadis"], SignatureStep.Method.BSRE)], level="B-LT")
    real = services._request_for

    def lower(*args, **kwargs):
        request = real(*args, **kwargs)
        request.level = "B-B"  # as if a backend ignored the level asked for
        return request

    monkeypatch.setattr(services, "_request_for", lower)
    monkeypatch.setattr(esign.bsre, "level", "B-B")
    with pytest.raises(services.SigningProblem) as low:
        services.sign(document, by=people["kadis"], passphrase=PASSPHRASE)
    assert "B-LT" in low.value.message


@pytest.fixture
def responders_down(esign):
    from spbe.esign import fetchers

    fetchers.clear_cache()  # answers fetched by earlier tests would still be fresh
    esign.pki_server.outage.update({"ocsp", "crl"})
    yield
    esign.pki_server.outage.clear()


def test_signing_is_refused_when_the_responders_are_down(desk, esign, responders_down):
    """B-LT needs revocation data now; without it nothing is kept (no file with a silent gap)."""
    agency, people = desk
    document = _document(agency, people, [(people["sealer"], SignatureStep.Method.SEAL)], level="B-LT")
    with pytest.raises(services.SigningProblem) as refused:
        services.sign(document, by=people["sealer"])
    assert "validation data" in refused.value.message or "revocation" in refused.value.message.lower()
    document.refresh_from_db()
    assert document.status == "signing" and not document.files.filter(kind=DocumentFile.Kind.SIGNED).exists()
    # Even B-T is not kept: the signer's certificate cannot be confirmed as not revoked right now.
    quick = _document(agency, people, [(people["sealer"], SignatureStep.Method.SEAL)], level="B-T")
    with pytest.raises(services.SigningProblem):
        services.sign(quick, by=people["sealer"])
    # Once the responders are back the same step signs.
    esign.pki_server.outage.clear()
    assert services.sign(document, by=people["sealer"]).status == "signed"


def test_seal_first_then_bsre_leaves_the_letter_uncertified_so_bsre_can_sign_visibly(desk, esign):
    agency, people = desk
    document = _document(agency, people, [(people["sealer"], SignatureStep.Method.SEAL), (people["kadis"], SignatureStep.Method.BSRE)])
    services.sign(document, by=people["sealer"])
    document = services.sign(document, by=people["kadis"], passphrase=PASSPHRASE)
    report = verify_pdf(services.read(services.current_file(document)), signers.trust_roots())
    assert report.valid and not any(s.certified for s in report.signatures)
    # Our own letter with only local signers is certified by its first signature.
    own = _document(agency, people, [(people["kadis"], SignatureStep.Method.LOCAL), (people["sealer"], SignatureStep.Method.SEAL)])
    services.sign(own, by=people["kadis"])
    own = services.sign(own, by=people["sealer"])
    report = verify_pdf(services.read(services.current_file(own)), signers.trust_roots())
    assert report.valid and [s.certified for s in report.signatures] == [True, False]
