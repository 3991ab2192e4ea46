"""Agency isolation through every channel: web console, API and Django admin.

Users (see conftest): admin_a/staff_a hold roles in Dinas A (which has a sub-unit UPTD A),
admin_b/staff_b in Dinas B, coordinator has institution reach, platform sees everything.
"""

from __future__ import annotations

import json

import pytest

from spbe.inventory.models import Application, Server, Website

from ..conftest import login

VISIBLE = {
    "admin_a": {"a", "a_child"},
    "staff_a": {"a", "a_child"},
    "admin_b": {"b"},
    "staff_b": {"b"},
    "coordinator": {"a", "a_child", "b"},
    "platform": {"a", "a_child", "b", "other"},
    "nobody": set(),
}
CAN_CHANGE = {"admin_a": {"a", "a_child"}, "staff_a": {"a", "a_child"}, "admin_b": {"b"}, "staff_b": {"b"},
              "coordinator": set(), "platform": {"a", "a_child", "b", "other"}, "nobody": set()}
CAN_DELETE = {"admin_a": {"a", "a_child"}, "admin_b": {"b"}, "platform": {"a", "a_child", "b", "other"}}
OWNERS = ("a", "a_child", "b", "other")
KINDS = {"applications": ("app", Application), "websites": ("site", Website), "servers": ("server", Server)}


@pytest.mark.django_db
@pytest.mark.parametrize("username", sorted(VISIBLE))
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_api_list_and_detail_show_only_own_agencies(world, api_token, client, username, kind):
    prefix, _ = KINDS[kind]
    headers = api_token(world.users[username])
    listed = client.get(f"/api/v1/inventory/{kind}?limit=100", **headers)
    assert listed.status_code == 200
    ids = {item["id"] for item in listed.json()["items"]}
    expected = {world.assets[f"{prefix}_{owner}"].pk for owner in VISIBLE[username]}
    assert ids == expected
    for owner in OWNERS:
        asset = world.assets[f"{prefix}_{owner}"]
        response = client.get(f"/api/v1/inventory/{kind}/{asset.pk}", **headers)
        assert response.status_code == (200 if owner in VISIBLE[username] else 404), (owner, response.content)


@pytest.mark.django_db
@pytest.mark.parametrize("username", sorted(VISIBLE))
def test_api_change_and_delete_respect_agency_and_role(world, api_token, client, username):
    headers = api_token(world.users[username])
    for owner in OWNERS:
        app = world.assets[f"app_{owner}"]
        response = client.patch(
            f"/api/v1/inventory/applications/{app.pk}",
            data=json.dumps({"description": f"changed by {username}"}),
            content_type="application/json",
            **headers,
        )
        app.refresh_from_db()
        if owner in CAN_CHANGE[username]:
            assert response.status_code == 200, response.content
            assert app.description == f"changed by {username}"
        else:
            assert response.status_code == (403 if owner in VISIBLE[username] else 404)
            assert app.description == ""
    for owner in OWNERS:
        server = world.assets[f"server_{owner}"]
        response = client.delete(f"/api/v1/inventory/servers/{server.pk}", **headers)
        exists = Server.objects.filter(pk=server.pk).exists()
        if owner in CAN_DELETE.get(username, set()):
            assert response.status_code == 204
            assert not exists
        else:
            assert response.status_code == (403 if owner in VISIBLE[username] else 404)
            assert exists


@pytest.mark.django_db
def test_api_cannot_create_or_move_assets_into_another_agency(world, api_token, client):
    headers = api_token(world.users["admin_a"])
    created = client.post(
        "/api/v1/inventory/applications",
        data=json.dumps({"agency_id": world.agency_b.pk, "name": "Sisipan"}),
        content_type="application/json",
        **headers,
    )
    assert created.status_code == 404
    assert not Application.objects.filter(name="Sisipan").exists()
    app = world.assets["app_a"]
    moved = client.patch(
        f"/api/v1/inventory/applications/{app.pk}",
        data=json.dumps({"agency_id": world.agency_b.pk}),
        content_type="application/json",
        **headers,
    )
    assert moved.status_code == 404
    app.refresh_from_db()
    assert app.agency_id == world.agency_a.pk


