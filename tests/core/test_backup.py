"""`spbe backup` and `spbe restore` as an operator runs them: real processes, a real second
database (SQLite file or PostgreSQL database), a changed byte, a wrong key, retention."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.db import connection

from spbe.core import backup
from tests.conftest import make_user
from tests.support.servers import worker_env

KEY = backup.new_key()


def spbe(*args, env, check=True) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "spbe.manage", *args], env=env, capture_output=True, text=True,
                          timeout=300)
    if check:
        assert done.returncode == 0, done.stderr
    return done


@pytest.fixture
def fresh_database():
    """A second, empty database of the same kind as the test database; its DATABASE_URL."""
    if connection.vendor == "sqlite":
        path = Path(connection.settings_dict["NAME"]).with_name(f"restore-{uuid.uuid4().hex[:8]}.sqlite3")
        yield f"sqlite:///{path}"
        path.unlink(missing_ok=True)
        return
    name = f"restore_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    source = worker_env("database")["DATABASE_URL"]
    yield source.rsplit("/", 1)[0] + "/" + name
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_a_fresh_database_with_its_files_and_audit_chain(tmp_path, fresh_database):
    for name in ("budi.santoso", "made.wirawan", "ketut.ayu"):
        make_user(name)
    media = tmp_path / "media"
    evidence = os.urandom(200_000)
    (media / "evaluation" / "bukti").mkdir(parents=True)
    (media / "evaluation" / "bukti" / "sk-tim-spbe.pdf").write_bytes(evidence)
    (media / "notes.txt").write_text("catatan rapat")
    env = dict(worker_env("database"), SPBE_BACKUP_KEY=KEY, SPBE_MEDIA_ROOT=str(media))

    made = spbe("backup", "--dir", str(tmp_path / "backups"), env=env)
    (file,) = (tmp_path / "backups").glob("spbe-backup-*.tar.gz.enc")
    assert "2 media files" in made.stdout
    sealed = file.read_bytes()
    assert b"budi.santoso" not in sealed and evidence[1000:1064] not in sealed  # encrypted, not just packed

    target = dict(env, DATABASE_URL=fresh_database, SPBE_MEDIA_ROOT=str(tmp_path / "restored-media"))
    # A changed byte, a cut-off end or another key: refused, and nothing is written.
    damaged = tmp_path / "damaged.enc"
    damaged.write_bytes(sealed[:5000] + bytes([sealed[5000] ^ 1]) + sealed[5001:])
    cut = tmp_path / "cut.enc"
    cut.write_bytes(sealed[:-200])
    for bad, extra in ((damaged, {}), (cut, {}), (file, {"SPBE_BACKUP_KEY": backup.new_key()})):
        refused = spbe("restore", str(bad), env=dict(target, **extra), check=False)
        assert refused.returncode != 0 and "cannot be decrypted" in refused.stderr, refused.stderr
    assert not (tmp_path / "restored-media").exists()

    restored = spbe("restore", str(file), env=target)
    assert "2 media files match" in restored.stdout and "audit chain intact" in restored.stdout
    verified = json.loads(spbe("audit_verify", "--format", "json", env=target).stdout)
    from spbe.audit.models import AuditEvent

    assert verified["ok"] and verified["checked"] == AuditEvent.objects.count()
    copy = tmp_path / "restored-media" / "evaluation" / "bukti" / "sk-tim-spbe.pdf"
    assert hashlib.sha256(copy.read_bytes()).digest() == hashlib.sha256(evidence).digest()
    users = spbe("shell", "-c", "from spbe.core.models import User; print(sorted(User.objects.values_list('username', flat=True)))",
                 env=target)
    assert "budi.santoso" in users.stdout and "ketut.ayu" in users.stdout

    again = spbe("restore", str(file), env=target, check=False)
    assert again.returncode != 0 and "not empty" in again.stderr


def test_without_a_key_no_backup_is_made(tmp_path):
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="spbe.config.settings", SPBE_BACKUP_KEY="")
    done = spbe("backup", "--dir", str(tmp_path), env=env, check=False)
    assert done.returncode != 0 and "SPBE_BACKUP_KEY is not set" in done.stderr
    assert not list(tmp_path.iterdir())


def test_encryption_round_trip_and_refusals(tmp_path):
    key = backup._key(KEY)
    plain = tmp_path / "plain"
    plain.write_bytes(os.urandom(backup.CHUNK * 2 + 77))  # three chunks, the last one short
    sealed, back = tmp_path / "sealed", tmp_path / "back"
    backup.encrypt_file(plain, sealed, key)
    backup.decrypt_file(sealed, back, key)
    assert back.read_bytes() == plain.read_bytes()
    data = sealed.read_bytes()
    chunk_record = 4 + backup.CHUNK + 16
    header = len(backup.MAGIC) + 8
    # Dropping the whole last chunk leaves a file of valid chunks: the "last" flag catches it.
    (tmp_path / "short").write_bytes(data[: header + 2 * chunk_record])
    with pytest.raises(backup.BackupError, match="cannot be decrypted"):
        backup.decrypt_file(tmp_path / "short", back, key)
    # Swapping two chunks: each chunk's number is bound to it.
    swapped = data[:header] + data[header + chunk_record: header + 2 * chunk_record] + data[header: header + chunk_record] \
        + data[header + 2 * chunk_record:]
    (tmp_path / "swapped").write_bytes(swapped)
    with pytest.raises(backup.BackupError, match="cannot be decrypted"):
        backup.decrypt_file(tmp_path / "swapped", back, key)
    (tmp_path / "other").write_bytes(b"PK\x03\x04 not ours")
    with pytest.raises(backup.BackupError, match="not an SPBE backup"):
        backup.decrypt_file(tmp_path / "other", back, key)


@pytest.mark.django_db(transaction=True)
def test_retention_keeps_the_newest_backups(tmp_path):
    env = dict(worker_env("database"), SPBE_BACKUP_KEY=KEY, SPBE_MEDIA_ROOT=str(tmp_path / "m"))
    for _ in range(3):
        spbe("backup", "--dir", str(tmp_path / "b"), "--keep", "2", env=env)
    kept = sorted(p.name for p in (tmp_path / "b").iterdir())
    assert len(kept) == 2 and all(name.endswith(".tar.gz.enc") for name in kept)
