"""QRIS payloads (EMVCo TLV + CRC-16/CCITT-FALSE) and the signed voucher code."""

from datetime import date

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from spbe.levy import codec, protect, qris
from spbe.levy.banksim import SIM_MERCHANT

pytestmark = pytest.mark.db_independent  # no database: the PostgreSQL leg of CI skips it


def test_crc_check_value():
    assert qris.crc16_ccitt_false(b"123456789") == 0x29B1


def test_dynamic_payload_round_trip():
    payload = qris.dynamic_payload(SIM_MERCHANT, 150000, "LB7K3M9Q2X-P1")
    parsed = qris.parse(payload)
    assert parsed.dynamic and parsed.amount == 150000 and parsed.reference == "LB7K3M9Q2X-P1"
    assert parsed.nmid == SIM_MERCHANT.nmid and parsed.currency == "360"
    assert payload.startswith("000201010212") and payload[-8:-4] == "6304"


@pytest.mark.parametrize("position", [10, 60, 100])
def test_any_changed_character_breaks_the_crc(position):
    payload = qris.dynamic_payload(SIM_MERCHANT, 150000, "LB7K3M9Q2X-P1")
    changed = payload[:position] + ("1" if payload[position] != "1" else "2") + payload[position + 1:]
    with pytest.raises(qris.QrisError):
        qris.parse(changed)


def test_amount_edit_of_a_static_qr_is_caught():
    payload = qris.dynamic_payload(SIM_MERCHANT, 150000, "REF")
    with pytest.raises(qris.QrisError, match="CRC"):
        qris.parse(payload.replace("5406150000", "5406015000"))


def _claims(**overrides):
    values = dict(key_number=1, kind="paid", reference="7K3M9Q2X", valid_from=date(2026, 11, 20), valid_until=date(2027, 1, 22),
                  passport_check=protect.passport_check_bytes("AU", "PA1234567"), nationality="AU", name="Olivia Smith")
    values.update(overrides)
    return codec.VoucherClaims(**values)


def test_code_round_trip_and_no_passport_in_it():
    key = Ed25519PrivateKey.generate()
    text = codec.sign(_claims(), key)
    assert text.startswith("LB1:") and len(text) < 200
    assert codec.verify(text, {1: key.public_key()}) == _claims()
    blob = codec._decode_blob(text)
    assert b"PA1234567" not in blob and b"1234567" not in blob


def test_every_altered_byte_is_rejected():
    key = Ed25519PrivateKey.generate()
    blob = codec._decode_blob(codec.sign(_claims(), key))
    import base64

    for i in range(len(blob)):
        altered = bytearray(blob)
        altered[i] ^= 0x01
        text = "LB1:" + base64.b32encode(bytes(altered)).decode().rstrip("=")
        with pytest.raises(codec.VoucherCodeError):
            codec.verify(text, {1: key.public_key()})


def test_forged_with_another_key_is_rejected():
    genuine, forger = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    forged = codec.sign(_claims(valid_until=date(2030, 1, 1)), forger)
    with pytest.raises(codec.VoucherCodeError, match="signature"):
        codec.verify(forged, {1: genuine.public_key()})
    with pytest.raises(codec.VoucherCodeError, match="unknown key"):
        codec.verify(codec.sign(_claims(key_number=9), forger), {1: genuine.public_key()})


@pytest.mark.parametrize("text", ["", "hello", "LB1:", "LB1:!!!!", "LB1:AAAA", "LB2:AEAQ"])
def test_garbage_is_rejected_cleanly(text):
    with pytest.raises(codec.VoucherCodeError):
        codec.verify(text, {})


def test_passport_protection():
    assert protect.normalize_passport(" pa-123 4567 ") == "PA1234567"
    assert protect.passport_hash("AU", "pa 1234567") == protect.passport_hash("au", "PA1234567")
    assert protect.passport_hash("AU", "PA1234567") != protect.passport_hash("NZ", "PA1234567")
    token = protect.encrypt("PA1234567")
    assert "PA1234567" not in token and protect.decrypt(token) == "PA1234567"
    with pytest.raises(ValueError):
        protect.decrypt(token[:-4] + "AAAA")
    assert protect.mask_passport("PA1234567") == "••••••567"
