"""Login protection as a pen tester probes it: lockouts on every login path, the second factor,
password rules, session lifetimes, token expiry."""

from __future__ import annotations

import json
import time

import pytest
from django.test import Client, override_settings
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from spbe.core import services, twofactor
from spbe.core.models import ApiToken
from spbe.core.roles import Role

from ..conftest import PASSWORD, login, make_user


def _wrong_logins(path: str, username: str, count: int, ip: str = "10.1.1.1") -> list[int]:
    client = Client(REMOTE_ADDR=ip)
    return [client.post(path, {"username": username, "password": "wrong-password-x"}).status_code for _ in range(count)]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/login/", "/admin/login/"])
def test_wrong_passwords_lock_the_account_on_the_console_and_the_admin(world, path):
    user = world.users["staff_a"]
    codes = _wrong_logins(path, user.username, 8)
    assert codes[:4] == [200] * 4, codes  # the form again, with its error
    assert set(codes[5:]) == {429}, codes
    # Even the right password is refused while locked, from another address too.
    locked = Client(REMOTE_ADDR="10.9.9.9").post(path, {"username": user.username, "password": PASSWORD})
    assert locked.status_code == 429
    assert int(locked["Retry-After"]) >= 60
    assert "_auth_user_id" not in locked.wsgi_request.session


@pytest.mark.django_db
def test_one_address_trying_many_accounts_is_locked_too(world):
    client = Client(REMOTE_ADDR="10.2.2.2")
    codes = [client.post("/login/", {"username": f"guess{i}", "password": "x" * 12}).status_code for i in range(7)]
    assert codes[-1] == 429
    # Another address can still sign in.
    ok = Client(REMOTE_ADDR="10.3.3.3").post("/login/", {"username": world.users["staff_a"].username, "password": PASSWORD})
    assert ok.status_code == 302


@pytest.mark.django_db
def test_lockouts_back_off(world):
    from spbe.core.loginguard import cool_off

    user = world.users["staff_b"]
    _wrong_logins("/login/", user.username, 5)
    request = Client().post("/login/", {"username": user.username, "password": "x"}).wsgi_request
    first = cool_off(request)
    from axes.models import AccessAttempt

    AccessAttempt.objects.filter(username=user.username).update(failures_since_start=15)
    assert cool_off(request) == first * 4
    AccessAttempt.objects.filter(username=user.username).update(failures_since_start=10_000)
    assert cool_off(request).days == 1


@pytest.mark.django_db
def test_password_for_token_api_counts_toward_the_same_lockout(world):
    user = world.users["staff_a"]
    client = Client(REMOTE_ADDR="10.4.4.4")
    body = {"username": user.username, "password": "wrong-password-x", "name": "cli"}
    codes = [client.post("/api/v1/auth/token", json.dumps(body), content_type="application/json").status_code
             for _ in range(7)]
    assert codes[0] == 401 and codes[-1] == 429, codes
    response = client.post("/api/v1/auth/token", json.dumps({**body, "password": PASSWORD}), content_type="application/json")
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "locked_out"
    assert response["Retry-After"]


@pytest.mark.django_db
def test_password_for_token_api_asks_for_the_second_factor(world):
    admin = world.users["admin_a"]
    device = TOTPDevice.objects.create(user=admin, name="authenticator", confirmed=True)
    body = {"username": admin.username, "password": PASSWORD, "name": "cli"}
    post = lambda data: Client().post("/api/v1/auth/token", json.dumps(data), content_type="application/json")  # noqa: E731
    assert post(body).json()["error"]["code"] == "second_factor_required"
    assert post({**body, "otp": "000000"}).json()["error"]["code"] == "second_factor_invalid"
    device.refresh_from_db()
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    code = TOTP(device.bin_key, device.step, device.t0, device.digits).token()
    created = post({**body, "otp": f"{code:06d}"})
    assert created.status_code == 201, created.content
    token = created.json()
    assert token["token"].startswith("spbe_") and token["expires_at"]
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token['token']}").status_code == 200


@pytest.mark.django_db
def test_roles_that_grant_sign_triage_or_collect_must_use_a_second_factor(world):
    expected = {Role.PLATFORM_ADMIN, Role.INSTITUTION_ADMIN, Role.AGENCY_ADMIN, Role.SECURITY_TRIAGER,
                Role.LEVY_OFFICER, Role.SIGNER}
    for role in Role.values:
        user = make_user(f"u-{role}", world.agency_a, role)
        assert twofactor.required_by_role(user) == (role in expected), role


@pytest.mark.django_db
def test_a_password_alone_reaches_no_console_admin_or_session_api(world):
    admin = world.users["admin_a"]
    client = Client()
    assert client.post("/login/", {"username": admin.username, "password": PASSWORD}).status_code == 302
    for path in ("/console/", "/console/agencies/", "/admin/", "/account/"):
        response = client.get(path)
        assert response.status_code == 302 and "/account/2fa/setup/" in response["Location"], path
    api = client.get("/api/v1/me")
    assert api.status_code == 401 and api.json()["error"]["code"] == "second_factor_required"
    # A staff member without such a role goes straight in.
    staff = Client()
    staff.post("/login/", {"username": world.users["staff_a"].username, "password": PASSWORD})
    assert staff.get("/console/").status_code == 200


