"""``spbe restore FILE``: restore a backup into the configured empty database and MEDIA_ROOT,
then check every file's hash and the audit chain (exit 1 when the chain does not verify)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    requires_system_checks = []  # checks import every URL and API module: seconds per run; `spbe check` runs them
    help = "Restore an `spbe backup` file into the (empty) database named by DATABASE_URL, then verify it."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--force", action="store_true", help="Restore even if the database already has tables.")

    def handle(self, *args, file, force=False, **options):
        from spbe.core import backup

        if not file.is_file():
            raise CommandError(f"{file} does not exist")
        try:
            result = backup.restore_backup(file, force=force)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        made = result.manifest["created_at"]
        if not result.audit_ok:
            self.stderr.write(f"Restored the backup of {made}, but the audit chain does not verify: {result.audit_reason}")
            raise SystemExit(1)
        self.stdout.write(f"Restored the backup of {made}: {result.media_files} media files match their hashes; "
                          f"audit chain intact ({result.audit_checked} records).")
