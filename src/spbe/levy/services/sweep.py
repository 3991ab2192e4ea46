"""The periodic levy sweep: one body for the scheduled task and `spbe levy_sweep`."""

from __future__ import annotations

from . import webhooks
from .orders import expire_orders
from .vouchers import repair_missing_vouchers


def sweep(older_than_seconds: int = 60) -> dict:
    """Expire unpaid orders, issue the vouchers a crash left unissued (orders paid at least
    ``older_than_seconds`` ago), deliver the partner webhooks that are due."""
    return {"expired": expire_orders(), "repaired": repair_missing_vouchers(older_than_seconds),
            "webhooks": webhooks.deliver_due()}
