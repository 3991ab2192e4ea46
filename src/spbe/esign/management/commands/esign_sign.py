"""`spbe esign_sign IN.pdf OUT.pdf` — sign a PDF with a configured signer (PAdES).

OUT.pdf is written only when the new signature verifies (TOTAL_PASSED) and reaches the level
asked: the result goes to a temporary file beside OUT.pdf and is renamed into place, so a
failure never leaves a half-written or unverified file. Exit 0 signed, 1 signing or
verification failed (with the reason), 2 unreadable input.
"""

import getpass
import os
import sys
import tempfile

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    requires_system_checks = []  # checks import every URL and API module: seconds per run; `spbe check` runs them
    help = "Sign IN.pdf into OUT.pdf. The BSrE passphrase comes from $ESIGN_PASSPHRASE or a prompt, never an argument."

    def add_arguments(self, parser):
        parser.add_argument("input")
        parser.add_argument("output")
        parser.add_argument("--signer", choices=["local", "seal", "bsre"], default="local")
        parser.add_argument("--level", choices=["B-B", "B-T", "B-LT", "B-LTA"], default=None)
        parser.add_argument("--nik", default="", help="the official's NIK (BSrE; local: their test certificate)")
        parser.add_argument("--reason", default="")
        parser.add_argument("--location", default="Denpasar, Bali")
        parser.add_argument("--field", default="", help="signature field name (default: the first free Signature<n>)")

    def handle(self, *args, input, output, signer, level, nik, reason, location, field, **options):
        from spbe.esign import pades, pdfcheck, signers
        from spbe.esign.verify import verify_pdf

        try:
            with open(input, "rb") as handle:
                data = handle.read()
        except OSError as exc:
            raise CommandError(f"cannot read {input}: {exc.strerror}", returncode=2) from exc
        try:
            pdfcheck.check_pdf(data)
        except pdfcheck.BadPdf as exc:
            raise CommandError(f"{input}: {exc}", returncode=2) from exc
        level = level or settings.ESIGN_DEFAULT_LEVEL
        passphrase = ""
        if signer == "bsre":
            passphrase = os.environ.get("ESIGN_PASSPHRASE") or (getpass.getpass("BSrE passphrase: ") if sys.stdin.isatty() else "")
        before = len(verify_pdf(data, signers.trust_roots()).signatures) if pades.has_signatures(data) else 0
        request = signers.SignRequest(level=level, field_name=field, reason=reason, location=location, nik=nik,
                                      passphrase=passphrase)
        try:
            signed = signers.get_signer(signer, nik=nik if signer == "local" else "").sign(data, request)
        except signers.SignerError as exc:
            raise CommandError(f"signing failed ({exc.code}): {exc.message or 'no reason given'}", returncode=1) from exc
        report = verify_pdf(signed, signers.trust_roots())
        latest = report.signatures[-1] if len(report.signatures) > before else None
        if latest is None:
            raise CommandError("signing failed: the output holds no new signature", returncode=1)
        if not latest.ok:
            raise CommandError(f"NOT VALID ({latest.indication}/{latest.sub_indication or '-'}): "
                               f"{latest.problem or 'no reason given'}; {output} was not written", returncode=1)
        if pades.LEVEL_RANK.get(latest.level, 0) < pades.LEVEL_RANK[level]:
            raise CommandError(f"the signature reaches {latest.level}, not {level}; {output} was not written", returncode=1)
        directory = os.path.dirname(os.path.abspath(output))
        handle, temporary = tempfile.mkstemp(prefix=".esign-", suffix=".pdf", dir=directory)
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(signed)
            os.replace(temporary, output)
        except BaseException:
            if os.path.exists(temporary):
                os.unlink(temporary)
            raise
        earlier = [s for s in report.signatures[:before] if not s.ok]
        note = f"; earlier signatures not valid: {', '.join(f'{s.field} ({s.problem})' for s in earlier)}" if earlier else ""
        self.stdout.write(f"signed {output}: {latest.field} {latest.level} by {latest.signer}; valid ({latest.indication}){note}")
