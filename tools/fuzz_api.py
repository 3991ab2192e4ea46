"""Fuzz the whole /api/v1 with schemathesis against a live server, as CI does (`make fuzz-api`).

A fresh database (SQLite in a temporary directory, or DATABASE_URL) with the demo data, the bank
simulator and the test PKI/fake BSrE on free loopback ports, gunicorn with two workers; then
schemathesis over the OpenAPI document four times — anonymous and with API tokens of three
roles — with a fixed seed and a bounded number of examples per operation. Checks: no server
error, and every response matches the status codes and schemas the document declares. Any
failure exits non-zero.

    python tools/fuzz_api.py [--examples N] [--seed S] [--report DIR]
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
from concurrent.futures import ThreadPoolExecutor
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
ROLES = {"platform-admin": "admin", "agency-admin": "kominfo.admin", "levy-officer": "petugas.pungutan"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, seconds: float = 120) -> None:
    import httpx

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server for {url} exited with {process.returncode}")
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.HTTPError:
            time.sleep(0.3)
    raise SystemExit(f"{url} did not come up")


def spbe(env: dict, *args: str) -> None:
    subprocess.run([str(VENV_BIN / "spbe"), *args], env=env, check=True, stdout=subprocess.DEVNULL)


def issue_tokens(env: dict) -> dict[str, str]:
    code = (
        "import django, json; django.setup();"
        "from spbe.core.models import User; from spbe.core.services import issue_api_token;"
        f"names = {ROLES!r};"
        "print(json.dumps({k: issue_api_token(user=User.objects.get(username=u), name='fuzz')[1] for k, u in names.items()}))"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True).stdout
    import json

    return json.loads(out.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=int(os.environ.get("FUZZ_EXAMPLES", "8")))
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--report", default=str(REPO / "var" / "fuzz-report"))
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="spbe-fuzz-"))
    web, bank, pki, bsre = (free_port() for _ in range(4))
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="spbe.config.settings", SPBE_ENV="development",
               SPBE_DATA_DIR=str(data_dir), SPBE_TASKS_BACKEND="immediate", LOG_LEVEL="ERROR",
               LEVY_BANKSIM_URL=f"http://127.0.0.1:{bank}", ESIGN_PKI_URL=f"http://127.0.0.1:{pki}",
               ESIGN_BSRE_URL=f"http://127.0.0.1:{bsre}", SITE_URL=f"http://127.0.0.1:{web}",
               EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
               SPBE_API_ANON_RATE="100000/m", SPBE_API_AUTH_RATE="100000/m", PYTHONPATH=str(REPO / "src"),
               # embedding vectors are a pure function of the text: reuse those the tests computed
               ASSISTANT_VECTOR_CACHE=str(REPO / "var" / "test-cache" / "assistant-vectors.sqlite3"))
    print(f"== database and demo data in {data_dir}", flush=True)
    spbe(env, "migrate", "--no-input", "-v0")
    spbe(env, "esign_testpki", "init")
    spbe(env, "load_demo_data")
    tokens = issue_tokens(env)

    servers = [
        subprocess.Popen([str(VENV_BIN / "spbe"), "levy_banksim", "--port", str(bank)], env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
        subprocess.Popen([str(VENV_BIN / "spbe"), "esign_testpki", "serve"], env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
        subprocess.Popen([sys.executable, "-m", "gunicorn", "spbe.config.wsgi", "--bind", f"127.0.0.1:{web}",
                          "--workers", "2", "--timeout", "120", "--log-level", "warning"], env=env,
                         stderr=open(data_dir / "gunicorn.log", "w")),
    ]
    failures = 0
    try:
        wait_for(f"http://127.0.0.1:{web}/healthz", servers[2])
        schema = f"http://127.0.0.1:{web}/api/v1/openapi.json"
        runs = [("anonymous", None)] + [(name, token) for name, token in tokens.items()]

        def fuzz(name: str, token: str | None) -> tuple[str, int, str]:
            command = [str(VENV_BIN / "schemathesis"), "run", schema,
                       "--checks", "not_a_server_error,status_code_conformance,response_schema_conformance",
                       "--seed", str(args.seed), "--max-examples", str(args.examples), "--workers", "1",
                       "--phases", "examples,coverage,fuzzing", "--suppress-health-check", "all",
                       "--request-timeout", "60", "--no-color", "--generation-database", "none",
                       "--report", "junit", "--report-junit-path", f"{args.report}/{name}.xml"]
            if token:
                # Revoking its own token would end the run's authentication half-way.
                command += ["-H", f"Authorization: Bearer {token}", "--exclude-path-regex", "^/api/v1/tokens/"]
            result = subprocess.run(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            return name, result.returncode, result.stdout

        # Two runs at a time: each spends much of its time waiting for the server.
        with ThreadPoolExecutor(max_workers=2) as pool:
            for name, returncode, output in pool.map(lambda run: fuzz(*run), runs):
                print(f"== schemathesis as {name}", flush=True)
                print(output, flush=True)
                failures += returncode != 0
    finally:
        from spbe.core.loopback import stop_processes

        stop_processes(servers)
    log = (data_dir / "gunicorn.log").read_text()
    if "Traceback" in log:
        print(log[-4000:])
        failures += 1
    print("== API fuzzing: " + ("passed" if not failures else f"{failures} run(s) failed"), flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
