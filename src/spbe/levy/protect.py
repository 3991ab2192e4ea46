"""Protecting passport numbers and partner secrets.

* Lookup: HMAC-SHA256 with a server-side pepper over nationality + normalised number, so the
  database can find "is this passport covered?" without holding the number in clear.
* At rest: Fernet (AES-128-CBC + HMAC-SHA256) under ``LEVY_DATA_KEY``; only officers with the
  lookup right see the decrypted number, and each decryption is audited by the caller.

Development derives both keys from SECRET_KEY; production refuses to start without them.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings

from spbe.core import keys

PASSPORT_RE = re.compile(r"^[A-Z0-9]{5,15}$")


def fernet() -> Fernet:
    return keys.fernet(settings.LEVY_DATA_KEY, "spbe-levy-data-key")


def _pepper() -> bytes:
    return settings.LEVY_PASSPORT_PEPPER.encode() if settings.LEVY_PASSPORT_PEPPER else keys.derived_key("spbe-levy-passport-pepper")


def normalize_passport(raw: str) -> str:
    """Upper-case, drop spaces, dashes and other punctuation that people type."""
    text = unicodedata.normalize("NFKC", raw or "").upper()
    return re.sub(r"[^A-Z0-9]", "", text)


def is_plausible_passport(number: str) -> bool:
    return bool(PASSPORT_RE.match(number))


def passport_hash(nationality: str, number: str) -> str:
    message = f"{nationality.upper()}:{normalize_passport(number)}".encode()
    return hmac.new(_pepper(), message, hashlib.sha256).hexdigest()


def passport_check_bytes(nationality: str, number: str) -> bytes:
    """Two bytes an offline scanner can recompute from a typed passport number.

    Unkeyed on purpose (the scanner has no secret); two bytes leak too little to find a
    number but catch a voucher shown with someone else's passport 65,535 times in 65,536.
    """
    return hashlib.sha256(f"LB1|{nationality.upper()}|{normalize_passport(number)}".encode()).digest()[:2]


def encrypt(text: str) -> str:
    return fernet().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:  # wrong key or altered ciphertext
        raise ValueError("encrypted value cannot be read with the configured LEVY_DATA_KEY") from exc


def mask_passport(number: str) -> str:
    number = normalize_passport(number)
    return "•" * max(0, len(number) - 3) + number[-3:]


def mask_name(name: str) -> str:
    """"John Smith" → "J*** S****": enough for a traveller to recognise their own voucher,
    not enough for someone holding a reference to learn who it belongs to."""
    return " ".join(word[0] + "*" * (len(word) - 1) for word in (name or "").split())
