"""The web host's side of the scale-out test (tests/deploy/test_scale_out.py), run as
``python -m tests.deploy.scaleout_driver seed|report`` against the database host.

``seed`` leaves orders in the state a crash of the payment path leaves them (paid, no vouchers
yet) and queues the work: one Wazuh backfill and one voucher issue per order. ``report``
prints, as JSON, what the workers made of it."""

from __future__ import annotations

import argparse
import json
import os
from datetime import timedelta


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "spbe.config.settings")
    import django

    django.setup()


def seed(orders: int, travellers: int) -> dict:
    from django.conf import settings
    from django.db import transaction
    from django.utils import timezone

    from spbe.core import context
    from spbe.core.models import Institution
    from spbe.levy import services
    from spbe.levy.models import Order, Payment
    from spbe.levy.tasks import issue_order_vouchers
    from spbe.security.tasks import wazuh_backfill_task

    with context.acting_as(kind="system"):
        Institution.objects.get_or_create(code=settings.LEVY_INSTITUTION_CODE,
                                          defaults={"name": "Pemerintah Provinsi Bali", "kind": Institution.Kind.PROVINCE})
        services.active_signing_key()  # the key exists before the workers race to use it
        backfill = wazuh_backfill_task.enqueue(hours=24 * 30)
        arrival = timezone.localdate() + timedelta(days=5)
        voucher_jobs = []
        for n in range(orders):
            people = [services.TravellerInput(f"Traveller {n}-{i}", "AU", f"PX{n:04d}{i:03d}", arrival)
                      for i in range(travellers)]
            with transaction.atomic():
                order = services.create_order(email=f"guest{n}@example.com", travellers=people)
                Payment.objects.create(order=order, local_id=1, provider="banksim", method="qris",
                                       amount=order.total, state=Payment.State.CONFIRMED,
                                       confirmed_at=timezone.now(), provider_reference=f"SIM-{order.code}")
                Order.objects.filter(pk=order.pk).update(status=Order.Status.PAID, paid_at=timezone.now())
            voucher_jobs.append(issue_order_vouchers.enqueue(order.pk).id)
    return {"backfill": backfill.id, "vouchers": voucher_jobs}


def report() -> dict:
    from spbe.audit.models import AuditEvent
    from spbe.audit.services import verify_chain
    from spbe.levy.models import Order, Traveller, Voucher
    from spbe.security.models import SecurityAlert

    chain = verify_chain()
    return {
        "orders": Order.objects.count(),
        "orders_without_vouchers": Order.objects.filter(vouchers_issued_at__isnull=True).count(),
        "travellers": Traveller.objects.count(),
        "vouchers": Voucher.objects.filter(traveller__isnull=False).count(),
        "voucher_issued_events": AuditEvent.objects.filter(action="levy.voucher.issued").count(),
        "alerts": SecurityAlert.objects.count(),
        "distinct_alerts": SecurityAlert.objects.values("source_id").distinct().count(),
        "audit_chain_ok": chain.ok,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["seed", "report"])
    parser.add_argument("--orders", type=int, default=30)
    parser.add_argument("--travellers", type=int, default=2)
    args = parser.parse_args()
    _setup()
    result = seed(args.orders, args.travellers) if args.command == "seed" else report()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
