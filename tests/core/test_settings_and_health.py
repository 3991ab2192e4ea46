from __future__ import annotations

import os
import subprocess
import sys

import pytest

SETTINGS_IMPORT = "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='spbe.config.settings'; django.setup()"


def _start(env_overrides: dict) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items()
           if k not in ("SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "DATABASE_URL", "LEVY_DATA_KEY", "LEVY_PASSPORT_PEPPER", "ASSISTANT_CHANNEL_KEY")}
    env.update(env_overrides)
    return subprocess.run([sys.executable, "-c", SETTINGS_IMPORT], env=env, capture_output=True, text=True)


def test_production_refuses_placeholder_secret_and_debug():
    result = _start({"SPBE_ENV": "production", "ALLOWED_HOSTS": "spbe.baliprov.go.id"})
    assert result.returncode != 0
    assert "SECRET_KEY is a placeholder" in result.stderr
    result = _start({"SPBE_ENV": "production", "SECRET_KEY": "x" * 60, "DEBUG": "true",
                     "ALLOWED_HOSTS": "spbe.baliprov.go.id", "DATABASE_URL": "postgres://u:p@localhost/db"})
    assert result.returncode != 0 and "DEBUG must be off" in result.stderr


def test_production_starts_with_real_settings():
    real = {"SPBE_ENV": "production", "SECRET_KEY": "k" * 64, "ALLOWED_HOSTS": "spbe.baliprov.go.id",
            "DATABASE_URL": "postgres://u:p@localhost/db"}
    result = _start(real)
    assert result.returncode != 0 and "LEVY_DATA_KEY is not set" in result.stderr  # passports need their own key
    keys = {"LEVY_DATA_KEY": "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWY=", "LEVY_PASSPORT_PEPPER": "p" * 40}
    result = _start({**real, **keys})
    assert result.returncode != 0 and "ASSISTANT_CHANNEL_KEY is not set" in result.stderr
    result = _start({**real, **keys, "ASSISTANT_CHANNEL_KEY": "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWY="})
    assert result.returncode == 0, result.stderr


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
