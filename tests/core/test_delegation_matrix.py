"""Who may grant and revoke which role, at which reach — through the service, the API, the web
console and the Django admin. The expectations are written out here as a table of their own
(not computed with the code under test): a granter's level and reach against each role's level.
"""

from __future__ import annotations

import json
from itertools import product

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction

from spbe.audit.models import AuditEvent
from spbe.core import services
from spbe.core.models import Agency, Membership
from spbe.core.roles import Role

from ..conftest import login, make_user

# Roles an agency admin may hand out inside its own agency tree; everything else opens data
# of the whole institution (or the platform) and needs an institution or platform admin.
AGENCY_LEVEL = {Role.AGENCY_ADMIN, Role.AGENCY_STAFF, Role.DOCUMENT_REVIEWER, Role.SIGNER}
PLATFORM_LEVEL = {Role.PLATFORM_ADMIN}
GRANTERS = [
    Role.PLATFORM_ADMIN, Role.INSTITUTION_ADMIN, Role.AGENCY_ADMIN, Role.AGENCY_STAFF, Role.SPBE_COORDINATOR,
    Role.SECURITY_TRIAGER, Role.LEVY_OFFICER,
]
TARGETS = ("own", "child", "sibling", "other_institution")


# Narrow delegations a module registers (levy: officers give endpoints' front offices their
# accounts). They go through the service, which the levy's invitation calls; the generic
# membership API, console page and admin still need an administrator.
DELEGATED = {(Role.LEVY_OFFICER, Role.PARTNER_ENDPOINT)}


def expected(granter: str, role: str, target: str, transport: str = "service") -> bool:
    if (granter, role) in DELEGATED:
        return transport == "service" and target != "other_institution"
    if granter == Role.PLATFORM_ADMIN:
        return True
    if granter == Role.INSTITUTION_ADMIN:
        return role not in PLATFORM_LEVEL and target != "other_institution"
    if granter == Role.AGENCY_ADMIN:
        return role in AGENCY_LEVEL and target in ("own", "child")
    return False


@pytest.fixture
def setup(db):
    province = services.create_institution(code="prov-d", name="Provinsi D", kind="province")
    city = services.create_institution(code="kota-d", name="Kota D", kind="city")
    own = services.create_agency(institution=province, code="dinas-own", name="Dinas Own")
    targets = {
        "own": own,
        "child": services.create_agency(institution=province, code="uptd-child", name="UPTD", parent=own,
                                        kind=Agency.Kind.UPTD),
        "sibling": services.create_agency(institution=province, code="dinas-sib", name="Dinas Sibling"),
        "other_institution": services.create_agency(institution=city, code="dinas-city", name="Dinas Kota"),
    }
    granters = {role: make_user(f"g-{role}", own, role) for role in GRANTERS}
    grantee = make_user("grantee")
    return targets, granters, grantee


@pytest.fixture
def signed_in(setup):
    """Per granter, one signed-in test client and one API token, made before the attempts (each
    attempt is rolled back, so a session or token made inside one would vanish with it)."""
    granters = setup[1]
    clients = {role: login(user) for role, user in granters.items()}
    tokens = {role: services.issue_api_token(user=user, name="t")[1] for role, user in granters.items()}
    return clients, tokens


def _attempt(setup, signed_in, transport: str, granter_role: str, role: str, target: str):
    targets, granters, grantee = setup
    clients, tokens = signed_in
    granter, agency = granters[granter_role], targets[target]
    before = Membership.objects.filter(user=grantee, agency=agency, role=role, is_active=True).exists()
    assert not before
    if transport == "service":
        try:
            services.grant_membership(user=grantee, agency=agency, role=role, by=granter)
        except (PermissionDenied, services.ServiceError):
            pass
    elif transport == "api":
        response = clients[granter_role].post(
            "/api/v1/memberships", data=json.dumps({"username": grantee.username, "agency_id": agency.pk, "role": role}),
            content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {tokens[granter_role]}",
        )
        assert response.status_code in (201, 400, 403, 404), response.content
    elif transport == "web":
        response = clients[granter_role].post(f"/console/agencies/{agency.pk}/members/",
                                       {"username": grantee.username, "role": role})
        assert response.status_code in (302, 403, 404)
    elif transport == "admin":
        response = clients[granter_role].post("/admin/core/membership/add/", {
            "user": grantee.pk, "agency": agency.pk, "role": role, "valid_until": "", "_save": "Save"})
        assert response.status_code in (200, 302, 403)
    return Membership.objects.filter(user=grantee, agency=agency, role=role, is_active=True).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("transport", ["service", "api", "web", "admin"])
def test_grant_matrix(setup, signed_in, transport):
    wrong = []
    for granter_role, role, target in product(GRANTERS, Role.values, TARGETS):
        with transaction.atomic():
            granted = _attempt(setup, signed_in, transport, granter_role, role, target)
            transaction.set_rollback(True)
        if granted != expected(granter_role, role, target, transport):
            wrong.append((granter_role, role, target, granted))
    assert not wrong, f"{len(wrong)} wrong decisions, e.g. {wrong[:8]}"


