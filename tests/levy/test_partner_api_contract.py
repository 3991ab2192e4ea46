"""The partner API as an integrator meets it: each refused signature says which check failed,
foreign orders are 404, one error body, Retry-After, one time convention, limits that match
the server, typed OpenAPI, the documented worked example, cancel, voucher and statement PDFs."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
from pathlib import Path

from django.conf import settings
from django.test import Client

from spbe.levy import services
from spbe.levy.models import Order
from tests import pdfcheck

from .conftest import ORDER, call, pay

ORDERS = "/api/v1/levy/partner/orders"
DOC = Path(__file__).resolve().parents[2] / "docs" / "partner-api.md"


def assert_error_body(response, status: int, code: str):
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] == code
    assert isinstance(error["details"], list) and error["request_id"] and error["message"]
    return error


def test_each_refusal_names_the_failed_check_and_never_the_secret(partner):
    endpoint, key_id, secret = partner
    assert_error_body(Client().post(ORDERS, data=ORDER, content_type="application/json"), 401, "missing_signature")
    assert_error_body(call("POST", ORDERS, "lbk_unknown", secret, ORDER, idem="a"), 401, "unknown_key")
    assert_error_body(call("POST", ORDERS, key_id, secret, ORDER, idem="b", now=time.time() - 3600), 401, "timestamp_out_of_window")
    for bad in (call("POST", ORDERS, key_id, "wrong-secret", ORDER, idem="c"),
                call("POST", ORDERS, key_id, secret, ORDER, idem="d", tamper=True)):
        assert_error_body(bad, 401, "signature_mismatch")
        assert secret not in bad.content.decode() and "lbs_" not in bad.content.decode()
    endpoint.keys.update(revoked_at="2026-01-01T00:00:00Z")
    assert_error_body(call("POST", ORDERS, key_id, secret, ORDER, idem="e"), 401, "unknown_key")
    assert not Order.objects.exists()


def test_repeated_failures_are_slowed_with_retry_after(partner):
    endpoint, key_id, _secret = partner
    statuses = [call("GET", ORDERS, key_id, "guess").status_code for _ in range(35)]
    assert 429 in statuses
    limited = call("GET", ORDERS, key_id, "guess")
    assert_error_body(limited, 429, "rate_limited")
    assert int(limited["Retry-After"]) >= 1


def test_unknown_and_foreign_orders_are_the_same_404(partner, levy, banksim):
    endpoint, key_id, secret = partner
    created = call("POST", ORDERS, key_id, secret, ORDER, idem="g1").json()
    other = services.register_endpoint(name="Villa", legal_name="PT Villa", nib="8120009999999", kind="accommodation",
                                       address="Ubud", website="", contact_name="Made", contact_email="made@example.com")
    services.decide_endpoint(other, status="approved", pks_number="PKS/2", by=levy.officer)
    other_key, other_secret = services.issue_endpoint_key(other, by=levy.officer)
    foreign = assert_error_body(call("GET", f"{ORDERS}/{created['order']}", other_key.key_id, other_secret), 404, "not_found")
    unknown = assert_error_body(call("GET", f"{ORDERS}/LBNOSUCHCODE", other_key.key_id, other_secret), 404, "not_found")
    assert foreign["message"] == unknown["message"]
    assert_error_body(call("POST", f"{ORDERS}/{created['order']}/cancel", other_key.key_id, other_secret, {}), 404, "not_found")


def test_limits_match_the_server_and_validation_errors_list_fields(partner, banksim):
    endpoint, key_id, secret = partner
    traveller = ORDER["travellers"][0]
    limit = settings.LEVY_MAX_TRAVELLERS_PER_ORDER
    many = dict(ORDER, travellers=[dict(traveller, passport=f"PA{7000000 + i}") for i in range(limit + 1)])
    error = assert_error_body(call("POST", ORDERS, key_id, secret, many, idem="too-many"), 422, "validation_error")
    assert any(d["field"] == "travellers" for d in error["details"])
    just = dict(ORDER, travellers=many["travellers"][:limit])
    assert call("POST", ORDERS, key_id, secret, just, idem="just-enough").status_code == 201
    assert_error_body(call("POST", ORDERS, key_id, secret, ORDER), 400, "idempotency_key_required")
    bad_email = assert_error_body(call("POST", ORDERS, key_id, secret, dict(ORDER, email="not-an-email"), idem="m"), 400, "bad_email")
    assert bad_email["details"] == [{"field": "email", "message": bad_email["message"], "type": ""}] or bad_email["details"][0]["field"] == "email"
    # The OpenAPI document states the same limit.
    schema = Client().get("/api/v1/openapi.json").json()["components"]["schemas"]["PartnerOrderIn"]
    assert schema["properties"]["travellers"]["maxItems"] == limit


def test_one_time_convention_utc_with_z(partner, banksim):
    endpoint, key_id, secret = partner
    body = call("POST", ORDERS, key_id, secret, ORDER, idem="t").json()
    stamps = [body["created_at"], body["expires_at"], body["payment"]["expires_at"]]
    for stamp in stamps:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", stamp), stamp


def test_bank_down_is_503_with_retry_after_and_the_same_key_works_later(partner, banksim):
    endpoint, key_id, secret = partner
    banksim.stop()
    try:
        down = call("POST", ORDERS, key_id, secret, ORDER, idem="bank-down")
        assert_error_body(down, 503, "provider_unavailable")
        assert int(down["Retry-After"]) > 0
        assert not Order.objects.exists()  # nothing half-made is left behind
    finally:
        url = banksim.start()
    settings.LEVY_PROVIDERS = {name: dict(cfg, base_url=url) for name, cfg in settings.LEVY_PROVIDERS.items()}
    again = call("POST", ORDERS, key_id, secret, ORDER, idem="bank-down")
    assert again.status_code == 201, again.content


def test_cancel_only_unpaid_orders(partner, banksim):
    endpoint, key_id, secret = partner
    first = call("POST", ORDERS, key_id, secret, ORDER, idem="c1").json()
    canceled = call("POST", f"{ORDERS}/{first['order']}/cancel", key_id, secret, {"reason": "guest changed plans"})
    assert canceled.status_code == 200 and canceled.json()["status"] == "canceled"
    second = call("POST", ORDERS, key_id, secret, dict(ORDER, email="b@example.com"), idem="c2").json()
    pay(banksim, Order.objects.get(code=second["order"]), method="va")
    assert_error_body(call("POST", f"{ORDERS}/{second['order']}/cancel", key_id, secret, {}), 409, "order_not_pending")


def test_front_desk_voucher_pdf_and_statement_pdf(partner, levy, banksim):
    endpoint, key_id, secret = partner
    created = call("POST", ORDERS, key_id, secret, ORDER, idem="pdf").json()
    assert_error_body(call("GET", f"{ORDERS}/{created['order']}/vouchers.pdf", key_id, secret), 409, "no_vouchers")
    order = Order.objects.get(code=created["order"])
    pay(banksim, order, method="va")
    response = call("GET", f"{ORDERS}/{order.code}/vouchers.pdf?language=ja", key_id, secret)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdfcheck.assert_fonts_embedded(response.content)
    text = pdfcheck.text(response.content)
    assert "有効期限" in text
    for voucher in call("GET", f"{ORDERS}/{order.code}", key_id, secret).json()["vouchers"]:
        assert voucher["reference"] in text
    commission = call("GET", "/api/v1/levy/partner/commission", key_id, secret).json()
    assert commission["statements"] == []


def test_openapi_declares_the_scheme_headers_and_typed_answers(partner):
    schema = Client().get("/api/v1/openapi.json").json()
    scheme = schema["components"]["securitySchemes"]["PartnerAuth"]
    assert scheme["type"] == "apiKey" and scheme["name"] == "X-LB-Key"
    assert "canonical string" in scheme["description"] and "signature_mismatch" in scheme["description"]
    for path, operations in schema["paths"].items():
        if "/partner/" not in path:
            continue
        for method, operation in operations.items():
            names = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
            assert {"X-LB-Timestamp", "X-LB-Signature"} <= names, (method, path)
            if method == "post" and path.endswith("/orders"):
                assert "Idempotency-Key" in names
            for status, answer in operation["responses"].items():
                content = answer.get("content", {})
                if "application/json" in content:
                    js = content["application/json"]["schema"]
                    assert "$ref" in js or js.get("type") == "array", (method, path, status, js)


def _documented(name: str) -> str:
    match = re.search(rf"{name}:\s*`?([0-9a-f]{{64}})", DOC.read_text())
    assert match, f"{name} missing from {DOC.name}"
    return match.group(1)


def test_the_documented_worked_example_is_right():
    """Recomputed with hashlib/hmac directly, not with the server's signing code."""
    body = b'{"nationality":"AU","passport":"PA1234567"}'
    body_hash = hashlib.sha256(body).hexdigest()
    canonical = "\n".join(["POST", "/api/v1/levy/partner/coverage", "1767225600", body_hash]).encode()
    signature = hmac.new(b"lbs_example-secret", canonical, hashlib.sha256).hexdigest()
    assert _documented("Body hash") == body_hash
    assert _documented("X-LB-Signature") == signature
    from spbe.levy.partner_auth import SCHEME_DESCRIPTION

    assert body_hash in SCHEME_DESCRIPTION and signature in SCHEME_DESCRIPTION
    assert json.loads(body) == {"nationality": "AU", "passport": "PA1234567"}
