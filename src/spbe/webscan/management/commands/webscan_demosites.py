"""Serve the loopback copies of the demo OPD websites (see spbe.webscan.demosites) until interrupted."""

import time

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve the demo OPD websites on loopback (two of them infected) for demo scans."
    requires_system_checks = []

    def handle(self, *args, **options):
        from spbe.webscan.demosites import DemoSites

        with DemoSites() as sites:
            for domain, url in sites.urls().items():
                self.stdout.write(f"{domain:<32} {url}")
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                pass
