"""A local file of embedding vectors, keyed by the digest of model and text.

The model is a pure function of its input, so a vector computed once is good forever (the digest
names the model, so a new model never reads an old vector). The file lets a fresh process — a web
worker after a restart, a management command, a test worker — load the whole knowledge base in
milliseconds instead of embedding it again for tens of seconds. It is a SQLite file (standard
library) so that several processes on one host can read and add to it at once; the database
table ``EmbeddingCache`` still shares vectors between hosts.

The same file keeps fitted confidence models (``knowledge.build``: key ``calibration:<digest of
every input>``, value the model's JSON), so a restart does not refit them either.

Any failure to read or write the file only costs speed: callers fall back to computing.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path

logger = logging.getLogger(__name__)

_BATCH = 500  # SQLite's default limit on bound parameters is 999
_local = threading.local()


def _connect(path: Path) -> sqlite3.Connection | None:
    connections = getattr(_local, "connections", None)
    if connections is None:
        connections = _local.connections = {}
    connection = connections.get(path)
    if connection is None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(path, timeout=30, isolation_level=None)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("CREATE TABLE IF NOT EXISTS vectors (digest TEXT PRIMARY KEY, vector BLOB NOT NULL)")
        except (OSError, sqlite3.Error) as exc:
            logger.warning("embedding cache %s unavailable: %s", path, exc)
            return None
        connections[path] = connection
    return connection


def load(path: Path | None, digests: list[str]) -> dict[str, bytes]:
    if not path or not digests:
        return {}
    connection = _connect(Path(path))
    if connection is None:
        return {}
    found: dict[str, bytes] = {}
    try:
        for start in range(0, len(digests), _BATCH):
            chunk = digests[start:start + _BATCH]
            marks = ",".join("?" * len(chunk))
            found.update(connection.execute(f"SELECT digest, vector FROM vectors WHERE digest IN ({marks})", chunk))
    except sqlite3.Error as exc:
        logger.warning("embedding cache %s unreadable: %s", path, exc)
    return found


def store(path: Path | None, vectors: dict[str, bytes]) -> None:
    if not path or not vectors:
        return
    connection = _connect(Path(path))
    if connection is None:
        return
    try:
        with connection:
            connection.execute("BEGIN")
            connection.executemany("INSERT OR IGNORE INTO vectors (digest, vector) VALUES (?, ?)", vectors.items())
    except sqlite3.Error as exc:
        logger.warning("embedding cache %s not written: %s", path, exc)
