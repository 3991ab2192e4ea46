"""Bad input to the API always gets a 4xx with a clear, consistent error body — never a 500."""

from __future__ import annotations

import json

import pytest

from spbe.core import services
from spbe.inventory.models import Application


def _assert_error(response, status: int, code: str):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    assert body["error"]["request_id"]
    return body["error"]


@pytest.fixture
def admin_headers(world, api_token):
    return api_token(world.users["admin_a"])


def post(client, url, body, headers, content_type="application/json"):
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(url, data=data, content_type=content_type, **headers)


@pytest.mark.django_db
def test_malformed_json(client, admin_headers):
    error = _assert_error(post(client, "/api/v1/inventory/applications", "{not json", admin_headers), 400,
                          "malformed_request")
    assert "JSON" in error["message"]


@pytest.mark.django_db
def test_missing_and_wrongly_typed_fields_name_the_field(client, admin_headers, world):
    error = _assert_error(post(client, "/api/v1/inventory/applications", {"name": "X Y"}, admin_headers), 422,
                          "validation_error")
    assert {d["field"] for d in error["details"]} == {"agency_id"}
    error = _assert_error(
        post(client, "/api/v1/inventory/applications", {"agency_id": "abc", "name": ["list"]}, admin_headers),
        422, "validation_error")
    assert {"agency_id", "name"} <= {d["field"] for d in error["details"]}


@pytest.mark.django_db
def test_invalid_choice_and_too_long_values(client, admin_headers, world):
    body = {"agency_id": world.agency_a.pk, "name": "Aplikasi", "criticality": "apocalyptic"}
    error = _assert_error(post(client, "/api/v1/inventory/applications", body, admin_headers), 422,
                          "validation_error")
    assert error["details"][0]["field"] == "criticality"
    body = {"agency_id": world.agency_a.pk, "name": "x" * 5000}
    _assert_error(post(client, "/api/v1/inventory/applications", body, admin_headers), 422, "validation_error")
    assert not Application.objects.filter(name__startswith="xxx").exists()


@pytest.mark.django_db
def test_model_validation_errors_are_400_with_field(client, admin_headers, world):
    body = {"agency_id": world.agency_a.pk, "name": "Situs", "domain": "not a domain!",
            "base_url": "https://x.go.id/"}
    error = _assert_error(post(client, "/api/v1/inventory/websites", body, admin_headers), 400, "invalid")
    assert error["details"][0]["field"] == "domain"
    body["domain"] = "a.prov.go.id"  # taken by the fixture's website
    error = _assert_error(post(client, "/api/v1/inventory/websites", body, admin_headers), 400, "invalid")
    assert error["details"][0]["field"] == "domain"


@pytest.mark.django_db
def test_wrong_query_and_path_types(client, admin_headers):
    _assert_error(client.get("/api/v1/inventory/applications?agency_id=abc", **admin_headers), 422,
                  "validation_error")
    response = client.get("/api/v1/inventory/applications/not-a-number", **admin_headers)
    assert response.status_code in (404, 422)
    _assert_error(client.get("/api/v1/inventory/applications/999999", **admin_headers), 404, "not_found")


@pytest.mark.django_db
def test_wrong_method_and_content_type(client, admin_headers):
    response = client.put("/api/v1/me", **admin_headers)
    assert response.status_code == 405
    response = post(client, "/api/v1/inventory/applications", "name=x", admin_headers,
                    content_type="application/x-www-form-urlencoded")
    assert 400 <= response.status_code < 500


@pytest.mark.django_db
def test_authentication_errors(client, world):
    _assert_error(client.get("/api/v1/me"), 401, "not_authenticated")
    _assert_error(client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer spbe_forged"), 401, "not_authenticated")
    token, raw = services.issue_api_token(user=world.users["staff_a"], name="revoked")
    services.revoke_api_token(token)
    _assert_error(client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}"), 401, "not_authenticated")
    from datetime import timedelta

    from django.utils import timezone

    token, raw = services.issue_api_token(user=world.users["staff_a"], name="old")
    type(token).objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    _assert_error(client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}"), 401, "not_authenticated")


@pytest.mark.django_db
def test_session_auth_requires_csrf_for_writes(world):
    from django.test import Client

    from tests.conftest import login

    client = login(world.users["admin_a"], Client(enforce_csrf_checks=True))
    assert client.get("/api/v1/me").status_code == 200
    response = client.post("/api/v1/tokens", data=json.dumps({"name": "x"}), content_type="application/json")
    assert response.status_code in (401, 403)


@pytest.mark.django_db
def test_messages_follow_the_request_language(client, admin_headers):
    english = client.get("/api/v1/inventory/applications/999999", HTTP_ACCEPT_LANGUAGE="en", **admin_headers)
    indonesian = client.get("/api/v1/inventory/applications/999999", HTTP_ACCEPT_LANGUAGE="id", **admin_headers)
    assert english.json()["error"]["message"] == "Not found."
    assert indonesian.json()["error"]["message"] == "Tidak ditemukan."


@pytest.mark.django_db
def test_token_lifecycle_and_secret_shown_once(client, world, api_token):
    headers = api_token(world.users["staff_a"])
    created = client.post("/api/v1/tokens", data=json.dumps({"name": "integrasi"}),
                          content_type="application/json", **headers)
    assert created.status_code == 201
    raw = created.json()["token"]
    assert raw.startswith("spbe_")
    listed = client.get("/api/v1/tokens", **headers).json()
    assert all("token" not in item for item in listed)
    me = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert me.json()["username"] == "staff_a"
    assert client.delete(f"/api/v1/tokens/{created.json()['id']}", **headers).status_code == 204
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


@pytest.mark.django_db
def test_openapi_document_describes_the_api(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    assert spec["info"]["version"] == "1"
    for path in ("/api/v1/me", "/api/v1/inventory/applications", "/api/v1/audit/events"):
        assert path in spec["paths"]
    schemes = spec["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())


@pytest.mark.django_db
def test_anonymous_requests_are_rate_limited(client):
    statuses = [client.get("/api/v1/me").status_code for _ in range(65)]
    assert statuses[0] == 401
    assert statuses[-1] == 429


def test_no_literal_api_path_is_shadowed_by_a_parameterised_route():
    """`/documents/{document_id}` declared before `/documents/sign-batch` once swallowed it (405)."""
    from django.urls import resolve

    from spbe.config.api import api

    shadowed = []
    for path, operations in api.get_openapi_schema()["paths"].items():
        if "{" in path:
            continue
        match = resolve(path)
        if "<" in match.route:
            shadowed.append(f"{', '.join(operations).upper()} {path} -> {match.route}")
    assert shadowed == []