@pytest.mark.django_db
@pytest.mark.parametrize("username", sorted(VISIBLE))
def test_web_console_lists_and_forms_are_scoped(world, username):
    client = login(world.users[username])
    page = client.get("/console/inventory/applications/")
    if username == "nobody":
        assert page.status_code == 403
        return
    html = page.content.decode()
    for owner in OWNERS:
        assert (f"Aplikasi {owner}<" in html) == (owner in VISIBLE[username]), owner
        app = world.assets[f"app_{owner}"]
        form = client.get(f"/console/inventory/applications/{app.pk}/")
        if owner not in VISIBLE[username]:
            assert form.status_code == 404
        else:
            # Those who may only see it get the record read-only, without a way to save.
            assert form.status_code == 200
            assert ('data-testid="asset-save"' in form.content.decode()) == (owner in CAN_CHANGE[username])
        posted = client.post(
            f"/console/inventory/applications/{app.pk}/",
            {"agency": app.agency_id, "name": "Diambil alih", "kind": "public_service", "status": "production",
             "criticality": "low", "is_active": "on"},
        )
        app.refresh_from_db()
        if owner in CAN_CHANGE[username]:
            assert posted.status_code == 302 and app.name == "Diambil alih"
        else:
            assert posted.status_code in (403, 404) and app.name == f"Aplikasi {owner}"
        deleted = client.post(f"/console/inventory/applications/{app.pk}/delete/")
        still_there = Application.objects.filter(pk=app.pk).exists()
        assert still_there == (owner not in CAN_DELETE.get(username, set()))
        assert deleted.status_code in ((302,) if not still_there else (403, 404))


@pytest.mark.django_db
def test_web_agency_pages_are_scoped(world):
    client = login(world.users["admin_a"])
    assert client.get(f"/console/agencies/{world.agency_a.pk}/").status_code == 200
    assert client.get(f"/console/agencies/{world.agency_a_child.pk}/").status_code == 200
    assert client.get(f"/console/agencies/{world.agency_b.pk}/").status_code == 404
    response = client.post(f"/console/agencies/{world.agency_b.pk}/", {"name": "Dibajak"})
    assert response.status_code == 404
    world.agency_b.refresh_from_db()
    assert world.agency_b.name == "Dinas B"


ADMIN_USERS = {"admin_a": {"a", "a_child"}, "admin_b": {"b"}, "coordinator": {"a", "a_child", "b"},
               "platform": {"a", "a_child", "b", "other"}}


@pytest.mark.django_db
@pytest.mark.parametrize("username", sorted(ADMIN_USERS))
def test_admin_is_scoped(world, username):
    client = login(world.users[username])
    changelist = client.get("/admin/inventory/application/")
    if username == "coordinator":
        # Coordinators may view inventory but have no change rights: read-only admin.
        assert changelist.status_code == 200
    html = changelist.content.decode()
    for owner in OWNERS:
        assert (f"Aplikasi {owner}<" in html) == (owner in ADMIN_USERS[username]), owner
        app = world.assets[f"app_{owner}"]
        change = client.get(f"/admin/inventory/application/{app.pk}/change/")
        if owner in ADMIN_USERS[username]:
            assert change.status_code == 200
        else:
            assert change.status_code == 302  # "does not exist" redirect, nothing revealed
        client.post(
            f"/admin/inventory/application/{app.pk}/change/",
            {"agency": app.agency_id, "name": "Admin ubah", "description": "", "kind": "public_service",
             "status": "production", "url": "", "technology": "", "criticality": "low", "is_active": "on"},
        )
        client.post(f"/admin/inventory/application/{app.pk}/delete/", {"post": "yes"})
        app_now = Application.objects.filter(pk=app.pk).first()
        if owner in CAN_DELETE.get(username, set()):
            assert app_now is None
        elif owner in CAN_CHANGE.get(username, set()):
            assert app_now.name == "Admin ubah"
        else:
            assert app_now.name == f"Aplikasi {owner}"


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["staff_a", "staff_b", "nobody"])
def test_non_administrative_roles_have_no_admin(world, username):
    client = login(world.users[username])
    response = client.get("/admin/inventory/application/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


@pytest.mark.django_db
def test_admin_agency_picker_offers_only_own_agencies(world):
    client = login(world.users["admin_a"])
    html = client.get("/admin/inventory/application/add/").content.decode()
    assert "Dinas A" in html and "UPTD A" in html
    assert "Dinas B" not in html


@pytest.mark.django_db
def test_revoked_membership_loses_access_immediately(world, api_token, client):
    from spbe.core import services

    user = world.users["staff_b"]
    headers = api_token(user)
    app = world.assets["app_b"]
    assert client.get(f"/api/v1/inventory/applications/{app.pk}", **headers).status_code == 200
    services.revoke_membership(user.memberships.get())
    assert client.get(f"/api/v1/inventory/applications/{app.pk}", **headers).status_code == 404
