"""Scale-out across hosts: PostgreSQL and Redis on a database host, two worker hosts, and this
process as the web host, each in its own network namespace (``ip netns``, veth pairs on a
bridge). One worker host is killed in the middle of a job. The job completes on the other host,
no work is lost, and no voucher or alert is issued twice.

Needs root, iproute2, PostgreSQL and Redis (CI's PostgreSQL leg has them all); the database is
a server of its own, not the test database."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
from django.db import connection

from benchmarks.pg import _bin as pg_bin
from spbe.core.loopback import LoopbackServer, QuietHandler
from tests.support.servers import require

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
ALERTS, PAGE, PAGE_DELAY = 3000, 500, 1.0  # six pages (the backfill asks for 500 a page): several seconds

pytestmark = [pytest.mark.services]


def _run(*cmd: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kwargs)


class Network:
    """A bridge on this host (the web host, .1) and one namespace per other host (.2, .3, ...)."""

    def __init__(self, hosts: list[str]):
        self.tag = secrets.token_hex(2)
        used = _run("ip", "-4", "-o", "addr").stdout
        third = next(n for n in range(101, 250) if f" 10.77.{n}." not in used)
        self.prefix = f"10.77.{third}"
        self.bridge = f"sbr{self.tag}"
        self.namespaces = {host: f"spbe{self.tag}{host}" for host in hosts}
        self.addresses = {host: f"{self.prefix}.{i}" for i, host in enumerate(hosts, start=2)}
        self.web = f"{self.prefix}.1"

    def __enter__(self):
        _run("ip", "link", "add", self.bridge, "type", "bridge")
        _run("ip", "addr", "add", f"{self.web}/24", "dev", self.bridge)
        _run("ip", "link", "set", self.bridge, "up")
        for host, ns in self.namespaces.items():
            outside = f"sv{self.tag}{host}"
            _run("ip", "netns", "add", ns)
            _run("ip", "link", "add", outside, "type", "veth", "peer", "name", "eth0", "netns", ns)
            _run("ip", "link", "set", outside, "master", self.bridge, "up")
            _run("ip", "-n", ns, "addr", "add", f"{self.addresses[host]}/24", "dev", "eth0")
            _run("ip", "-n", ns, "link", "set", "eth0", "up")
            _run("ip", "-n", ns, "link", "set", "lo", "up")
        return self

    def __exit__(self, *exc):
        for ns in self.namespaces.values():
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)  # takes its veth pair along
        subprocess.run(["ip", "link", "del", self.bridge], capture_output=True)

    def power_off(self, host: str) -> None:
        """Every process on the host dies at once (the RQ work horse has a process group of its own)."""
        for pid in _run("ip", "netns", "pids", self.namespaces[host]).stdout.split():
            try:
                os.kill(int(pid), signal.SIGKILL)
            except ProcessLookupError:
                pass

    def on(self, host: str, *cmd: str) -> list[str]:
        return ["ip", "netns", "exec", self.namespaces[host], *cmd]


def _stop(process: subprocess.Popen, sig=signal.SIGTERM, wait: float = 15) -> None:
    if process.poll() is None:
        os.killpg(process.pid, sig)
        try:
            process.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@contextmanager
def _postgres(net: Network, password: str):
    data = tempfile.mkdtemp(prefix="spbe-scaleout-pg-")  # under /tmp: the postgres user must reach it
    shutil.chown(data, "postgres")
    as_postgres = ("runuser", "-u", "postgres", "--")
    try:
        _run(*as_postgres, pg_bin("initdb"), "-D", data, "-U", "postgres", "--auth-local=trust",
             "--auth-host=scram-sha-256", "-E", "UTF8")
        with open(f"{data}/pg_hba.conf", "a") as hba:
            hba.write(f"host all all {net.prefix}.0/24 scram-sha-256\n")
        _run(*net.on("db", *as_postgres, pg_bin("pg_ctl"), "-D", data, "-l", f"{data}/server.log", "-w", "-o",
                     f"-p 5432 -k {data} -c listen_addresses={net.addresses['db']} -c max_connections=60", "start"))
        _run(*net.on("db", *as_postgres, pg_bin("psql"), "-h", data, "-U", "postgres", "-q", "-c",
                     f"CREATE ROLE spbe LOGIN PASSWORD '{password}'", "-c", "CREATE DATABASE spbe OWNER spbe"))
        yield f"postgres://spbe:{password}@{net.addresses['db']}:5432/spbe"
    finally:
        subprocess.run(net.on("db", *as_postgres, pg_bin("pg_ctl"), "-D", data, "-m", "immediate", "stop"),
                       capture_output=True)
        shutil.rmtree(data, ignore_errors=True)


@contextmanager
def _redis(net: Network, password: str, log: Path):
    process = subprocess.Popen(
        net.on("db", shutil.which("redis-server"), "--bind", net.addresses["db"], "--port", "6379", "--save", "",
               "--appendonly", "no", "--requirepass", password),
        stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield f"redis://:{password}@{net.addresses['db']}:6379/0"
    finally:
        _stop(process)


class _SlowIndexer(QuietHandler):
    """The Wazuh indexer (OpenSearch _search with search_after paging), a little slow per page."""

    hits: list = []

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
        after = body.get("search_after")
        start = 0 if not after else next(i for i, h in enumerate(self.hits) if h["sort"] == after) + 1
        time.sleep(PAGE_DELAY)
        try:
            self.send_body(200, {"hits": {"hits": self.hits[start:start + body["size"]]}})
        except BrokenPipeError:
            pass  # the asking host was switched off meanwhile


def _alerts() -> list[dict]:
    base = {"timestamp": "2026-11-20T10:15:02.123+0800",
            "rule": {"level": 7, "description": "Integrity checksum changed.", "id": "550", "groups": ["syscheck"]},
            "agent": {"id": "012", "name": "web-dispar", "ip": "10.10.1.12"}, "manager": {"name": "wazuh-manager"},
            "location": "syscheck", "syscheck": {"path": "/var/www/html/index.php", "event": "modified"},
            "full_log": "File '/var/www/html/index.php' modified"}
    return [{"_source": {**base, "id": f"1764929536.{n:05d}"}, "sort": [n, f"id{n}"]} for n in range(ALERTS)]


def _wait(predicate, seconds: float, what: str, logs: list[Path]):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    tails = "\n".join(f"--- {log.name}\n{log.read_text()[-2500:]}" for log in logs if log.exists())
    raise AssertionError(f"timed out after {seconds} s waiting for {what}\n{tails}")


def test_a_killed_worker_host_loses_no_job_and_issues_nothing_twice(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("runs once, in the PostgreSQL leg (it brings its own database host)")
    require("root (network namespaces)", os.geteuid() == 0)
    require("iproute2", bool(shutil.which("ip")))
    require("PostgreSQL server binaries", bool(pg_bin("initdb") and pg_bin("pg_ctl")))
    require("redis-server", bool(shutil.which("redis-server")))
    import psycopg
    from redis import Redis
    from rq import Worker
    from rq.job import Job, JobStatus

    from spbe.core.rqworker import CrashSafeQueue

    with ExitStack() as stack:
        net = stack.enter_context(Network(["db", "w1", "w2"]))
        database_url = stack.enter_context(_postgres(net, secrets.token_hex(12)))
        redis_url = stack.enter_context(_redis(net, secrets.token_hex(12), tmp_path / "redis.log"))
        indexer = LoopbackServer(_SlowIndexer, hits=_alerts())
        indexer_url = indexer.start(host=net.web)  # on the web host's bridge address
        stack.callback(indexer.stop)

        env = {k: v for k, v in os.environ.items() if not k.startswith(("SPBE_", "DJANGO_", "DATABASE_", "REDIS_"))}
        env.update(DJANGO_SETTINGS_MODULE="spbe.config.settings", SPBE_ENV="test", DATABASE_URL=database_url,
                   REDIS_URL=redis_url, SPBE_TASKS_BACKEND="redis", SPBE_DATA_DIR=str(tmp_path / "data"),
                   SPBE_RQ_MAINTENANCE_INTERVAL="5", SPBE_RQ_JOB_MONITORING_INTERVAL="5",
                   WAZUH_INDEXER_URL=indexer_url, WAZUH_INDEXER_USER="admin", WAZUH_INDEXER_PASSWORD="x",
                   OUTBOUND_ALLOW_WAZUH=indexer_url.removeprefix("http://"), LOG_LEVEL="INFO",
                   ASSISTANT_VECTOR_CACHE=str(tmp_path / "vectors.sqlite3"))
        # The web host prepares the database across the network, as a deploy's migrate step does.
        _run(str(BIN / "spbe"), "migrate", "--no-input", "-v", "0", env=env, timeout=600)

        logs = {host: tmp_path / f"worker-{host}.log" for host in ("w1", "w2")}
        workers = {}
        for host in ("w1", "w2"):
            workers[host] = subprocess.Popen(net.on(host, str(BIN / "spbe"), "worker"), env=env, cwd=REPO,
                                             stdout=logs[host].open("w"), stderr=subprocess.STDOUT, start_new_session=True)
            stack.callback(_stop, workers[host])
        redis = Redis.from_url(redis_url)
        _wait(lambda: len(Worker.all(connection=redis)) == 2, 90, "both workers to register", list(logs.values()))

        def driver(*args: str) -> dict:
            out = _run(sys.executable, "-m", "tests.deploy.scaleout_driver", *args, env=env, cwd=REPO, timeout=300)
            return json.loads(out.stdout.strip().splitlines()[-1])

        def alerts_stored() -> int:  # read straight from the database: a driver run takes seconds
            from spbe.security.models import SecurityAlert

            with psycopg.connect(database_url) as db:
                return db.execute(f"SELECT count(*) FROM {SecurityAlert._meta.db_table}").fetchone()[0]

        jobs = driver("seed", "--orders", "30", "--travellers", "2")
        backfill_id = jobs["backfill"]

        def host_running_backfill():
            by_pid = {process.pid: host for host, process in workers.items()}
            for worker in Worker.all(connection=redis):
                if worker.get_current_job_id() == backfill_id and worker.pid in by_pid:
                    return by_pid[worker.pid]
            return None

        victim = _wait(host_running_backfill, 60, "a worker to start the backfill", list(logs.values()))
        survivor = "w2" if victim == "w1" else "w1"
        _wait(lambda: alerts_stored() >= 2 * PAGE, 60, "the backfill to store two pages", list(logs.values()))
        net.power_off(victim)
        killed_at = time.monotonic()
        stored_at_kill = alerts_stored()
        assert stored_at_kill < ALERTS, "the backfill finished before the kill: make the indexer slower"
        workers[victim].wait(timeout=10)  # its registration stays in Redis: nobody told it
        assert Job.fetch(backfill_id, connection=redis).get_status() == JobStatus.STARTED

        # Abandoned after its heartbeat lapses (monitoring interval + 60 s), found by the survivor.
        _wait(lambda: Job.fetch(backfill_id, connection=redis).get_status() == JobStatus.FINISHED, 180,
              "the backfill to finish on the surviving host", list(logs.values()))
        recovered_after = time.monotonic() - killed_at
        job = Job.fetch(backfill_id, connection=redis)
        assert job.worker_name == next(w.name for w in Worker.all(connection=redis) if w.pid == workers[survivor].pid)
        totals = job.return_value()
        assert totals["stored"] + totals["duplicates"] == ALERTS and totals["duplicates"] >= stored_at_kill

        for voucher_job in jobs["vouchers"]:
            _wait(lambda: Job.fetch(voucher_job, connection=redis).get_status() == JobStatus.FINISHED, 120,
                  f"voucher job {voucher_job}", list(logs.values()))
        report = driver("report")
        assert report == {
            "orders": 30, "orders_without_vouchers": 0, "travellers": 60, "vouchers": 60, "voucher_issued_events": 60,
            "alerts": ALERTS, "distinct_alerts": ALERTS, "audit_chain_ok": True,
        }, report
        for name in ("default", "crawler", "mail"):
            queue = CrashSafeQueue(name, connection=redis)
            assert queue.failed_job_registry.count == 0, name
        print(f"killed {victim} with {stored_at_kill} of {ALERTS} alerts stored; "
              f"the backfill finished on {survivor} {recovered_after:.0f} s later")
