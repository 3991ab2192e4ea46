"""The deployment kit brought up for real: Debian's nginx with a fresh TLS certificate in front of
gunicorn (deploy/gunicorn.conf.py, production settings), PostgreSQL, Redis and two workers.

Runs in CI's PostgreSQL leg (production refuses SQLite); needs nginx and SPBE_TEST_REDIS_URL."""

from __future__ import annotations

import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from django.db import connection

from tests.core.test_settings_and_health import production_env  # noqa: F401  (fixture)
from spbe.core.loopback import stop_processes
from tests.support.servers import database_url, redis_test_url, require

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
HOST = "spbe.baliprov.go.id"
SITE_VARS = ("SPBE_SERVER_NAME", "SPBE_HTTPS_PORT", "SPBE_HTTP_PORT", "SPBE_UPSTREAM", "SPBE_TLS_CERT", "SPBE_TLS_KEY",
             "SPBE_STATIC_ROOT")

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_port(port: int, proc: subprocess.Popen, log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"exited with {proc.returncode}: {log.read_text()[-3000:]}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise AssertionError(f"port {port} never opened: {log.read_text()[-3000:]}")


def _certificate(tmp: Path) -> tuple[Path, Path]:
    import ipaddress
    from datetime import datetime, timedelta, timezone

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)])
    now = datetime.now(timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(minutes=1))
            .not_valid_after(now + timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(HOST), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = tmp / "fullchain.pem", tmp / "privkey.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def _render_site(values: dict) -> str:
    template = (REPO / "deploy" / "nginx" / "spbe.conf.template").read_text()
    envsubst = shutil.which("envsubst")
    if envsubst:  # what the README tells operators to run
        names = " ".join(f"${{{name}}}" for name in SITE_VARS)
        return subprocess.run([envsubst, names], input=template, env={**os.environ, **values}, capture_output=True,
                              text=True, check=True).stdout
    for name in SITE_VARS:
        template = template.replace(f"${{{name}}}", values[name])
    return template


def test_the_kit_serves_the_platform_through_nginx(tmp_path, production_env):  # noqa: F811
    if connection.vendor != "postgresql":
        pytest.skip("production refuses SQLite: the kit runs in the PostgreSQL leg")
    redis_url = redis_test_url()
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    require("nginx", bool(nginx))
    queues_url = redis_url.rsplit("/", 1)[0] + "/7"  # a Redis database of its own: no other test's jobs

    web_port, https_port, http_port = _free_port(), _free_port(), _free_port()
    env = {**{k: v for k, v in os.environ.items() if not k.startswith(("SPBE_", "DJANGO_"))},
           **production_env,
           "DJANGO_SETTINGS_MODULE": "spbe.config.settings",
           "DATABASE_URL": database_url(), "CACHE_URL": queues_url, "REDIS_URL": queues_url,
           "SPBE_TASKS_BACKEND": "redis", "SPBE_DATA_DIR": str(tmp_path / "data"),
           "SPBE_MEDIA_ROOT": str(tmp_path / "data" / "media"), "SPBE_BIND": f"127.0.0.1:{web_port}",
           "SPBE_WEB_WORKERS": "2", "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
           "METRICS_TOKEN": "scrape-token-for-the-kit-test", "SPBE_TRUSTED_PROXIES": "1", "LOG_LEVEL": "WARNING",
           "ASSISTANT_VECTOR_CACHE": str(tmp_path / "vectors.sqlite3"), "PATH": f"{BIN}:{os.environ['PATH']}"}
    subprocess.run([str(BIN / "spbe"), "collectstatic", "--no-input", "-v", "0"], env=env, check=True, timeout=300)
    static_root = tmp_path / "data" / "static"
    cert, key = _certificate(tmp_path)
    site = _render_site({"SPBE_SERVER_NAME": HOST, "SPBE_HTTPS_PORT": str(https_port), "SPBE_HTTP_PORT": str(http_port),
                         "SPBE_UPSTREAM": f"127.0.0.1:{web_port}", "SPBE_TLS_CERT": str(cert), "SPBE_TLS_KEY": str(key),
                         "SPBE_STATIC_ROOT": str(static_root)})
    assert "${" not in site
    (tmp_path / "spbe.conf").write_text(site)
    nginx_dir = tmp_path / "nginx"
    nginx_dir.mkdir()
    (tmp_path / "nginx.conf").write_text(f"""
{"user root;" if os.geteuid() == 0 else ""}
worker_processes 1;
daemon off;
pid {nginx_dir}/nginx.pid;
error_log {nginx_dir}/error.log warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    access_log {nginx_dir}/access.log;
    client_body_temp_path {nginx_dir}/body;
    proxy_temp_path {nginx_dir}/proxy;
    fastcgi_temp_path {nginx_dir}/fastcgi;
    uwsgi_temp_path {nginx_dir}/uwsgi;
    scgi_temp_path {nginx_dir}/scgi;
    include {tmp_path}/spbe.conf;
}}
""")
    procs: list[subprocess.Popen] = []

    def start(name: str, command: list[str]) -> tuple[subprocess.Popen, Path]:
        log = tmp_path / f"{name}.log"
        proc = subprocess.Popen(command, env=env, cwd=tmp_path, stdout=log.open("w"), stderr=subprocess.STDOUT)
        procs.append(proc)
        return proc, log

    try:
        check = subprocess.run([nginx, "-t", "-c", str(tmp_path / "nginx.conf"), "-p", str(nginx_dir)],
                               capture_output=True, text=True)
        assert check.returncode == 0, check.stderr
        web, web_log = start("gunicorn", [str(BIN / "gunicorn"), "-c", str(REPO / "deploy" / "gunicorn.conf.py")])
        for number in (1, 2):
            start(f"worker{number}", [str(BIN / "spbe"), "worker", "--queue", "default", "--queue", "mail"])
        proxy, proxy_log = start("nginx", [nginx, "-c", str(tmp_path / "nginx.conf"), "-p", str(nginx_dir)])
        _wait_port(web_port, web, web_log)
        _wait_port(https_port, proxy, proxy_log)

        tls = ssl.create_default_context(cafile=str(cert))
        with httpx.Client(base_url=f"https://127.0.0.1:{https_port}", verify=tls, headers={"Host": HOST},
                          timeout=30) as site_client:
            deadline = time.monotonic() + 180
            while (ready := site_client.get("/readyz")).status_code != 200 and time.monotonic() < deadline:
                time.sleep(0.5)
            assert ready.status_code == 200, ready.text
            assert json.loads(ready.text)["checks"] == {"database": "ok", "migrations": "ok", "cache": "ok",
                                                         "task_broker": "ok"}

            page = site_client.get("/lovebali/")
            assert page.status_code == 200 and "Love Bali" in page.text
            assert "max-age=31536000" in page.headers["Strict-Transport-Security"]  # production settings apply
            assert page.headers.get("X-Request-ID")

            stylesheet = next(static_root.rglob("*.css")).relative_to(static_root)
            static = site_client.get(f"/static/{stylesheet}")
            assert static.status_code == 200 and static.headers["Cache-Control"] == "max-age=3600, public"
            assert "X-Request-ID" not in static.headers  # nginx answered, not the platform
            assert static.content == (static_root / stylesheet).read_bytes()

            too_big = site_client.post("/lovebali/", content=b"x" * (26 * 1024 * 1024))
            assert too_big.status_code == 413
            assert site_client.get("/metrics").status_code == 403
            assert site_client.get("/media/evaluation/bukti.pdf").status_code == 404

        plain = httpx.get(f"http://127.0.0.1:{http_port}/lovebali/", headers={"Host": HOST})
        assert plain.status_code == 301 and plain.headers["Location"] == f"https://{HOST}/lovebali/"

        # Periodic jobs reach the workers through Redis and finish there.
        scheduler = [str(BIN / "spbe"), "scheduler", "--once"]
        first = subprocess.run(scheduler, env=env, capture_output=True, text=True, timeout=120)
        assert first.returncode == 0 and "levy-sweep" in first.stdout, first.stderr
        from spbe.core.models import ScheduledJob

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            subprocess.run(scheduler, env=env, capture_output=True, timeout=120)  # records outcomes
            outcomes = dict(ScheduledJob.objects.values_list("name", "last_outcome"))
            if outcomes.get("levy-sweep") == "succeeded" and outcomes.get("assistant-sweep") == "succeeded":
                break
            time.sleep(1)
        assert outcomes["levy-sweep"] == "succeeded" and outcomes["assistant-sweep"] == "succeeded", (
            outcomes, (tmp_path / "worker1.log").read_text()[-2000:])

        # /metrics straight from gunicorn (the private network), summed over both web workers.
        metrics = httpx.get(f"http://127.0.0.1:{web_port}/metrics", headers={
            "Host": HOST, "Authorization": "Bearer scrape-token-for-the-kit-test"})
        assert metrics.status_code == 200
        from prometheus_client.parser import text_string_to_metric_families

        served = {(s.labels.get("route"), s.labels.get("status")): s.value
                  for family in text_string_to_metric_families(metrics.text) for s in family.samples
                  if s.name == "spbe_http_requests_total"}
        assert served[("/lovebali/", "2xx")] == 1 and served[("/readyz", "2xx")] >= 1
        assert "spbe_task_queue_depth" in metrics.text
    finally:
        stop_processes(procs, timeout=20)
