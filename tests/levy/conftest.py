"""Levy fixtures: the levy institution, officers, and a real bank simulator on loopback."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone, translation

from spbe.core.roles import Role
from spbe.levy import services
from spbe.levy.banksim import BankSimulator
from spbe.levy.partner_auth import signed_headers
from tests.conftest import make_user

SIM_KEY = "sim-test-server-key"
CALLBACK_TOKEN = "sim-test-callback-token"


@pytest.fixture
def banksim(settings):
    """A running simulator; providers point at it. Notifications go to settings.SITE_URL."""
    sim = BankSimulator(SIM_KEY, callback_token=CALLBACK_TOKEN, retry_delays=(0.05, 0.1, 0.2, 0.4), settlement_fee=4500)
    url = sim.start()
    settings.LEVY_PROVIDERS = {
        "banksim": {"base_url": url, "server_key": SIM_KEY},
        "midtrans": {"base_url": url, "server_key": SIM_KEY},
        "xendit": {"base_url": url, "secret_key": SIM_KEY, "callback_token": CALLBACK_TOKEN},
    }
    yield sim
    sim.stop()


@dataclass
class Levy:
    officer: object
    checkpoint: object
    world: object


@pytest.fixture
def levy(world, settings):
    settings.LEVY_INSTITUTION_CODE = world.province.code
    services.clear_caches()
    officer = make_user("levy_officer", world.agency_a, Role.LEVY_OFFICER)
    checkpoint = make_user("checkpoint_officer", world.agency_a, Role.CHECKPOINT_OFFICER)
    with translation.override("en"):
        yield Levy(officer, checkpoint, world)


def traveller(name="Olivia Smith", nationality="AU", passport="PA1234567", arrival=None):
    return services.TravellerInput(name, nationality, passport, arrival or timezone.localdate() + timedelta(days=3))


def make_order(n=1, email="olivia@example.com", first_passport=1000000, **kwargs):
    travellers = [traveller(f"Traveller {i}", passport=f"PA{first_passport + i}") for i in range(n)]
    return services.create_order(email=email, travellers=travellers, **kwargs)


def notify_url():
    from spbe.levy.api import notify_url as build

    return build("banksim")


def pay(banksim, order, method="qris"):
    """Pay an order through the simulator and issue its vouchers (what the notification and the
    queued task do; on_commit does not fire inside a test transaction)."""
    payment = services.start_payment(order, method, notify_url="")
    banksim.pay(payment.provider_reference)
    services.refresh_payment(payment)
    services.issue_vouchers(order.pk)
    order.refresh_from_db()
    payment.refresh_from_db()
    return payment


# --- partner (Love Bali Endpoint) API -------------------------------------------------------


@pytest.fixture
def partner(levy, banksim):
    endpoint = services.register_endpoint(name="Hotel Segara", legal_name="PT Segara", nib="8120001234567", kind="accommodation",
                                          address="Kuta", website="https://www.segara.example.com/", contact_name="Ayu",
                                          contact_email="ayu@segara.example.com")
    with pytest.raises(services.ServiceError):
        services.decide_endpoint(endpoint, status="approved", by=levy.officer)  # no PKS yet
    services.decide_endpoint(endpoint, status="approved", pks_number="PKS/1/2025", by=levy.officer)
    key, secret = services.issue_endpoint_key(endpoint, label="front desk", by=levy.officer)
    return endpoint, key.key_id, secret


def call(method, path, key_id, secret, body=None, idem=None, now=None, tamper=False):
    data = json.dumps(body).encode() if body is not None else b""
    headers = signed_headers(key_id, secret, method, path, data, now=now)
    if tamper:
        data = data.replace(b"Olivia", b"Olivio")
    if idem:
        headers["Idempotency-Key"] = idem
    extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    client = Client()
    if method == "GET":
        return client.get(path, **extra)
    return client.post(path, data=data, content_type="application/json", **extra)


ORDER = {"email": "olivia@example.com", "method": "va", "travellers": [
    {"full_name": "Olivia Smith", "nationality": "AU", "passport": "PA1234567", "arrival_date": (timezone.localdate() + timedelta(days=2)).isoformat()},
    {"full_name": "Jack Smith", "nationality": "AU", "passport": "PA7654321", "arrival_date": (timezone.localdate() + timedelta(days=2)).isoformat()},
]}
