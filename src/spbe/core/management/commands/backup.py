"""``spbe backup``: one encrypted file with the database dump and every media file (see core.backup)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    requires_system_checks = []  # checks import every URL and API module: seconds per run; `spbe check` runs them
    help = "Back up the database and media files into one encrypted file, keeping the newest --keep files."

    def add_arguments(self, parser):
        parser.add_argument("--dir", type=Path, default=None, help="Target directory (default SPBE_BACKUP_DIR).")
        parser.add_argument("--keep", type=int, default=None, help="Backups to keep (default SPBE_BACKUP_KEEP=14).")
        parser.add_argument("--new-key", action="store_true", help="Print a fresh SPBE_BACKUP_KEY and exit.")

    def handle(self, *args, dir=None, keep=None, new_key=False, **options):
        from spbe.core import backup

        if new_key:
            self.stdout.write(backup.new_key())
            return
        try:
            result = backup.create_backup(dir or settings.BACKUP_DIR,
                                          keep=settings.BACKUP_KEEP if keep is None else keep)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        size = result.path.stat().st_size
        self.stdout.write(f"{result.path} ({size / 1e6:.1f} MB): database, {result.media_files} media files, "
                          f"{result.audit_records} audit records; removed {len(result.removed)} old backups")