def _revoke(setup, signed_in, transport: str, granter_role: str, membership: Membership) -> bool:
    granter = setup[1][granter_role]
    clients, tokens = signed_in
    if transport == "service":
        try:
            services.revoke_membership(membership, by=granter)
        except (PermissionDenied, services.ServiceError):
            pass
    elif transport == "api":
        response = clients[granter_role].delete(f"/api/v1/memberships/{membership.pk}",
                                                HTTP_AUTHORIZATION=f"Bearer {tokens[granter_role]}")
        assert response.status_code in (204, 403, 404, 409), response.content
    elif transport == "web":
        response = clients[granter_role].post(f"/console/memberships/{membership.pk}/revoke/")
        assert response.status_code in (302, 403, 404)
    elif transport == "admin":
        response = clients[granter_role].post(f"/admin/core/membership/{membership.pk}/delete/", {"post": "yes"})
        assert response.status_code in (200, 302, 403, 404)
    membership.refresh_from_db()
    return not membership.is_active


@pytest.mark.django_db
@pytest.mark.parametrize("transport", ["service", "api", "web", "admin"])
def test_revoke_matrix(setup, signed_in, transport):
    targets, granters, grantee = setup
    holders = {}
    for role, target in product(Role.values, TARGETS):
        holders[(role, target)] = services.grant_membership(user=grantee, agency=targets[target], role=role)
    wrong = []
    for granter_role, (role, target) in product(GRANTERS, holders):
        with transaction.atomic():
            revoked = _revoke(setup, signed_in, transport, granter_role, holders[(role, target)])
            transaction.set_rollback(True)
        if revoked != expected(granter_role, role, target, transport):
            wrong.append((granter_role, role, target, revoked))
    assert not wrong, f"{len(wrong)} wrong decisions, e.g. {wrong[:8]}"


@pytest.mark.django_db
def test_agency_admin_cannot_give_a_role_to_a_user_of_another_institution(setup):
    targets, granters, _ = setup
    city_user = make_user("city-staff", targets["other_institution"], Role.AGENCY_STAFF)
    with pytest.raises(services.ServiceError) as excinfo:
        services.grant_membership(user=city_user, agency=targets["own"], role=Role.AGENCY_STAFF,
                                  by=granters[Role.AGENCY_ADMIN])
    assert excinfo.value.code == "foreign_user"
    # The platform admin may (a person seconded between governments).
    services.grant_membership(user=city_user, agency=targets["own"], role=Role.AGENCY_STAFF,
                              by=granters[Role.PLATFORM_ADMIN])


@pytest.mark.django_db
def test_the_last_platform_admin_cannot_be_removed(setup, api_token, client):
    _, granters, _ = setup
    platform = granters[Role.PLATFORM_ADMIN]
    only = Membership.objects.get(user=platform, role=Role.PLATFORM_ADMIN)
    response = client.delete(f"/api/v1/memberships/{only.pk}", **api_token(platform))
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "last_platform_admin"
    only.refresh_from_db()
    assert only.is_active
    # With a second platform admin, the first may go.
    second = make_user("second-admin", only.agency, Role.PLATFORM_ADMIN)
    assert client.delete(f"/api/v1/memberships/{only.pk}", **api_token(second)).status_code == 204


@pytest.mark.django_db
def test_every_grant_and_revoke_is_audited(setup):
    targets, granters, grantee = setup
    admin = granters[Role.AGENCY_ADMIN]
    membership = services.grant_membership(user=grantee, agency=targets["child"], role=Role.SIGNER, by=admin)
    services.revoke_membership(membership, by=admin)
    events = list(AuditEvent.objects.filter(action__startswith="core.membership.", target_id=str(membership.pk))
                  .order_by("id").values_list("action", "actor_id"))
    assert events == [("core.membership.granted", admin.pk), ("core.membership.revoked", admin.pk)]


@pytest.mark.django_db
def test_kominfo_admin_probe_from_the_penetration_test(client, api_token):
    """The issue's probe, on the demo data: the Diskominfos agency admin tries to make their
    staff a triager, levy officer, coordinator and duty officer, and to remove the platform admin."""
    from django.core.management import call_command

    call_command("load_demo_data", verbosity=0)
    from spbe.core.models import User

    admin, staff = User.objects.get(username="kominfo.admin"), User.objects.get(username="kominfo.staf")
    headers = api_token(admin)
    diskominfos = staff.memberships.get().agency
    for role in ("security_triager", "levy_officer", "spbe_coordinator", "duty_officer"):
        response = client.post("/api/v1/memberships", data=json.dumps(
            {"username": staff.username, "agency_id": diskominfos.pk, "role": role}),
            content_type="application/json", **headers)
        assert response.status_code == 403, (role, response.content)
    platform = Membership.objects.get(user__username="admin", role=Role.PLATFORM_ADMIN)
    assert client.delete(f"/api/v1/memberships/{platform.pk}", **headers).status_code == 403
    platform.refresh_from_db()
    assert platform.is_active
    # What an agency admin may do still works: a signer in their own agency.
    response = client.post("/api/v1/memberships", data=json.dumps(
        {"username": staff.username, "agency_id": diskominfos.pk, "role": "signer"}),
        content_type="application/json", **headers)
    assert response.status_code == 201