@pytest.mark.django_db
def test_enrolment_with_an_authenticator_then_recovery_codes(world):
    admin = world.users["admin_b"]
    client = Client()
    client.post("/login/", {"username": admin.username, "password": PASSWORD})
    page = client.get("/account/2fa/setup/")
    assert page.status_code == 200 and b"<svg" in page.content
    device = TOTPDevice.objects.get(user=admin, confirmed=False)
    assert client.post("/account/2fa/setup/", {"token": "123456"}).status_code == 200
    device.refresh_from_db()
    assert not device.confirmed
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    code = TOTP(device.bin_key, device.step, device.t0, device.digits).token()
    done = client.post("/account/2fa/setup/", {"token": f"{code:06d}"})
    assert done.status_code == 200 and "no-store" in done["Cache-Control"]
    codes = [c.strip() for c in done.content.decode().split('data-testid="recovery-codes">')[1].split("</ul>")[0]
             .replace("<li class=\"col-6\">", "").split("</li>") if c.strip()]
    assert len(codes) == 10
    assert client.get("/console/").status_code == 200
    # Next sign-in: a recovery code works once.
    other = Client()
    other.post("/login/", {"username": admin.username, "password": PASSWORD})
    assert "/account/2fa/verify/" in other.get("/console/")["Location"]
    assert other.post("/account/2fa/verify/", {"token": codes[0], "next": "/console/"}).status_code == 302
    assert other.get("/console/").status_code == 200
    third = Client()
    third.post("/login/", {"username": admin.username, "password": PASSWORD})
    assert third.post("/account/2fa/verify/", {"token": codes[0]}).status_code == 200  # used up
    assert third.get("/console/").status_code == 302
    # A required second factor cannot be turned off.
    with pytest.raises(services.ServiceError):
        twofactor.disable(admin, by=admin)


@pytest.mark.django_db
def test_everyone_can_change_their_password_with_the_stronger_rules(world):
    user = world.users["nobody"]
    client = login(user)
    page = client.get("/account/password/")
    assert page.status_code == 200
    short = client.post("/account/password/", {"old_password": PASSWORD, "new_password1": "bali-2026",
                                               "new_password2": "bali-2026"})
    assert short.status_code == 200 and "12" in short.content.decode()
    common = client.post("/account/password/", {"old_password": PASSWORD, "new_password1": "qwerty123456",
                                                "new_password2": "qwerty123456"})
    assert common.status_code == 200
    good = "tirta-empul-sunrise-42"
    assert client.post("/account/password/", {"old_password": PASSWORD, "new_password1": good,
                                              "new_password2": good}).status_code == 302
    user.refresh_from_db()
    assert user.check_password(good)


@pytest.mark.django_db
def test_staff_sessions_end_after_30_idle_minutes_and_every_session_after_its_lifetime(world, settings):
    staff = world.users["staff_a"]
    client = login(staff)
    assert client.get("/console/").status_code == 200
    session = client.session
    session["spbe_seen_at"] = time.time() - 31 * 60
    session.save()
    response = client.get("/console/")
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert client.get("/api/v1/me").status_code == 401
    # Background polling does not keep a session alive; real use does.
    client = login(staff)
    session = client.session
    session["spbe_seen_at"] = time.time() - 29 * 60
    session.save()
    client.get("/console/", HTTP_X_SPBE_BACKGROUND="1")
    assert time.time() - client.session["spbe_seen_at"] > 28 * 60
    client.get("/console/")
    assert time.time() - client.session["spbe_seen_at"] < 5
    # The absolute lifetime ends even an active session.
    session = client.session
    session["spbe_auth_at"] = time.time() - settings.SPBE_SESSION_MAX_AGE - 1
    session.save()
    assert client.get("/console/").status_code == 302


@pytest.mark.django_db
def test_api_tokens_expire_by_default_and_record_their_last_use(world, client):
    token, raw = services.issue_api_token(user=world.users["staff_a"], name="ci")
    days = (token.expires_at - token.created_at).days
    assert 89 <= days <= 90
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    assert ApiToken.objects.get(pk=token.pk).last_used_at is not None
    from datetime import timedelta

    from django.utils import timezone

    with pytest.raises(services.ServiceError):
        services.issue_api_token(user=world.users["staff_a"], name="forever",
                                 expires_at=timezone.now() + timedelta(days=4000))


@pytest.mark.django_db
@override_settings(SPBE_TRUSTED_PROXIES=1)
def test_lockout_counts_the_real_client_behind_the_proxy_not_a_forged_header(world):
    user = world.users["staff_b"]
    client = Client(REMOTE_ADDR="127.0.0.1")
    codes = []
    for i in range(7):
        # The client forges a new first hop each time; the proxy appends the real address.
        codes.append(client.post("/login/", {"username": f"x{i}", "password": "y" * 12},
                                 HTTP_X_FORWARDED_FOR=f"203.0.113.{i}, 198.51.100.7").status_code)
    assert codes[-1] == 429
    assert Client(REMOTE_ADDR="127.0.0.1").post("/login/", {"username": user.username, "password": PASSWORD},
                                                HTTP_X_FORWARDED_FOR="198.51.100.8").status_code == 302
