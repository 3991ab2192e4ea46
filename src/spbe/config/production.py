"""What production refuses to start with: every development default, placeholder or stand-in.

Called at the end of ``settings`` with its values, so every command, worker and web process
stops before touching data; the message lists every problem at once.
"""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

PLACEHOLDERS = {"", "change-me", "changeme", "secret", "password", "x", "test", "dev",
                "dev-insecure-secret-key-do-not-use-in-production"}
LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0", "[::1]"}
FERNET_KEYS = ("SECURITY_DATA_KEY", "LEVY_DATA_KEY", "ASSISTANT_CHANNEL_KEY")


def entropy_bits(value: str) -> float:
    """Shannon entropy of the characters times the length: 50 × "a" is 0 bits, a key from
    ``get_random_secret_key()`` about 280."""
    if not value:
        return 0.0
    counts = Counter(value)
    per_char = -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())
    return per_char * len(value)


def _fernet_problem(name: str, value: str) -> str | None:
    if not value:
        return f"{name} is not set (data at rest must not be protected by a key derived from SECRET_KEY)"
    if value.lower() in PLACEHOLDERS:
        return f"{name} is a placeholder"
    try:
        from cryptography.fernet import Fernet

        Fernet(value.encode())
    except Exception:  # noqa: BLE001 - any failure means "not a key"
        return f"{name} is not a valid Fernet key (generate one with: python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')"
    import base64

    raw = base64.urlsafe_b64decode(value.encode())
    if all(0x20 <= b < 0x7F for b in raw) or len(set(raw)) < 16:
        # 32 random bytes are all printable once in ~10^14 keys: this one was typed, not made.
        return f"{name} is a valid Fernet key but not a random one (its bytes are text)"
    return None


def _is_loopback(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return host in LOOPBACK_HOSTS or host.startswith("127.")


def _test_pki_roots(paths: list[str], pki_dir: Path) -> list[str]:
    found = []
    for raw in paths:
        path = Path(raw)
        try:
            inside = path.resolve().is_relative_to(pki_dir.resolve())
        except OSError:
            inside = False
        if inside:
            found.append(f"{raw} (inside the test PKI directory)")
            continue
        if not path.is_file():
            found.append(f"{raw} (no such file)")
            continue
        try:
            from cryptography import x509

            data = path.read_bytes()
            certs = x509.load_pem_x509_certificates(data) if b"-----BEGIN" in data else [x509.load_der_x509_certificate(data)]
        except (ValueError, OSError):
            found.append(f"{raw} (not a certificate)")
            continue
        if any("(UJI)" in cert.subject.rfc4514_string() for cert in certs):
            found.append(f"{raw} (a test certificate, '(UJI)')")
    return found


def problems(s: dict) -> list[str]:
    out = []
    secret = s["SECRET_KEY"]
    if secret in PLACEHOLDERS or secret.startswith("django-insecure") or len(secret) < 50:
        out.append("SECRET_KEY is a placeholder or shorter than 50 characters")
    elif len(set(secret)) < 20 or entropy_bits(secret) < 200:
        out.append("SECRET_KEY has too little randomness (use django.core.management.utils.get_random_secret_key())")
    if s["DEBUG"]:
        out.append("DEBUG must be off")
    if not s["ALLOWED_HOSTS"]:
        out.append("ALLOWED_HOSTS is empty")
    for name in FERNET_KEYS:
        problem = _fernet_problem(name, s.get(name, ""))
        if problem:
            out.append(problem)
    fernet_values = [s.get(n) for n in FERNET_KEYS if s.get(n)]
    if len(set(fernet_values)) != len(fernet_values):
        out.append("SECURITY_DATA_KEY, LEVY_DATA_KEY and ASSISTANT_CHANNEL_KEY must be three different keys")
    pepper = s.get("LEVY_PASSPORT_PEPPER", "")
    if not pepper:
        out.append("LEVY_PASSPORT_PEPPER is not set (data at rest must not be protected by a key derived from SECRET_KEY)")
    elif pepper.lower() in PLACEHOLDERS or len(pepper) < 32 or entropy_bits(pepper) < 128:
        out.append("LEVY_PASSPORT_PEPPER must be at least 32 random characters")
    if not s["DATABASE_URL_SET"]:
        out.append("DATABASE_URL is not set (the embedded SQLite default is for development)")
    elif s["DATABASES"]["default"]["ENGINE"].endswith("sqlite3"):
        out.append("DATABASE_URL points at SQLite; production needs PostgreSQL")
    if s["LEVY_PAYMENT_PROVIDER"] == "banksim":
        out.append("LEVY_PAYMENT_PROVIDER is the bank simulator; choose the collecting bank's provider")
    bad_roots = _test_pki_roots(s["ESIGN_TRUST_ROOTS"], s["ESIGN_PKI_DIR"])
    if bad_roots:
        out.append("ESIGN_TRUST_ROOTS must be the real roots (Root CA Indonesia), not: " + "; ".join(bad_roots))
    for name in ("ESIGN_TSA_URL", "ESIGN_BSRE_URL"):
        if _is_loopback(s[name]):
            out.append(f"{name} points at a loopback stand-in ({s[name]})")
    if s.get("ESIGN_PKCS12_PASSWORD") == "uji-only":
        out.append("ESIGN_PKCS12_PASSWORD is the test PKI's")
    if s.get("ESIGN_BSRE_CLIENT_SECRET") == "rahasia-uji":
        out.append("ESIGN_BSRE_CLIENT_SECRET is the fake BSrE's")
    return out
