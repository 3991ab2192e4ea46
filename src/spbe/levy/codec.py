"""The voucher QR: a short reference plus an Ed25519 signature, verifiable offline.

Text form: ``LB1:`` + unpadded base32 of ``payload || signature`` (QR alphanumeric mode).
Payload (version 1, big-endian):

    0  version (1)        1  key number (1)     2  kind (1: paid, 2: exempt)
    3  reference (8 ASCII, unambiguous alphabet)
   11  valid from, valid until (days since 2020-01-01, 2 bytes each)
   15  passport check (2 bytes, see protect.passport_check_bytes)
   17  nationality (2 ASCII)
   19  name length n (1), then n bytes of UTF-8 name (at most 32)
   20+n  Ed25519 signature over bytes 0..20+n (64)

No passport number is in it. The checkpoint page (static/levy/checkpoint.js) decodes the same
layout with WebCrypto; keep the two in step.
"""

from __future__ import annotations

import base64
import struct
from dataclasses import dataclass
from datetime import date, timedelta

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

PREFIX = "LB1:"
VERSION = 1
EPOCH = date(2020, 1, 1)
KIND_CODES = {"paid": 1, "exempt": 2}
KIND_NAMES = {v: k for k, v in KIND_CODES.items()}
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L
REFERENCE_LENGTH = 8
MAX_NAME_BYTES = 32
SIGNATURE_LENGTH = 64


class VoucherCodeError(ValueError):
    """The text is not a voucher code we issued (bad format, bad signature, unknown key)."""


@dataclass(frozen=True)
class VoucherClaims:
    key_number: int
    kind: str
    reference: str
    valid_from: date
    valid_until: date
    passport_check: bytes
    nationality: str
    name: str


def _day(value: date) -> int:
    days = (value - EPOCH).days
    if not 0 <= days <= 0xFFFF:
        raise ValueError(f"date {value} is outside the voucher date range")
    return days


def _truncate_utf8(text: str, limit: int) -> bytes:
    data = text.encode("utf-8")[:limit]
    return data.decode("utf-8", "ignore").encode("utf-8")


def is_reference(text: str) -> bool:
    return len(text) == REFERENCE_LENGTH and all(c in REFERENCE_ALPHABET for c in text)


def encode_payload(claims: VoucherClaims) -> bytes:
    if not is_reference(claims.reference):
        raise ValueError(f"bad voucher reference {claims.reference!r}")
    name = _truncate_utf8(claims.name, MAX_NAME_BYTES)
    nationality = claims.nationality.upper().encode("ascii")
    if len(nationality) != 2 or len(claims.passport_check) != 2:
        raise ValueError("nationality must be ISO alpha-2 and passport check 2 bytes")
    return (
        struct.pack(">BBB", VERSION, claims.key_number, KIND_CODES[claims.kind])
        + claims.reference.encode("ascii")
        + struct.pack(">HH", _day(claims.valid_from), _day(claims.valid_until))
        + claims.passport_check
        + nationality
        + bytes([len(name)])
        + name
    )


def sign(claims: VoucherClaims, private_key: Ed25519PrivateKey) -> str:
    payload = encode_payload(claims)
    blob = payload + private_key.sign(payload)
    return PREFIX + base64.b32encode(blob).decode("ascii").rstrip("=")


def _decode_blob(text: str) -> bytes:
    text = text.strip()
    if not text.upper().startswith(PREFIX):
        raise VoucherCodeError("not a Love Bali voucher code")
    body = text[len(PREFIX):].upper()
    try:
        return base64.b32decode(body + "=" * (-len(body) % 8))
    except (ValueError, base64.binascii.Error) as exc:
        raise VoucherCodeError("the code is damaged (not valid base32)") from exc


def parse_unverified(text: str) -> tuple[VoucherClaims, bytes, bytes]:
    """Split a code into claims, signed bytes and signature without checking the signature."""
    blob = _decode_blob(text)
    if len(blob) < 20 + SIGNATURE_LENGTH:
        raise VoucherCodeError("the code is too short")
    version, key_number, kind = struct.unpack(">BBB", blob[:3])
    if version != VERSION:
        raise VoucherCodeError(f"unknown voucher format version {version}")
    if kind not in KIND_NAMES:
        raise VoucherCodeError("unknown voucher kind")
    name_length = blob[19]
    payload_length = 20 + name_length
    if name_length > MAX_NAME_BYTES or len(blob) != payload_length + SIGNATURE_LENGTH:
        raise VoucherCodeError("the code has the wrong length")
    payload, signature = blob[:payload_length], blob[payload_length:]
    valid_from, valid_until = struct.unpack(">HH", payload[11:15])
    try:
        claims = VoucherClaims(
            key_number=key_number,
            kind=KIND_NAMES[kind],
            reference=payload[3:11].decode("ascii"),
            valid_from=EPOCH + timedelta(days=valid_from),
            valid_until=EPOCH + timedelta(days=valid_until),
            passport_check=payload[15:17],
            nationality=payload[17:19].decode("ascii"),
            name=payload[20:].decode("utf-8"),
        )
    except UnicodeDecodeError as exc:
        raise VoucherCodeError("the code is damaged (bad text field)") from exc
    return claims, payload, signature


def verify(text: str, public_keys: dict[int, Ed25519PublicKey]) -> VoucherClaims:
    """Claims of a genuine code; VoucherCodeError for anything forged, altered or unknown."""
    claims, payload, signature = parse_unverified(text)
    key = public_keys.get(claims.key_number)
    if key is None:
        raise VoucherCodeError(f"signed with unknown key {claims.key_number}")
    try:
        key.verify(signature, payload)
    except InvalidSignature as exc:
        raise VoucherCodeError("the signature does not match: forged or altered code") from exc
    return claims
