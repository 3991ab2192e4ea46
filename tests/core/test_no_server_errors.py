"""Inputs that produced server errors in the pen test now get client errors in the one body."""

from __future__ import annotations

import json
import threading

import pytest
from django.db import close_old_connections

from spbe.core.models import Agency


def _error(response, status, code=None):
    assert response.status_code == status, response.content
    body = response.json()["error"]
    assert set(body) == {"code", "message", "details", "request_id"} and isinstance(body["details"], list)
    if code:
        assert body["code"] == code
    return body


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["limit=9223372036854775808", "offset=9223372036854775808", "limit=0", "limit=-1",
                                   "offset=-5", "limit=100000"])
def test_pagination_values_out_of_bounds_are_422(world, api_token, client, query):
    _error(client.get(f"/api/v1/agencies?{query}", **api_token(world.users["platform"])), 422, "validation_error")


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/agencies/9223372036854775808", "/api/v1/inventory/applications/99999999999999999999",
                                  "/api/v1/memberships/9223372036854775807"])
def test_ids_no_database_can_hold_are_client_errors(world, api_token, client, path):
    response = client.get(path, **api_token(world.users["platform"]))
    assert response.status_code in (404, 405, 422), response.content


@pytest.mark.django_db
def test_deleting_an_application_still_in_use_answers_409_naming_the_blocker(world, api_token, client):
    from spbe.evaluation import services as evaluation

    app = world.assets["app_a"]
    period = evaluation.create_period(institution=world.province, year=2026, kind="evaluation",
                                      default_agency=world.agency_a)
    response = period.responses.get(indicator=45)
    evaluation.assign_indicator(response, agency=world.agency_a, application=app)
    body = _error(client.delete(f"/api/v1/inventory/applications/{app.pk}", HTTP_ACCEPT_LANGUAGE="en",
                                **api_token(world.users["platform"])), 409, "in_use")
    assert body["details"] and "cannot be deleted" in body["message"] and "indicator" in body["message"]
    from spbe.inventory.models import Application

    assert Application.objects.filter(pk=app.pk).exists()


@pytest.mark.django_db
def test_an_unknown_payment_provider_is_404(client):
    _error(client.post("/api/v1/levy/notifications/paypal-of-doom", data=b"{}", content_type="application/json"),
           404, "not_found")


@pytest.mark.django_db(transaction=True)
def test_concurrent_writes_on_sqlite_wait_instead_of_failing(world):
    """Eight threads changing agencies at once: SQLite's IMMEDIATE transactions queue them."""
    from spbe.core import services

    agencies = list(Agency.objects.all()[:4])
    errors = []

    def work(n):
        try:
            for i in range(10):
                services.update_agency(agencies[n % len(agencies)], name=f"Dinas {n}-{i}")
        except Exception as exc:  # noqa: BLE001
            errors.append(repr(exc))
        finally:
            close_old_connections()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors[:3]


def test_every_operation_declares_its_error_responses():
    from spbe.config.api import api

    schema = api.get_openapi_schema()
    assert "ErrorBody" in schema["components"]["schemas"]
    missing = [(path, method, status) for path, ops in schema["paths"].items() for method, op in ops.items()
               for status in ("400", "401", "403", "404", "409", "422", "429") if status not in op["responses"]]
    assert not missing, missing[:10]
    json.dumps(schema)
