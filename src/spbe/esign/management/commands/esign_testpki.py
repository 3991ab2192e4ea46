"""The offline test PKI (development, tests, demo): create it, and serve its CRL/OCSP/TSA
endpoints together with the fake BSrE service."""

import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    requires_system_checks = []  # checks import every URL and API module: seconds per run; `spbe check` runs them
    help = "init: create the test PKI (idempotent); serve: CRL/OCSP/TSA on ESIGN_PKI_URL and the fake BSrE on ESIGN_BSRE_URL."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["init", "serve"])
        parser.add_argument("--force", action="store_true", help="init: recreate even if it exists")

    def handle(self, *args, action, force, **options):
        from urllib.parse import urlparse

        from spbe.esign.pki import TestPki

        pki = TestPki(settings.ESIGN_PKI_DIR)
        if action == "init" or not pki.exists():
            if pki.exists() and not force:
                self.stdout.write(f"test PKI already at {pki.dir}")
            else:
                TestPki.create(settings.ESIGN_PKI_DIR, settings.ESIGN_PKI_URL)
                self.stdout.write(f"created the test PKI in {pki.dir} (services at {settings.ESIGN_PKI_URL})")
            if action == "init":
                return
        import threading

        from spbe.esign.bsre_fake import FakeBsre
        from spbe.esign.pkiserver import PkiServer

        pki_url, bsre_url = urlparse(settings.ESIGN_PKI_URL), urlparse(settings.ESIGN_BSRE_URL)
        if pki_url.hostname not in ("127.0.0.1", "localhost") or bsre_url.hostname not in ("127.0.0.1", "localhost"):
            raise CommandError("the test PKI and fake BSrE serve on loopback only")
        bsre = FakeBsre(pki, client_id=settings.ESIGN_BSRE_CLIENT_ID, client_secret=settings.ESIGN_BSRE_CLIENT_SECRET)
        passphrase = os.environ.get("ESIGN_FAKE_PASSPHRASE", "bali-demo-2026")
        for label in pki.state["people"]:
            bsre.enroll(label, passphrase, status="REVOKE" if label == "pensiun" else "ISSUE")
        threading.Thread(target=bsre.serve_forever, args=(bsre_url.hostname, bsre_url.port), daemon=True).start()
        self.stdout.write(f"test PKI services on {settings.ESIGN_PKI_URL}, fake BSrE on {settings.ESIGN_BSRE_URL} (Ctrl-C stops)")
        try:
            PkiServer(pki).serve_forever(pki_url.hostname, pki_url.port)
        except KeyboardInterrupt:
            pass
