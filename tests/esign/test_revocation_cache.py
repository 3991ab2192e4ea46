"""OCSP/CRL answers are reused while fresh (one verification asks several times; an office signs
stacks of letters) — and only while fresh: never past the setting, never when it is 0."""

from __future__ import annotations

import pytest

from spbe.esign import fetchers, pades, signers
from spbe.esign.verify import verify_pdf

from .fixtures import letter


@pytest.fixture
def outage(esign):
    fetchers.clear_cache()
    yield esign.pki_server.outage
    esign.pki_server.outage.clear()
    fetchers.clear_cache()


def _signed(esign) -> bytes:
    nik = esign.pki.state["people"]["sekda"]["nik"]
    return signers.get_signer("local", nik=nik).sign(letter(), signers.SignRequest(level="B-B", nik=nik))


def test_a_fresh_answer_is_reused_through_a_short_outage(esign, outage):
    roots = [pades.to_asn1(esign.pki.cert("root"))]
    signed = _signed(esign)
    assert verify_pdf(signed, roots).valid
    outage.update({"ocsp", "crl"})
    assert verify_pdf(signed, roots).valid  # the same answers, still fresh


def test_no_reuse_when_the_setting_is_zero(esign, outage, settings):
    settings.ESIGN_REVOCATION_CACHE_SECONDS = 0
    roots = [pades.to_asn1(esign.pki.cert("root"))]
    signed = _signed(esign)
    assert verify_pdf(signed, roots).valid
    outage.update({"ocsp", "crl"})
    report = verify_pdf(signed, roots)
    assert not report.valid and report.signatures[0].sub_indication == "TRY_LATER"


def test_an_answer_is_never_kept_past_its_next_update(esign, outage, monkeypatch):
    import datetime as dt

    roots = [pades.to_asn1(esign.pki.cert("root"))]
    signed = _signed(esign)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)  # past every nextUpdate of the test PKI
    monkeypatch.setattr(fetchers, "_now", lambda: later)
    assert verify_pdf(signed, roots).valid
    outage.update({"ocsp", "crl"})
    assert not verify_pdf(signed, roots).valid
