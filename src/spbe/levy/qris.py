"""QRIS (EMVCo merchant-presented QR) payloads: TLV building, parsing and CRC-16/CCITT-FALSE.

A payload is a flat list of ``tag(2) length(2, decimal) value``; templates nest the same
format. Tag 63 (CRC) is always last and covers everything before it including "6304".
"""

from __future__ import annotations

from dataclasses import dataclass


class QrisError(ValueError):
    pass


def crc16_ccitt_false(data: bytes) -> int:
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
            crc &= 0xFFFF
    return crc


def tlv(tag: str, value: str) -> str:
    if len(tag) != 2 or not tag.isdigit():
        raise QrisError(f"bad tag {tag!r}")
    if len(value) > 99:
        raise QrisError(f"value of tag {tag} is longer than 99 characters")
    return f"{tag}{len(value):02d}{value}"


def parse_tlv(text: str) -> list[tuple[str, str]]:
    items, i = [], 0
    while i < len(text):
        if i + 4 > len(text):
            raise QrisError(f"truncated TLV at position {i}")
        tag, length = text[i : i + 2], text[i + 2 : i + 4]
        if not (tag.isdigit() and length.isdigit()):
            raise QrisError(f"bad TLV header {text[i:i + 4]!r} at position {i}")
        end = i + 4 + int(length)
        if end > len(text):
            raise QrisError(f"tag {tag} runs past the end of the payload")
        items.append((tag, text[i + 4 : end]))
        i = end
    return items


def with_crc(body_without_crc: str) -> str:
    body = body_without_crc + "6304"
    return body + f"{crc16_ccitt_false(body.encode('utf-8')):04X}"


@dataclass(frozen=True)
class Merchant:
    name: str
    city: str
    postal_code: str
    nmid: str  # national merchant id from the QRIS registry
    acquirer_guid: str  # e.g. ID.CO.BPDBALI.WWW
    merchant_pan: str
    merchant_id: str
    mcc: str = "9399"  # government services
    criteria: str = "UBE"


def dynamic_payload(merchant: Merchant, amount: int, reference: str, terminal: str = "LOVEBALI01") -> str:
    """A dynamic (single-use, amount-bearing) QRIS for one payment."""
    if amount <= 0:
        raise QrisError("amount must be positive")
    account = tlv("00", merchant.acquirer_guid) + tlv("01", merchant.merchant_pan) + tlv("02", merchant.merchant_id) + tlv(
        "03", merchant.criteria
    )
    national = tlv("00", "ID.CO.QRIS.WWW") + tlv("02", merchant.nmid) + tlv("03", merchant.criteria)
    additional = tlv("05", reference) + tlv("07", terminal)
    body = (
        tlv("00", "01")
        + tlv("01", "12")
        + tlv("26", account)
        + tlv("51", national)
        + tlv("52", merchant.mcc)
        + tlv("53", "360")
        + tlv("54", str(amount))
        + tlv("58", "ID")
        + tlv("59", merchant.name[:25])
        + tlv("60", merchant.city[:15])
        + tlv("61", merchant.postal_code)
        + tlv("62", additional)
    )
    return with_crc(body)


@dataclass(frozen=True)
class ParsedQris:
    dynamic: bool
    amount: int | None
    currency: str
    merchant_name: str
    nmid: str
    reference: str
    fields: dict


def parse(payload: str) -> ParsedQris:
    """Parse and check a payload; QrisError names what is wrong (CRC, order, missing tags)."""
    payload = payload.strip()
    if len(payload) < 12 or payload[-8:-4] != "6304":
        raise QrisError("the payload does not end with a CRC field (tag 63)")
    expected = crc16_ccitt_false(payload[:-4].encode("utf-8"))
    if payload[-4:].upper() != f"{expected:04X}":
        raise QrisError(f"CRC mismatch: payload says {payload[-4:]}, content gives {expected:04X}")
    fields = dict(parse_tlv(payload))
    if fields.get("00") != "01":
        raise QrisError("payload format indicator (tag 00) must be 01")
    if fields.get("53") != "360":
        raise QrisError("currency (tag 53) must be 360 (IDR)")
    national = dict(parse_tlv(fields["51"])) if "51" in fields else {}
    additional = dict(parse_tlv(fields["62"])) if "62" in fields else {}
    amount = fields.get("54")
    if amount is not None and not amount.isdigit():
        raise QrisError("amount (tag 54) must be whole rupiah")
    return ParsedQris(
        dynamic=fields.get("01") == "12",
        amount=int(amount) if amount else None,
        currency=fields["53"],
        merchant_name=fields.get("59", ""),
        nmid=national.get("02", ""),
        reference=additional.get("05", ""),
        fields=fields,
    )
