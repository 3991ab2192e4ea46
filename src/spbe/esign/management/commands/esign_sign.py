"""`spbe esign_sign IN.pdf OUT.pdf` — sign a PDF with a configured signer (PAdES)."""

import getpass
import os
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Sign IN.pdf into OUT.pdf. The BSrE passphrase comes from $ESIGN_PASSPHRASE or a prompt, never an argument."

    def add_arguments(self, parser):
        parser.add_argument("input")
        parser.add_argument("output")
        parser.add_argument("--signer", choices=["local", "seal", "bsre"], default="local")
        parser.add_argument("--level", choices=["B-B", "B-T", "B-LT"], default=None)
        parser.add_argument("--nik", default="", help="BSrE: the official's NIK")
        parser.add_argument("--reason", default="")
        parser.add_argument("--location", default="Denpasar, Bali")
        parser.add_argument("--field", default="Signature1")

    def handle(self, *args, input, output, signer, level, nik, reason, location, field, **options):
        from spbe.esign import pdfcheck, signers
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
        passphrase = ""
        if signer == "bsre":
            passphrase = os.environ.get("ESIGN_PASSPHRASE") or (getpass.getpass("BSrE passphrase: ") if sys.stdin.isatty() else "")
        request = signers.SignRequest(level=level or settings.ESIGN_DEFAULT_LEVEL, field_name=field, reason=reason,
                                      location=location, nik=nik, passphrase=passphrase)
        try:
            signed = signers.get_signer(signer).sign(data, request)
        except signers.SignerError as exc:
            raise CommandError(f"signing failed ({exc.code}): {exc.message}", returncode=1) from exc
        report = verify_pdf(signed, signers.trust_roots())
        with open(output, "wb") as handle:
            handle.write(signed)
        last = report.signatures[-1] if report.signatures else None
        self.stdout.write(f"signed {output}: {last.level if last else '?'} by {last.signer if last else '?'}; "
                          f"{'valid' if report.valid else 'NOT VALID: ' + (last.problem if last else report.error)}")
        if not report.valid:
            sys.exit(1)
