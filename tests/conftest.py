"""Shared fixtures: two agencies (A with a sub-unit, B), users in several roles, assets."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.test import Client

from spbe.core import services
from spbe.core.models import Agency, Institution
from spbe.core.roles import Role
from spbe.inventory import services as inventory
from spbe.inventory.models import Application, Server, Website

PASSWORD = "correct-horse-battery-9"

# The TTE fixtures (one test PKI, fake BSrE and SoftHSM token per session) are shared with the
# browser tests, so they are registered once for the whole suite.
pytest_plugins = ["tests.esign.fixtures"]


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _steady_rate_limit_window(monkeypatch):
    """Rate limits count in fixed windows; a test that sends 35 requests on a loaded CI machine
    can straddle a minute boundary and see its count reset. In-process, the limiter's clock stands
    one second into a window for the whole test (servers in subprocesses keep the real clock)."""
    import time
    import types

    from spbe.core import ratelimit

    frozen = (int(time.time()) // 86400) * 86400 + 1
    monkeypatch.setattr(ratelimit, "time", types.SimpleNamespace(time=lambda: frozen))


@dataclass
class World:
    province: Institution
    agency_a: Agency
    agency_a_child: Agency
    agency_b: Agency
    users: dict
    assets: dict


def make_user(username: str, agency: Agency | None = None, role: str | None = None):
    user = services.create_user(username=username, password=PASSWORD, email=f"{username}@example.go.id")
    if agency is not None:
        services.grant_membership(user=user, agency=agency, role=role)
    return user


@pytest.fixture
def world(db) -> World:
    province = services.create_institution(code="prov-test", name="Provinsi Uji", kind="province")
    other = services.create_institution(code="kota-test", name="Kota Uji", kind="city")
    agency_a = services.create_agency(institution=province, code="dinas-a", name="Dinas A")
    agency_a_child = services.create_agency(
        institution=province, code="uptd-a", name="UPTD A", kind=Agency.Kind.UPTD, parent=agency_a
    )
    agency_b = services.create_agency(institution=province, code="dinas-b", name="Dinas B")
    agency_other = services.create_agency(institution=other, code="dinas-c", name="Dinas Kota C")
    users = {
        "admin_a": make_user("admin_a", agency_a, Role.AGENCY_ADMIN),
        "staff_a": make_user("staff_a", agency_a, Role.AGENCY_STAFF),
        "admin_b": make_user("admin_b", agency_b, Role.AGENCY_ADMIN),
        "staff_b": make_user("staff_b", agency_b, Role.AGENCY_STAFF),
        "coordinator": make_user("coordinator", agency_a, Role.SPBE_COORDINATOR),
        "platform": make_user("platform", agency_a, Role.PLATFORM_ADMIN),
        "nobody": make_user("nobody"),
    }
    assets = {}
    for key, agency in (("a", agency_a), ("a_child", agency_a_child), ("b", agency_b), ("other", agency_other)):
        assets[f"app_{key}"] = inventory.create_asset(Application, agency=agency, name=f"Aplikasi {key}")
        assets[f"site_{key}"] = inventory.create_asset(
            Website, agency=agency, name=f"Situs {key}", domain=f"{key.replace('_', '-')}.prov.go.id",
            base_url=f"https://{key.replace('_', '-')}.prov.go.id/",
        )
        assets[f"server_{key}"] = inventory.create_asset(
            Server, agency=agency, name=f"Server {key}", hostname=f"srv-{key.replace('_', '-')}.prov.go.id"
        )
    return World(province, agency_a, agency_a_child, agency_b, users, assets)


def verified_device(user):
    """A confirmed authenticator for users whose role needs one (tests sign in as if they had
    typed its code)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


def login(user, client: Client | None = None) -> Client:
    """A test client signed in as ``user``, second factor included where the role asks for it."""
    from spbe.core import twofactor

    client = client or Client()
    client.force_login(user)
    if twofactor.required_by_role(user) or twofactor.is_enrolled(user):
        session = client.session
        twofactor.mark_session_verified(session, verified_device(user))
        session.save()
    return client


@pytest.fixture
def api_token():
    """Returns a function that issues a token for a user and gives the auth header."""

    def issue(user) -> dict:
        _, raw = services.issue_api_token(user=user, name="tests")
        return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    return issue
