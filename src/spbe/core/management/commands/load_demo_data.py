import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from spbe.core.demo import load_demo_data, load_late_demo_data


class Command(BaseCommand):
    requires_system_checks = []  # checks import every URL and API module: seconds per run; `spbe check` runs them
    help = "Load demo data for the Province of Bali (agencies, one user per role, assets). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            default=os.environ.get("SPBE_DEMO_PASSWORD", "bali-demo-2026"),
            help="Password for every demo user (default: $SPBE_DEMO_PASSWORD or bali-demo-2026).",
        )
        parser.add_argument(
            "--stage", choices=["all", "main", "late"], default="all",
            help="main: all but what needs a warmed-up server (make run loads that once the server is ready); "
                 "late: only that part.",
        )

    def handle(self, *args, password, stage, **options):
        if settings.IS_PRODUCTION:
            raise CommandError("Demo data is never loaded in production.")
        if stage == "late":
            load_late_demo_data()
            self.stdout.write(self.style.SUCCESS("Demo conversations ready."))
            return
        result = load_demo_data(password, include_late=stage == "all")
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {result['agencies']} agencies."))
        self.stdout.write(f"Demo users (password: {password}):")
        for username, role in result["users"]:
            self.stdout.write(f"  {username:<22} {role}")
