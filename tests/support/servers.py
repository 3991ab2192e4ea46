"""Real servers for tests: gunicorn serving the platform on loopback, against the test database."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager

import httpx
import pytest
from django.db import connection


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url() -> str:
    """The test database, for a subprocess (tests that use it need transaction=True)."""
    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings_dict['NAME']}"
    return (f"postgres://{settings_dict['USER']}:{settings_dict['PASSWORD']}@{settings_dict['HOST'] or 'localhost'}"
            f":{settings_dict['PORT'] or 5432}/{settings_dict['NAME']}")


def require(what: str, present: bool) -> None:
    """Skip a test whose server or tool is missing on a developer's machine; in CI
    (SPBE_REQUIRE_SERVICES=1) a missing one is a failure, never a silent skip."""
    if not present:
        if os.environ.get("SPBE_REQUIRE_SERVICES") == "1":
            pytest.fail(f"{what} is required in CI")
        pytest.skip(f"{what} is not available")


def redis_test_url() -> str:
    """The Redis server the tests may use (SPBE_TEST_REDIS_URL), or skip/fail as ``require``."""
    url = os.environ.get("SPBE_TEST_REDIS_URL", "")
    require("Redis (SPBE_TEST_REDIS_URL)", bool(url))
    return url


def worker_env(backend: str) -> dict:
    """The environment of a task worker (or any command) on the test database."""
    return dict(os.environ, SPBE_TASKS_BACKEND=backend, DJANGO_SETTINGS_MODULE="spbe.config.settings",
                DATABASE_URL=database_url())


def run_worker(backend: str, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """`spbe worker --burst [args]`: works off what is queued, then exits."""
    return subprocess.run([sys.executable, "-m", "spbe.manage", "worker", "--burst", *args],
                          env=env or worker_env(backend), capture_output=True, text=True, timeout=120)


def server_env(**extra: str) -> dict:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="spbe.config.settings", SPBE_ENV="test",
               DATABASE_URL=database_url(), SPBE_TASKS_BACKEND="immediate", LOG_LEVEL="WARNING")
    env.update(extra)
    return env


@contextmanager
def gunicorn(workers: int = 2, **env: str):
    """Serve the platform with ``workers`` processes; yields the base URL."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "spbe.config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers",
         str(workers), "--log-level", "warning", "--timeout", "120"],
        env=server_env(**env), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start: {process.stderr.read() if process.stderr else ''}")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


def allow_outbound(settings, purpose: str, url: str) -> None:
    """Let ``purpose`` reach one loopback test server (the guard refuses loopback otherwise)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    table = {k: list(v) for k, v in settings.OUTBOUND_ALLOW.items()}
    table.setdefault(purpose, []).append(f"{parts.hostname}:{parts.port}")
    settings.OUTBOUND_ALLOW = table
