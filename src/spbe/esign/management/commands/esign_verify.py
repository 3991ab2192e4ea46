"""`spbe esign_verify FILE.pdf --format json` — verify a signed PDF and look it up in the registry.

JSON: {"file", "sha256", "valid", "signatures": [...], "registry": {...} | null, "error"}.
Exit 0 when every signature is valid, 1 when not, 2 for unreadable input.
"""

import json
import sys
from dataclasses import asdict

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Verify the signatures of a PDF (integrity, trust roots, revocation, changes after signing) and the registry record."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--format", choices=["json", "text"], default="text")
        parser.add_argument("--offline", action="store_true", help="do not fetch OCSP/CRL (use embedded data only)")

    def handle(self, *args, file, format, offline, **options):
        from spbe.core.services import ServiceError
        from spbe.esign import services

        try:
            with open(file, "rb") as handle:
                data = handle.read()
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc.strerror}", returncode=2) from exc
        try:
            report, record = services.verify_upload(data, allow_fetching=not offline)
        except ServiceError as exc:
            if format == "json":
                self.stdout.write(json.dumps({"file": file, "valid": False, "error": exc.message}))
                sys.exit(2)
            raise CommandError(f"{file}: {exc.message}", returncode=2) from exc
        result = {"file": file, **report.as_dict(), "registry": asdict(record) if record else None}
        if format == "json":
            self.stdout.write(json.dumps(result, indent=2))
        else:
            self.stdout.write(f"{file}: {'VALID' if report.valid else 'NOT VALID'} ({len(report.signatures)} signatures)")
            for s in report.signatures:
                self.stdout.write(f"  {s.field}: {s.level} by {s.signer} [{s.signer_serial}] — {'ok' if s.ok else s.problem}")
            if record:
                self.stdout.write(f"  registry: {record.number} {record.title} ({record.agency}), status {record.status}")
        sys.exit(0 if report.valid else 1)
