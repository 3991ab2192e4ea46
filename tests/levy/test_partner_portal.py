"""A Love Bali Endpoint runs itself from the console: the officer invites its front office, the
invited person sets a password from the e-mail, creates an API key (secret shown once) that
works against the API, adds a webhook, prints a guest's vouchers, downloads statements —
and sees nothing of any other endpoint or of the province's orders."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from spbe.core import permissions
from spbe.core.roles import Role
from spbe.levy import services
from spbe.levy.models import Order
from tests import pdfcheck
from tests.conftest import PASSWORD, login

from .conftest import ORDER, call, pay

NEW_PASSWORD = "front-desk-Segara-2027"


def invite(levy, endpoint, email, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        user = services.invite_partner_user(endpoint, email=email, full_name="Ayu Lestari", by=levy.officer)
    (message,) = [m for m in mail.outbox if email in m.to]
    link = re.search(r"https?://\S+/account/set-password/\S+/", message.body).group(0)
    return user, link


def test_invited_front_office_sets_a_password_and_runs_its_endpoint(partner, levy, banksim, django_capture_on_commit_callbacks):
    endpoint, key_id, secret = partner
    user, link = invite(levy, endpoint, "ayu@segara.example.com", django_capture_on_commit_callbacks)
    assert user.memberships.get().role == Role.PARTNER_ENDPOINT
    path = link.split("://", 1)[1].split("/", 1)[1]
    browser = Client()
    form = browser.get("/" + path, follow=True)
    assert form.status_code == 200 and b"set-password-form" in form.content
    done = browser.post(form.redirect_chain[-1][0] if form.redirect_chain else "/" + path,
                        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, follow=True)
    assert done.status_code == 200
    assert browser.get("/" + path, follow=True).content.count(b"set-password-expired") == 1  # the link works once
    signed_in = Client().post("/login/", {"username": "ayu@segara.example.com", "password": NEW_PASSWORD})
    assert signed_in.status_code == 302, signed_in.content[:300]

    user.refresh_from_db()  # the password changed: the session is tied to the new one
    front = login(user)
    page = front.get("/console/levy/partner/")
    assert page.status_code == 200 and endpoint.name in page.content.decode()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        created = front.post("/console/levy/partner/", {"action": "issue_key", "label": "PMS", "endpoint": endpoint.code})
    html = created.content.decode()
    new_key = re.search(r"<code>(lbk_[0-9a-f]+)</code>", html).group(1)
    new_secret = re.search(r'data-testid="shown-once-secret">(lbs_[^<]+)<', html).group(1)
    assert created["Cache-Control"] == "no-store"
    assert new_secret not in front.get("/console/levy/partner/").content.decode()  # shown once
    assert any("lbk_" in m.body and new_key in m.body for m in mail.outbox)  # the contact is told
    assert call("GET", "/api/v1/levy/partner/commission", new_key, new_secret).status_code == 200

    added = front.post("/console/levy/partner/", {"action": "add_webhook", "url": "https://pms.segara.example.com/lb",
                                                    "events": ["order.paid"], "endpoint": endpoint.code})
    assert b"lbw_" in added.content and endpoint.webhooks.get().events == ["order.paid"]

    created_order = call("POST", "/api/v1/levy/partner/orders", key_id, secret, ORDER, idem="desk-1").json()
    pay(banksim, Order.objects.get(code=created_order["order"]), method="va")
    listing = front.get("/console/levy/partner/").content.decode()
    assert created_order["order"] in listing and "guest-voucher" in listing
    pdf = front.get(f"/console/levy/partner/{endpoint.code}/orders/{created_order['order']}/vouchers.pdf")
    assert pdf.status_code == 200
    pdfcheck.assert_fonts_embedded(pdf.content)
    assert "Olivia Smith" in pdfcheck.text(pdf.content)
    revoke = front.post("/console/levy/partner/", {"action": "revoke_key", "key": endpoint.keys.get(key_id=new_key).pk,
                                                     "endpoint": endpoint.code})
    assert revoke.status_code == 302
    assert call("GET", "/api/v1/levy/partner/commission", new_key, new_secret).json()["error"]["code"] == "unknown_key"


def test_a_partner_sees_only_its_own_endpoint(partner, levy, banksim, django_capture_on_commit_callbacks):
    endpoint, key_id, secret = partner
    other = services.register_endpoint(name="Villa Lain", legal_name="PT Lain", nib="8120005555555", kind="accommodation",
                                       address="Ubud", website="", contact_name="Made", contact_email="made@lain.example.com")
    services.decide_endpoint(other, status="approved", pks_number="PKS/9", by=levy.officer)
    theirs, _link = invite(levy, other, "made@lain.example.com", django_capture_on_commit_callbacks)
    created_order = call("POST", "/api/v1/levy/partner/orders", key_id, secret, ORDER, idem="x").json()
    pay(banksim, Order.objects.get(code=created_order["order"]), method="va")
    client = login(theirs)
    page = client.get("/console/levy/partner/").content.decode()
    assert "Villa Lain" in page and endpoint.name not in page and created_order["order"] not in page
    assert client.get(f"/console/levy/partner/{endpoint.code}/orders/{created_order['order']}/vouchers.pdf").status_code == 404
    assert client.get(f"/console/levy/partner/?endpoint={endpoint.code}").status_code == 404
    assert client.post("/console/levy/partner/", {"action": "revoke_key", "key": endpoint.keys.get().pk,
                                                   "endpoint": endpoint.code}).status_code == 404
    # The province's own pages stay closed: no order list, no endpoint list, no passport lookup.
    for url in ("/console/levy/orders/", "/console/levy/endpoints/", f"/console/levy/orders/{created_order['order']}/",
                "/console/levy/lookup/"):
        assert client.get(url).status_code in (403, 404), url
    assert not permissions.scope_queryset(theirs, "levy.view_order", Order.objects.all()).exists()


def test_the_delegation_is_narrow(partner, levy, world):
    """A levy officer may give exactly the partner role, in its own institution — nothing else."""
    endpoint, *_ = partner
    officer = levy.officer
    assert permissions.may_grant(officer, Role.PARTNER_ENDPOINT, world.agency_a)
    for role in (Role.AGENCY_ADMIN, Role.LEVY_OFFICER, Role.INSTITUTION_ADMIN, Role.CHECKPOINT_OFFICER):
        assert not permissions.may_grant(officer, role, world.agency_a), role
    from spbe.core.models import Agency, Institution

    elsewhere = Agency.objects.exclude(institution=world.agency_a.institution).first()
    if elsewhere is None:
        other = Institution.objects.create(code="kab-lain", name="Kabupaten Lain", kind="regency")
        elsewhere = Agency.objects.create(institution=other, code="lain", name="Dinas Lain", path="/lain/")
    assert not permissions.may_grant(officer, Role.PARTNER_ENDPOINT, elsewhere)
    # The partner's own people can neither decide about their endpoint nor invite anyone.
    from django.core.exceptions import PermissionDenied

    front = services.invite_partner_user(endpoint, email="front@segara.example.com", by=officer)
    with pytest.raises(PermissionDenied):
        services.decide_endpoint(endpoint, status="suspended", by=front)
    with pytest.raises(PermissionDenied):
        services.invite_partner_user(endpoint, email="friend@example.com", by=front)
    assert not permissions.may_grant(front, Role.PARTNER_ENDPOINT, endpoint.partner_agency)


def test_registration_and_decisions_are_mailed(levy, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        endpoint = services.register_endpoint(name="Hotel Baru", legal_name="PT Baru", nib="8120006666666", kind="accommodation",
                                              address="Sanur", website="", contact_name="Komang", contact_email="komang@baru.example.com")
    assert any("komang@baru.example.com" in m.to and endpoint.code in m.body for m in mail.outbox)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.decide_endpoint(endpoint, status="approved", pks_number="PKS/77", by=levy.officer)
    assert any("PKS/77" in m.body for m in mail.outbox)
    assert PASSWORD  # the shared test password stays unused here: invitations set their own
