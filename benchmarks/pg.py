"""A throwaway PostgreSQL server for `make bench` (the levy targets are stated for PostgreSQL).

Uses the Debian PostgreSQL binaries when present; as root the server runs as the postgres
user. Returns None when PostgreSQL is not installed, and the benchmarks then run on SQLite
and say so in their results.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from contextlib import contextmanager


def _bin(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def throwaway_postgres():
    initdb, pg_ctl = _bin("initdb"), _bin("pg_ctl")
    if not initdb or not pg_ctl:
        yield None
        return
    data = tempfile.mkdtemp(prefix="spbe-bench-pg-")
    as_root = os.geteuid() == 0

    def run(*cmd):
        if as_root:
            cmd = ("runuser", "-u", "postgres", "--", *cmd)
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    if as_root:
        shutil.chown(data, "postgres")
    port = _free_port()
    try:
        run(initdb, "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8")
        run(pg_ctl, "-D", data, "-o", f"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c max_connections=50",
            "-l", f"{data}/server.log", "-w", "start")
    except (subprocess.CalledProcessError, OSError, LookupError):
        shutil.rmtree(data, ignore_errors=True)
        yield None
        return
    try:
        subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-c", "create database bench"],
                       check=True, stdout=subprocess.DEVNULL)
        yield f"postgres://postgres@127.0.0.1:{port}/bench"
    finally:
        run(pg_ctl, "-D", data, "-m", "fast", "stop")
        shutil.rmtree(data, ignore_errors=True)
