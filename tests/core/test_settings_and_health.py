from __future__ import annotations

import os
import subprocess
import sys

import pytest

SETTINGS_IMPORT = "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='spbe.config.settings'; django.setup()"


PRODUCTION_VARS = ("SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "DATABASE_URL", "LEVY_DATA_KEY", "LEVY_PASSPORT_PEPPER",
                   "ASSISTANT_CHANNEL_KEY", "SECURITY_DATA_KEY", "LEVY_PAYMENT_PROVIDER", "ESIGN_TRUST_ROOTS",
                   "ESIGN_TSA_URL", "ESIGN_BSRE_URL", "ESIGN_PKCS12_PASSWORD", "ESIGN_BSRE_CLIENT_SECRET", "CACHE_URL",
                   "DJANGO_ALLOW_ASYNC_UNSAFE")  # the last one is the browser tests' harness, never production


def _start(env_overrides: dict, code: str = SETTINGS_IMPORT) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in PRODUCTION_VARS}
    env.update(env_overrides)
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)


@pytest.fixture(scope="module")
def production_env(tmp_path_factory) -> dict:
    """The production environment the README documents, with freshly made secrets and a root
    certificate that is not the test PKI's."""
    import secrets
    from datetime import datetime, timedelta, timezone

    from cryptography import x509
    from cryptography.fernet import Fernet
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    from django.core.management.utils import get_random_secret_key

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Root CA Indonesia DS G1")])
    now = datetime.now(timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now).not_valid_after(now + timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True).sign(key, hashes.SHA256()))
    root = tmp_path_factory.mktemp("roots") / "root-ca-indonesia.pem"
    root.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return {
        "SPBE_ENV": "production", "SECRET_KEY": get_random_secret_key(), "ALLOWED_HOSTS": "spbe.baliprov.go.id",
        "DATABASE_URL": "postgres://spbe:secret@db.internal:5432/spbe", "CACHE_URL": "redis://10.0.0.5:6379/1",
        "SECURITY_DATA_KEY": Fernet.generate_key().decode(), "LEVY_DATA_KEY": Fernet.generate_key().decode(),
        "ASSISTANT_CHANNEL_KEY": Fernet.generate_key().decode(), "LEVY_PASSPORT_PEPPER": secrets.token_urlsafe(32),
        "LEVY_PAYMENT_PROVIDER": "midtrans", "ESIGN_TRUST_ROOTS": str(root),
        "ESIGN_TSA_URL": "https://tsa.bsre.go.id/", "ESIGN_BSRE_URL": "https://esign.baliprov.go.id",
        "ESIGN_PKCS12_PASSWORD": secrets.token_urlsafe(16), "ESIGN_BSRE_CLIENT_SECRET": secrets.token_urlsafe(16),
    }


def test_production_starts_with_the_documented_settings_and_passes_check_deploy(production_env):
    assert _start(production_env).returncode == 0
    check = subprocess.run([sys.executable, "-m", "spbe.manage", "check", "--deploy", "--fail-level", "WARNING"],
                           env={**{k: v for k, v in os.environ.items() if k not in PRODUCTION_VARS}, **production_env},
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


@pytest.mark.parametrize("change, expected", [
    ({"SECRET_KEY": ""}, "SECRET_KEY is a placeholder"),
    ({"SECRET_KEY": "a" * 50}, "SECRET_KEY has too little randomness"),
    ({"DEBUG": "true"}, "DEBUG must be off"),
    ({"SECURITY_DATA_KEY": ""}, "SECURITY_DATA_KEY is not set"),
    ({"LEVY_DATA_KEY": "x"}, "LEVY_DATA_KEY is a placeholder"),
    ({"LEVY_DATA_KEY": "bm90LWEta2V5"}, "LEVY_DATA_KEY is not a valid Fernet key"),
    ({"ASSISTANT_CHANNEL_KEY": "change-me"}, "ASSISTANT_CHANNEL_KEY is a placeholder"),
    ({"ASSISTANT_CHANNEL_KEY": "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWY="}, "not a random one"),
    ({"LEVY_PASSPORT_PEPPER": "pepper"}, "LEVY_PASSPORT_PEPPER must be at least 32 random characters"),
    ({"DATABASE_URL": ""}, "DATABASE_URL is not set"),
    ({"DATABASE_URL": "sqlite:////tmp/prod.sqlite3"}, "production needs PostgreSQL"),
    ({"LEVY_PAYMENT_PROVIDER": "banksim"}, "bank simulator"),
    ({"ESIGN_TSA_URL": "http://127.0.0.1:8078/tsa"}, "ESIGN_TSA_URL points at a loopback stand-in"),
    ({"ESIGN_BSRE_URL": "http://localhost:8077"}, "ESIGN_BSRE_URL points at a loopback stand-in"),
    ({"ESIGN_TRUST_ROOTS": "/nonexistent/root.pem"}, "no such file"),
    ({"ESIGN_PKCS12_PASSWORD": "uji-only"}, "test PKI's"),
])
def test_production_refuses_every_placeholder_and_stand_in(production_env, change, expected):
    result = _start({**production_env, **change})
    assert result.returncode != 0
    assert expected in result.stderr, result.stderr[-600:]


def test_production_refuses_the_test_pki_roots(production_env, tmp_path):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    from datetime import datetime, timedelta, timezone

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Root CA Indonesia (UJI)")])
    now = datetime.now(timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(2).not_valid_before(now).not_valid_after(now + timedelta(days=30)).sign(key, hashes.SHA256()))
    uji = tmp_path / "uji-root.pem"
    uji.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    result = _start({**production_env, "ESIGN_TRUST_ROOTS": str(uji)})
    assert result.returncode != 0 and "a test certificate" in result.stderr
    keys = [production_env["LEVY_DATA_KEY"]] * 2
    result = _start({**production_env, "SECURITY_DATA_KEY": keys[0], "LEVY_DATA_KEY": keys[1]})
    assert result.returncode != 0 and "three different keys" in result.stderr


def test_bad_environment_values_are_explained():
    result = _start({"DEBUG": "maybe"})
    assert result.returncode != 0 and "DEBUG must be a boolean" in result.stderr
    result = _start({"SPBE_TASKS_BACKEND": "carrier-pigeon"})
    assert result.returncode != 0 and "SPBE_TASKS_BACKEND must be one of" in result.stderr


@pytest.mark.django_db
def test_healthz_reports_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["database"] == "ok"
    assert response["X-Request-ID"]


@pytest.mark.django_db
def test_json_log_lines_carry_request_id(client, caplog):
    import json
    import logging

    from spbe.core.logging import JsonFormatter, RequestContextFilter

    with caplog.at_level(logging.INFO, logger="spbe.access"):
        client.get("/healthz", HTTP_X_REQUEST_ID="trace-abcdef123")
    record = next(r for r in caplog.records if r.name == "spbe.access")
    line = json.loads(JsonFormatter().format(record))
    assert line["path"] == "/healthz" and line["status"] == 200
    assert RequestContextFilter().filter(record)
