"""Protecting passport numbers and partner secrets.

* Lookup: HMAC-SHA256 with a server-side pepper over nationality + normalised number, so the
  database can find "is this passport covered?" without holding the number in clear.
* At rest: Fernet (AES-128-CBC + HMAC-SHA256) under ``LEVY_DATA_KEY``; only officers with the
  lookup right see the decrypted number, and each decryption is audited by the caller.

Development derives both keys from SECRET_KEY; production refuses to start without them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import unicodedata
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

PASSPORT_RE = re.compile(r"^[A-Z0-9]{5,15}$")


def _derive(info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(settings.SECRET_KEY.encode())


@lru_cache(maxsize=4)
def _fernet(configured: str, secret_key: str) -> Fernet:
    key = configured.encode() if configured else base64.urlsafe_b64encode(_derive(b"spbe-levy-data-key"))
    return Fernet(key)


def fernet() -> Fernet:
    return _fernet(settings.LEVY_DATA_KEY, settings.SECRET_KEY)


@lru_cache(maxsize=4)
def _pepper(configured: str, secret_key: str) -> bytes:
    return configured.encode() if configured else _derive(b"spbe-levy-passport-pepper")


def normalize_passport(raw: str) -> str:
    """Upper-case, drop spaces, dashes and other punctuation that people type."""
    text = unicodedata.normalize("NFKC", raw or "").upper()
    return re.sub(r"[^A-Z0-9]", "", text)


def is_plausible_passport(number: str) -> bool:
    return bool(PASSPORT_RE.match(number))


def passport_hash(nationality: str, number: str) -> str:
    message = f"{nationality.upper()}:{normalize_passport(number)}".encode()
    return hmac.new(_pepper(settings.LEVY_PASSPORT_PEPPER, settings.SECRET_KEY), message, hashlib.sha256).hexdigest()


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
