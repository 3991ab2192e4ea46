"""`spbe esign_verify FILE.pdf --format json` — verify a signed PDF and look it up in the registry.

JSON: {"file", "sha256", "valid", "signatures": [...], "registry": {...} | null, "error",
"document_timestamps": [...]}; each signature has "indication" (TOTAL_PASSED | INDETERMINATE |
TOTAL_FAILED), "sub_indication", "level" (the level it really reaches) and "modifications".
Exit 0 when every signature is TOTAL_PASSED, 1 when not, 2 for unreadable input.
"""

import json
import sys
from dataclasses import asdict

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    requires_system_checks = []  # checks import every URL and API module: seconds per run; `spbe check` runs them
    help = "Verify the signatures of a PDF (integrity, trust roots, revocation, changes after signing) and the registry record."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--format", choices=["json", "text"], default="text")
        parser.add_argument("--offline", action="store_true",
                            help="use only the validation data in the file (no OCSP/CRL fetching); without it, revocation is unknown")

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
                changed = f" after it: {', '.join(s.modifications)}" if s.modifications else ""
                self.stdout.write(f"  {s.field}: {s.level} by {s.signer} [{s.signer_serial}] — {s.indication}"
                                  f"{'/' + s.sub_indication if s.sub_indication else ''}{': ' + s.problem if s.problem else ''}{changed}")
            for ts in report.document_timestamps:
                self.stdout.write(f"  {ts.field}: document timestamp {ts.time} by {ts.tsa} — {ts.indication}")
            if record:
                flags = "" if record.latest and record.complete else " (an earlier or incomplete revision)"
                self.stdout.write(f"  registry: {record.number} {record.title} ({record.agency}), status {record.status}{flags}")
        sys.exit(0 if report.valid else 1)
