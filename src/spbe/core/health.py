"""Liveness, readiness and warm-ups.

* ``/livez``: the process answers (no database): a supervisor restarts it when this fails.
* ``/readyz``: the process can serve real traffic: database reachable and fully migrated, cache
  and task broker reachable, and every warm-up done (e.g. the assistant's index and model loaded,
  so the first tourist does not wait a minute). A load balancer sends traffic only when it is 200.
* ``/healthz`` (older, kept: partners and scripts poll it) reports the database and backend.

Modules register warm-ups with ``register_warmup`` in ``AppConfig.ready``; ``start_warmups``
runs them once per process in a background thread (the WSGI module calls it, and the first
``/readyz`` does when nothing else has).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger("spbe.health")


@dataclass
class Warmup:
    name: str
    run: Callable[[], None]
    state: str = "pending"  # pending → running → done | failed
    seconds: float | None = None
    error: str = ""


_warmups: dict[str, Warmup] = {}
_started = threading.Event()
_lock = threading.Lock()
_migrated = False


def register_warmup(name: str, run: Callable[[], None]) -> None:
    _warmups.setdefault(name, Warmup(name, run))


def _run_all() -> None:
    from django.db import close_old_connections

    for warmup in list(_warmups.values()):
        warmup.state = "running"
        started = time.perf_counter()
        try:
            warmup.run()
        except Exception as exc:  # noqa: BLE001 - reported by /readyz, logged with its traceback
            warmup.state, warmup.error = "failed", f"{exc.__class__.__name__}: {exc}"[:200]
            log.exception("warm-up failed", extra={"warmup": warmup.name})
        else:
            warmup.state = "done"
        warmup.seconds = round(time.perf_counter() - started, 2)
        log.info("warm-up %s %s in %.2f s", warmup.name, warmup.state, warmup.seconds)
    close_old_connections()  # the thread's own database connection


def start_warmups() -> None:
    """Run every registered warm-up once in this process, in the background."""
    with _lock:
        if _started.is_set():
            return
        _started.set()
    threading.Thread(target=_run_all, name="spbe-warmups", daemon=True).start()


def warmup_states() -> dict[str, dict]:
    return {w.name: {"state": w.state, "seconds": w.seconds, **({"error": w.error} if w.error else {})}
            for w in _warmups.values()}


def _database() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _migrations() -> str:
    global _migrated
    if _migrated:
        return "ok"
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    unapplied = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if unapplied:
        return f"{len(unapplied)} unapplied"
    _migrated = True  # once migrated, a process stays so; no need to load the graph again
    return "ok"


def _cache() -> str:
    from django.core.cache import cache

    cache.set("spbe:readyz", "1", 30)
    return "ok" if cache.get("spbe:readyz") == "1" else "unreadable"


_broker_clients: dict = {}


def _task_broker() -> str:
    from django.conf import settings

    if settings.TASKS_BACKEND != "redis":
        return "ok"  # the database backend is the database checked above
    client = _broker_clients.get(settings.REDIS_URL)
    if client is None:  # one client (and connection pool) per process, not a connection per probe
        import redis

        client = _broker_clients.setdefault(settings.REDIS_URL, redis.Redis.from_url(
            settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2))
    client.ping()
    return "ok"


def readiness() -> tuple[bool, dict]:
    start_warmups()
    checks = {}
    for name, check in (("database", _database), ("migrations", _migrations), ("cache", _cache),
                        ("task_broker", _task_broker)):
        try:
            checks[name] = check()
        except Exception as exc:  # noqa: BLE001 - readiness reports, never raises
            checks[name] = f"error: {exc.__class__.__name__}"
    warmups = warmup_states()
    ready = all(v == "ok" for v in checks.values()) and all(w["state"] == "done" for w in warmups.values())
    return ready, {"checks": checks, "warmups": warmups}
