"""The public portal: every public service linked, the public SPBE index page, researcher
sign-up without an account, and the shared formatting filters."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.template import Context, Template
from django.test import Client
from django.utils import translation

from spbe.core.models import User
from spbe.evaluation.models import PublishedIndex
from spbe.security.models import Researcher


@pytest.mark.django_db
def test_the_portal_links_every_public_service_and_each_link_opens_without_signing_in():
    client = Client()
    html = client.get("/").content.decode()
    block = html.split('data-testid="public-services"', 1)[1]
    links = re.findall(r'href="([^"]+)"', block)
    for path in ("/lovebali/", "/tte/verify/", "/security/", "/security/signup/", "/indeks-spbe/"):
        assert path in links, path
    for path in links:
        if path.startswith("/") and "report" not in path:
            assert client.get(path).status_code == 200, path
    assert 'data-testid="help-contact"' in html and 'rel="icon"' in html


@pytest.mark.django_db
def test_the_public_index_page_shows_the_latest_result_trend_domains_and_rank(settings):
    name = settings.SPBE_INSTITUTION_NAME
    PublishedIndex.objects.create(institution_name=name, year=2022, index=Decimal("2.90"), predicate="Baik")
    PublishedIndex.objects.create(institution_name=name, year=2023, index=Decimal("3.19"), predicate="Baik",
                                  domain_1=Decimal("4.60"), domain_2=Decimal("3.70"), domain_3=Decimal("2.82"),
                                  domain_4=Decimal("2.57"), source="Kepmen PANRB 13/2024")
    PublishedIndex.objects.create(institution_name="Provinsi Lain", year=2023, index=Decimal("3.50"), predicate="Sangat Baik")
    html = Client().get("/indeks-spbe/").content.decode()
    latest = html.split('data-testid="latest-index"', 1)[1].split("</div></div></div>", 1)[0]
    assert "3,19" in latest and "2023" in latest and "0,29" in latest  # Indonesian decimals, change since 2022
    assert "2 dari 2" in latest or "2 of 2" in latest
    assert "Kebijakan Internal SPBE" in html and "4,60" in html
    assert '<svg' in html.split('data-testid="public-trend"', 1)[1][:200]
    peers = html.split('data-testid="public-peers"', 1)[1]
    assert peers.index("Provinsi Lain") < peers.index(name)  # ranked by index
    english = Client().get("/indeks-spbe/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "3.19" in english and "Internal SPBE policy" in english


@pytest.mark.django_db
def test_the_public_index_page_says_so_when_nothing_is_published():
    html = Client().get("/indeks-spbe/").content.decode()
    assert 'data-testid="no-index"' in html


def _signup(client, **fields):
    data = {"email": "ayu@example.org", "display_name": "Ayu", "kind": "public", "agreed": "on", **fields}
    return client.post("/security/signup/", data)


@pytest.mark.django_db
def test_a_member_of_the_public_signs_up_chooses_a_password_and_can_send_reports(django_capture_on_commit_callbacks):
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = _signup(client, email="Ayu@Example.org")
    assert 'data-testid="signup-sent"' in response.content.decode()
    user = User.objects.get(username="ayu@example.org")
    assert not user.has_usable_password() and Researcher.objects.filter(user=user, kind="public").exists()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ayu@example.org"]
    link = re.search(r"https?://[^/\s]+(/account/set-password/\S+/)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    assert form.status_code == 200
    chosen = client.post(form.redirect_chain[-1][0] if form.redirect_chain else link,
                         {"new_password1": "Pantai-Kuta-2026!", "new_password2": "Pantai-Kuta-2026!"})
    assert chosen.status_code in (200, 302)
    user.refresh_from_db()
    assert user.check_password("Pantai-Kuta-2026!")
    signed_in = Client().post("/login/?next=/security/report/", {"username": "ayu@example.org", "password": "Pantai-Kuta-2026!"})
    assert signed_in.status_code == 302 and signed_in["Location"] == "/security/report/"


@pytest.mark.django_db
def test_signing_up_with_a_known_address_creates_nothing_and_tells_only_that_address(django_capture_on_commit_callbacks):
    from tests.conftest import make_user

    owner = make_user("dewi")
    owner.email = "dewi@example.org"
    owner.save()
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = _signup(client, email="dewi@example.org")
    assert 'data-testid="signup-sent"' in response.content.decode()  # the same page as for a new address
    assert User.objects.filter(email__iexact="dewi@example.org").count() == 1
    assert not Researcher.objects.filter(user=owner).exists()
    assert len(mail.outbox) == 1 and "dewi" in mail.outbox[0].body


@pytest.mark.django_db
def test_bad_sign_ups_keep_what_was_typed_and_create_nothing():
    client = Client()
    bad_email = _signup(client, email="not-an-address").content.decode()
    assert 'data-testid="field-error"' in bad_email and 'value="Ayu"' in bad_email
    student = _signup(client, kind="student").content.decode()  # a student without cohort or NIM
    assert 'data-testid="field-error"' in student or "alert-danger" in student
    no_policy = _signup(client, agreed="").content.decode()
    assert 'data-testid="field-error"' in no_policy
    assert not User.objects.filter(username="ayu@example.org").exists()


@pytest.mark.django_db
def test_sign_ups_are_rate_limited_per_network():
    client = Client()
    statuses = [_signup(client, email=f"r{i}@example.org").status_code for i in range(6)]
    assert statuses[:5] == [200] * 5 and statuses[5] == 429
    assert not User.objects.filter(username="r5@example.org").exists()


def test_the_rq_dashboard_is_not_offered_without_rq(settings):
    from django.contrib import admin
    from django.urls import NoReverseMatch, reverse
    from django_rq.models import Dashboard

    assert settings.TASKS["default"]["BACKEND"] != "django_tasks_rq.RQBackend"
    assert Dashboard not in admin.site._registry  # so /admin/django_rq/dashboard/ is a 404, not a 500 without Redis
    with pytest.raises(NoReverseMatch):
        reverse("admin:django_rq_dashboard_changelist")


def test_formatting_filters_follow_the_language():
    moment = datetime(2026, 12, 7, 20, 53, tzinfo=ZoneInfo("UTC"))  # 04.53 on the 8th in Bali
    template = Template("{{ t|when }}|{{ t|day }}|{{ n|rupiah }}|{{ s|score }}|{{ d|score }}|{{ missing|when }}")
    context = Context({"t": moment, "n": 150000, "s": "4.07", "d": Decimal("3.10")})
    with translation.override("id"):
        assert template.render(context) == "8 Des 2026 04.53 WITA|8 Des 2026|Rp150.000|4,07|3,10|"
    with translation.override("en"):
        assert template.render(context) == "8 Dec 2026 04:53 WITA|8 Dec 2026|Rp150,000|4.07|3.10|"
