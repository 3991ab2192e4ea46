"""Serve the local bank simulator (see spbe.levy.banksim) until interrupted."""

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    requires_system_checks = []  # checks import every URL and API module: seconds per run; `spbe check` runs them
    help = "Run the local bank / payment-gateway simulator used in development and demos."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8079)
        parser.add_argument("--duplicate-deliveries", type=int, default=1,
                            help="send every notification this many times (to exercise idempotency)")

    def handle(self, *args, host, port, duplicate_deliveries, **options):
        from spbe.levy.banksim import BankSimulator

        config = settings.LEVY_PROVIDERS["banksim"]
        simulator = BankSimulator(config["server_key"], callback_token=settings.LEVY_PROVIDERS["xendit"]["callback_token"] or "banksim-callback-token",
                                  duplicate_deliveries=duplicate_deliveries)
        self.stdout.write(f"Bank simulator on http://{host}:{port} (Ctrl-C to stop)")
        try:
            simulator.serve_forever(host, port)
        except KeyboardInterrupt:
            pass
