from __future__ import annotations

import pytest

from ..conftest import login


@pytest.mark.django_db
def test_portal_is_indonesian_by_default_and_english_on_request(client):
    default = client.get("/").content.decode()
    assert 'lang="id"' in default
    assert "Layanan digital Provinsi Bali" in default
    english = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Digital services of the Province of Bali" in english


@pytest.mark.django_db
def test_language_switch_sets_cookie_and_changes_pages(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert "Digital services of the Province of Bali" in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "id", "next": "/"})
    assert "Layanan digital Provinsi Bali" in client.get("/").content.decode()


@pytest.mark.django_db
def test_console_requires_login_and_membership(client, world):
    assert client.get("/console/").status_code == 302
    assert login(world.users["nobody"]).get("/console/").status_code == 403
    page = login(world.users["admin_a"]).get("/console/")
    assert page.status_code == 200
    assert "Aplikasi" in page.content.decode()


@pytest.mark.django_db
def test_console_form_keeps_input_and_explains_errors(world):
    client = login(world.users["admin_a"])
    response = client.post(
        "/console/inventory/websites/new/",
        {"agency": world.agency_a.pk, "name": "Situs Baru", "domain": "BUKAN domain", "base_url": "https://x.go.id",
         "criticality": "low", "is_active": "on"},
        HTTP_ACCEPT_LANGUAGE="id",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="Situs Baru"' in html
    assert "Masukkan nama domain" in html


@pytest.mark.django_db
def test_console_search_returns_htmx_fragment(world):
    client = login(world.users["admin_a"])
    response = client.get("/console/inventory/applications/?q=child", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html
    assert "Aplikasi a_child" in html and "Aplikasi a<" not in html


@pytest.mark.django_db
def test_demo_data_loads_idempotently_with_one_user_per_role():
    from django.core.management import call_command

    from spbe.audit.services import verify_chain
    from spbe.core.models import Membership
    from spbe.core.roles import Role

    call_command("load_demo_data", "--password", "demo-pass-123")
    call_command("load_demo_data", "--password", "demo-pass-123")
    assert set(Membership.objects.values_list("role", flat=True)) == set(Role.values)
    assert verify_chain().ok
