"""Demo data for the levy: endpoints, counter-paid orders over two weeks, arrivals, an
exemption application. Idempotent (skips when orders exist)."""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from spbe.core.models import Institution

from .models import ArrivalCount, Channel, Endpoint, Order

DEMO_ENDPOINTS = [
    ("Hotel Segara Kuta", "PT Segara Kuta Lestari", "8120001234567", Endpoint.Kind.ACCOMMODATION, "Jl. Pantai Kuta 1, Badung", "segarakuta.example.com", True),
    ("Bali Tirta Tours", "CV Bali Tirta Wisata", "8120007654321", Endpoint.Kind.TRAVEL_AGENT, "Jl. Teuku Umar 9, Denpasar", "balitirtatours.example.com", True),
    ("Hotel Ubud Sari", "PT Ubud Sari Asri", "8120001112223", Endpoint.Kind.ACCOMMODATION, "Jl. Raya Ubud 22, Gianyar", "ubudsari.example.com", True),
    ("Villa Sanur Indah", "PT Sanur Indah Abadi", "8120003334445", Endpoint.Kind.ACCOMMODATION, "Jl. Danau Tamblingan 5, Denpasar", "", False),
]
# The demo partner account (core demo user "mitra.hotel") is the front office of this endpoint.
DEMO_PARTNER_AGENCY = ("hotel-ubud-sari", "Hotel Ubud Sari")
DEMO_TRAVELLERS = [
    ("Olivia Smith", "AU"), ("Jack Wilson", "AU"), ("Wang Fang", "CN"), ("Kim Min-jun", "KR"), ("Sato Yui", "JP"),
    ("Ivan Petrov", "RU"), ("Camille Martin", "FR"), ("Lukas Schneider", "DE"), ("Emma Brown", "GB"), ("Arjun Sharma", "IN"),
]


def load_demo() -> None:
    from . import services

    institution = Institution.objects.filter(code="pemprov-bali").first()
    if institution is None or Order.objects.exists():
        return
    services.active_signing_key()
    endpoints = []
    for name, legal, nib, kind, address, website, approved in DEMO_ENDPOINTS:
        endpoint = services.register_endpoint(name=name, legal_name=legal, nib=nib, kind=kind, address=address, website=website,
                                              contact_name="Front office", contact_email=f"levy@{website or 'villasanurindah.example.com'}")
        if approved:
            endpoint.status = Endpoint.Status.APPROVED
            endpoint.pks_number = f"PKS/{endpoint.code}/DISPAR/2025"
            if name == DEMO_PARTNER_AGENCY[1]:
                from spbe.core.models import Agency

                endpoint.partner_agency = Agency.objects.filter(code=DEMO_PARTNER_AGENCY[0]).first()
            endpoint.save(update_fields=["status", "pks_number", "partner_agency"])
            endpoints.append(endpoint)
    rng = random.Random(2025)
    today = timezone.localdate()
    for days_ago in range(14, 0, -1):
        day = today - timedelta(days=days_ago)
        ArrivalCount.objects.create(institution=institution, day=day, arrivals=rng.randint(14, 22), source="demo")
        for n in range(rng.randint(4, 8)):
            size = rng.choice([1, 1, 2, 3])
            travellers = []
            for k in range(size):
                name, nationality = rng.choice(DEMO_TRAVELLERS)
                travellers.append(services.TravellerInput(name, nationality, f"D{days_ago:02d}{n:02d}{k}{rng.randint(1000, 9999)}", day))
            endpoint = rng.choice(endpoints) if rng.random() < 0.3 else None
            order = services.create_order(
                email=f"guest{days_ago}{n}@example.com", travellers=travellers, channel=Channel.ENDPOINT if endpoint else Channel.COUNTER,
                endpoint=endpoint, language=rng.choice(["en", "zh-hans", "ko", "ja", "ru", "fr", "de"]), today=day,
            )
            services.record_counter_payment(order, approval_code=f"{rng.randint(100000, 999999)}", by=None)
            services.issue_vouchers(order.pk)
    pending = services.create_order(email="pending@example.com", travellers=[services.TravellerInput("Noah Taylor", "NZ", "LA123456", today + timedelta(days=3))])
    assert pending.status == Order.Status.PENDING
    services.submit_exemption(
        category="f", full_name="Hans Gruber", nationality="DE", passport="C01X00T47", email="hans@example.com",
        arrival_date=today + timedelta(days=20), departure_date=today + timedelta(days=50),
        reason="Golden visa holder (investor).", files=[("golden-visa.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")],
    )
