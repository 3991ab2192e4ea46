"""Keys for data encrypted at rest (passports, documents, attachments, partner secrets).

Each use has its own setting (e.g. ``LEVY_DATA_KEY``); when it is empty — development only,
production refuses to start without it — a key is derived from SECRET_KEY with HKDF, one per
purpose, so no two uses share a key.
"""

from __future__ import annotations

import base64
from functools import lru_cache

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


def derived_key(purpose: str) -> bytes:
    """32 bytes derived from SECRET_KEY for ``purpose``."""
    return _derive(purpose, settings.SECRET_KEY)


@lru_cache(maxsize=16)
def _derive(purpose: str, secret_key: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose.encode()).derive(secret_key.encode())


def fernet(configured: str, purpose: str) -> Fernet:
    """Fernet with the configured key, or (development) one derived for ``purpose``."""
    return _fernet(configured, purpose, settings.SECRET_KEY)


@lru_cache(maxsize=16)
def _fernet(configured: str, purpose: str, secret_key: str) -> Fernet:
    return Fernet(configured.encode() if configured else base64.urlsafe_b64encode(_derive(purpose, secret_key)))
