"""Encrypted backups of the database and media files, and their restore.

A backup file (``spbe-backup-<UTC time>.tar.gz.enc``) is a gzip'd tar holding

* ``manifest.json`` — format version, creation time, database vendor, the SHA-256 of the dump and
  of every media file, and the audit chain's length and head hash at backup time;
* ``database.pgdump`` (``pg_dump --format=custom``) or ``database.sqlite3`` (SQLite's online
  backup API, consistent while the platform runs);
* ``media/…`` — every uploaded file.

It is encrypted with ``SPBE_BACKUP_KEY`` (32 random bytes, URL-safe base64; make one with
``spbe backup --new-key``) in chunks of AES-256-GCM. Each chunk's associated data binds the file
header, the chunk's number and whether it is the last, so a changed, reordered or truncated
file is refused rather than restored in part.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import os
import shutil
import struct
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from django.conf import settings
from django.db import connection

MAGIC = b"SPBE-BACKUP-1\n"
CHUNK = 1 << 20
FORMAT_VERSION = 1
NAME_PREFIX = "spbe-backup-"
NAME_SUFFIX = ".tar.gz.enc"


class BackupError(Exception):
    """A backup could not be made or a file cannot be restored (the message says why)."""


def new_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def _key(raw: str | None = None) -> bytes:
    raw = raw if raw is not None else settings.BACKUP_KEY
    if not raw:
        raise BackupError("SPBE_BACKUP_KEY is not set (make one with `spbe backup --new-key` and keep a copy offline)")
    try:
        key = base64.urlsafe_b64decode(raw.encode())
    except ValueError as exc:
        raise BackupError("SPBE_BACKUP_KEY is not URL-safe base64") from exc
    if len(key) != 32:
        raise BackupError("SPBE_BACKUP_KEY must decode to 32 bytes")
    return key


# --- encryption: chunked AES-256-GCM -------------------------------------------------------------

def _aad(header: bytes, index: int, last: bool) -> bytes:
    return header + struct.pack(">Q?", index, last)


def encrypt_file(source: Path, target: Path, key: bytes) -> None:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    aead = AESGCM(key)
    prefix = os.urandom(8)  # nonce = random prefix + chunk number: never reused under one key
    header = MAGIC + prefix
    with source.open("rb") as plain, target.open("wb") as out:
        out.write(header)
        index, chunk = 0, plain.read(CHUNK)
        while True:
            following = plain.read(CHUNK)
            last = not following
            sealed = aead.encrypt(prefix + struct.pack(">I", index), chunk, _aad(header, index, last))
            out.write(struct.pack(">I", len(sealed)) + sealed)
            if last:
                return
            index, chunk = index + 1, following


def decrypt_file(source: Path, target: Path, key: bytes) -> None:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    aead = AESGCM(key)
    with source.open("rb") as sealed_file, target.open("wb") as out:
        header = sealed_file.read(len(MAGIC) + 8)
        if not header.startswith(MAGIC) or len(header) != len(MAGIC) + 8:
            raise BackupError(f"{source.name} is not an SPBE backup file")
        prefix = header[len(MAGIC):]
        index = 0
        length = sealed_file.read(4)
        while length:
            if len(length) != 4:
                raise BackupError("the backup file is truncated")
            sealed = sealed_file.read(struct.unpack(">I", length)[0])
            following = sealed_file.read(4)
            try:
                out.write(aead.decrypt(prefix + struct.pack(">I", index), sealed, _aad(header, index, not following)))
            except InvalidTag as exc:
                raise BackupError("the backup cannot be decrypted: wrong SPBE_BACKUP_KEY, or the file was changed "
                                  "or truncated") from exc
            index, length = index + 1, following
        if index == 0:
            raise BackupError("the backup file is truncated")


# --- database dumps ------------------------------------------------------------------------------

def _pg_env(db: dict) -> dict:
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD"),
                     ("NAME", "PGDATABASE")):
        if db.get(key):
            env[var] = str(db[key])
    return env


def _run(command: list[str], env: dict) -> None:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=3600)
    except FileNotFoundError as exc:
        raise BackupError(f"{command[0]} is not installed (apt-get install postgresql-client)") from exc
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[-500:]}")


def _dump_database(target_dir: Path) -> Path:
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        target = target_dir / "database.pgdump"
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(target)], _pg_env(db))
        return target
    if connection.vendor == "sqlite":
        import sqlite3

        target = target_dir / "database.sqlite3"
        source = sqlite3.connect(db["NAME"])
        copy = sqlite3.connect(target)
        with copy:
            source.backup(copy)  # consistent even while other processes write
        copy.close()
        source.close()
        return target
    raise BackupError(f"backups support PostgreSQL and SQLite, not {connection.vendor}")


def _database_is_empty() -> bool:
    return "django_migrations" not in connection.introspection.table_names()


def _restore_database(dump: Path) -> None:
    db = connection.settings_dict
    if dump.name == "database.pgdump":
        if connection.vendor != "postgresql":
            raise BackupError("this backup holds a PostgreSQL dump; DATABASE_URL names another database kind")
        connection.close()
        _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
              "--dbname", db["NAME"], str(dump)], _pg_env(db))
    elif dump.name == "database.sqlite3":
        if connection.vendor != "sqlite":
            raise BackupError("this backup holds an SQLite database; DATABASE_URL names another database kind")
        connection.close()
        Path(db["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(dump, db["NAME"])
    else:
        raise BackupError(f"unknown dump {dump.name}")


# --- files ---------------------------------------------------------------------------------------

def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def _media_files(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())


@dataclass
class BackupResult:
    path: Path
    media_files: int
    audit_records: int
    removed: list[Path]


def _audit_head() -> dict:
    from django.apps import apps

    Event = apps.get_model("audit", "AuditEvent")
    last = Event.objects.order_by("-sequence").values("sequence", "hash").first()
    return {"records": Event.objects.count(), "last_sequence": last["sequence"] if last else 0,
            "last_hash": last["hash"] if last else ""}


def create_backup(directory: Path, *, keep: int = 14, key: str | None = None) -> BackupResult:
    """Dump the database and media into one encrypted file in ``directory``; keep the newest ``keep``."""
    secret = _key(key)
    directory.mkdir(parents=True, exist_ok=True)
    now = datetime.now(timezone.utc)
    target = directory / f"{NAME_PREFIX}{now:%Y%m%dT%H%M%S%fZ}{NAME_SUFFIX}"
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix="spbe-backup-", dir=directory) as work:
        work_dir = Path(work)
        audit = _audit_head()  # read before the dump: the dump holds at least these records
        dump = _dump_database(work_dir)
        media = _media_files(media_root)
        manifest = {
            "format": FORMAT_VERSION, "created_at": now.isoformat(), "database": connection.vendor,
            "dump": {"name": dump.name, "sha256": _sha256(dump)}, "audit": audit,
            "media": {str(p.relative_to(media_root)): _sha256(p) for p in media},
        }
        archive = work_dir / "backup.tar.gz"
        with tarfile.open(archive, "w:gz", compresslevel=6) as tar:
            data = json.dumps(manifest, indent=1).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size, info.mtime = len(data), int(now.timestamp())
            tar.addfile(info, io.BytesIO(data))
            tar.add(dump, arcname=dump.name)
            for path in media:
                tar.add(path, arcname=f"media/{path.relative_to(media_root)}")
        partial = target.with_suffix(".partial")
        encrypt_file(archive, partial, secret)
        partial.rename(target)  # a crash mid-write never leaves a file that looks complete
    return BackupResult(target, len(media), audit["records"], _apply_retention(directory, keep))


def _apply_retention(directory: Path, keep: int) -> list[Path]:
    backups = sorted(p for p in directory.glob(f"{NAME_PREFIX}*{NAME_SUFFIX}"))
    removed = backups[:-keep] if keep > 0 else []
    for path in removed:
        path.unlink()
    return removed


@dataclass
class RestoreResult:
    manifest: dict
    media_files: int
    audit_ok: bool
    audit_checked: int
    audit_reason: str


def _safe_members(tar: tarfile.TarFile) -> list[tarfile.TarInfo]:
    members = []
    for member in tar.getmembers():
        if not (member.isfile() or member.isdir()) or member.name.startswith("/") or ".." in Path(member.name).parts:
            raise BackupError(f"unsafe entry in the backup: {member.name}")
        members.append(member)
    return members


def restore_backup(path: Path, *, key: str | None = None, force: bool = False) -> RestoreResult:
    """Restore into the configured (empty) database and MEDIA_ROOT, then check every file's hash
    and the audit chain. Refuses a database that already holds tables unless ``force``."""
    from spbe.audit.services import verify_chain

    secret = _key(key)
    if not force and not _database_is_empty():
        raise BackupError("the target database is not empty; restore into a fresh database (or pass --force)")
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix="spbe-restore-") as work:
        work_dir = Path(work)
        archive = work_dir / "backup.tar.gz"
        decrypt_file(path, archive, secret)
        extracted = work_dir / "x"
        try:
            with tarfile.open(archive, "r:gz") as tar:
                tar.extractall(extracted, members=_safe_members(tar), filter="data")
        except (tarfile.TarError, gzip.BadGzipFile, EOFError) as exc:
            raise BackupError(f"the backup archive is damaged: {exc}") from exc
        manifest = json.loads((extracted / "manifest.json").read_text())
        if manifest.get("format") != FORMAT_VERSION:
            raise BackupError(f"backup format {manifest.get('format')} is not supported by this version")
        dump = extracted / manifest["dump"]["name"]
        if _sha256(dump) != manifest["dump"]["sha256"]:
            raise BackupError("the database dump does not match its hash in the manifest")
        for name, digest in manifest["media"].items():
            if _sha256(extracted / "media" / name) != digest:
                raise BackupError(f"media file {name} does not match its hash in the manifest")
        _restore_database(dump)
        for name in manifest["media"]:
            destination = media_root / name
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(extracted / "media" / name, destination)
    for name, digest in manifest["media"].items():  # what is on disk now, not what we meant to write
        if _sha256(media_root / name) != digest:
            raise BackupError(f"restored media file {name} does not match the manifest")
    report = verify_chain()
    audit = manifest["audit"]
    from django.apps import apps

    head_kept = not audit["last_sequence"] or apps.get_model("audit", "AuditEvent").objects.filter(
        sequence=audit["last_sequence"], hash=audit["last_hash"]).exists()
    ok = report.ok and report.checked >= audit["records"] and head_kept
    if not report.ok:
        reason = report.reason
    elif not ok:
        reason = f"the restored audit chain lacks record #{audit['last_sequence']} that the backup recorded"
    else:
        reason = ""
    return RestoreResult(manifest, len(manifest["media"]), ok, report.checked, reason or "")
