"""The Love Bali public pages (languages, bad input, signed order links, rate limits) and
who may open the levy console pages and API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone, translation

from spbe.levy import services
from spbe.levy.models import Order
from spbe.lovebali.shared_labels import PUBLIC_LABELS
from spbe.lovebali.views import order_token
from tests.conftest import login

from .conftest import make_order, pay

TOURIST_LANGUAGES = ["id", "zh-hans", "ko", "ja", "ru", "fr", "de"]


def tourist(language: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.cookies["spbe_language"] = language
    return client


def _form(n=1, passport="PA1234567", email="olivia@example.com", arrival=None):
    arrival = (arrival or timezone.localdate() + timedelta(days=3)).isoformat()
    data = {"email": email, "t-TOTAL_FORMS": str(n), "t-INITIAL_FORMS": "0", "t-MIN_NUM_FORMS": "1", "t-MAX_NUM_FORMS": "20"}
    for i in range(n):
        data.update({f"t-{i}-full_name": f"Traveller {i}", f"t-{i}-nationality": "AU", f"t-{i}-passport": f"{passport}{i}",
                     f"t-{i}-arrival_date": arrival})
    return data


@pytest.mark.parametrize("language", TOURIST_LANGUAGES)
def test_every_public_label_is_translated(language):
    """Labels from the levy module that tourists read are in every tourist catalog."""
    from pathlib import Path

    import polib

    import spbe.lovebali

    po = polib.pofile(str(Path(spbe.lovebali.__file__).parent / "locale" / translation.to_locale(language) / "LC_MESSAGES" / "django.po"))
    translated = {e.msgid for e in po if e.translated()}
    assert not [label for label in PUBLIC_LABELS if label not in translated]
    with translation.override(language):
        assert translation.gettext("Awaiting payment") != "Awaiting payment"  # and Django loads that catalog


@pytest.mark.parametrize("language, expected", [
    ("fr", "Un numéro de passeport comporte 5 à 15 lettres et chiffres."),
    ("de", "Eine Passnummer besteht aus 5 bis 15 Buchstaben und Ziffern."),
    ("ja", "パスポート番号は5～15文字の英数字です。"),
    ("id", "Nomor paspor terdiri dari 5 sampai 15 huruf dan angka."),
])
def test_bad_passport_gets_a_clear_error_in_the_visitors_language_and_keeps_the_input(levy, language, expected):
    client = tourist(language)
    data = _form(passport="P!")
    data["t-0-passport"] = "P!"
    response = client.post("/lovebali/pay/", data)
    page = response.content.decode()
    assert response.status_code == 200 and expected in page
    assert 'value="Traveller 0"' in page and 'value="olivia@example.com"' in page  # nothing typed is lost
    assert not Order.objects.exists()


def test_form_level_errors_are_translated_too(levy):
    response = tourist("ko").post("/lovebali/pay/", dict(_form(), email="not-an-email"))
    assert "올바른 이메일 주소를 입력하세요" in response.content.decode()  # Django's own Korean catalog


def test_already_covered_message_in_russian(levy, banksim):
    pay(banksim, make_order(1))
    data = _form()
    data["t-0-passport"] = "PA1000000"
    response = tourist("ru").post("/lovebali/pay/", data)
    assert "уже есть действующий ваучер" in response.content.decode()


def test_pay_flow_creates_an_order_behind_a_signed_link(levy, banksim):
    client = tourist("en")
    response = client.post("/lovebali/pay/", _form(2))
    assert response.status_code == 302
    order = Order.objects.get()
    assert order.total == 300000 and order.language == "en"
    assert response["Location"] == f"/lovebali/o/{order_token(order)}/"
    assert client.get(f"/lovebali/o/{order.code}/").status_code == 404  # the bare code opens nothing
    assert client.get(f"/lovebali/o/{order.code}:forged/").status_code == 404
    response = client.post(response["Location"], {"method": "qris"})
    page = client.get(response["Location"]).content.decode()
    assert "<svg" in page and "000201010212" in page  # the dynamic QRIS and its image


def test_add_traveller_keeps_what_was_typed(levy):
    data = _form(1)
    data["add"] = "1"
    page = tourist("de").post("/lovebali/pay/", data).content.decode()
    assert 'name="t-1-full_name"' in page and 'value="Traveller 0"' in page and "is-invalid" not in page


def test_language_switch_offers_tourist_languages_only_on_the_tourist_site(levy):
    public = Client().get("/lovebali/").content.decode()
    console = Client().get("/login/").content.decode()
    for code in ("zh-hans", "ko", "ja", "ru", "fr", "de"):
        assert f'value="{code}"' in public and f'value="{code}"' not in console
    assert "Le même passeport" not in Client(HTTP_ACCEPT_LANGUAGE="fr").get("/login/").content.decode()


def test_find_my_voucher_does_not_reveal_whether_an_order_exists(levy):
    client = tourist("en")
    answers = set()
    for code in ("LBNOTREAL", "LB22222222"):
        response = client.post("/lovebali/find/", {"code": code, "email": "x@example.com"}, follow=True)
        answers.add(response.content.decode().count("on their way"))
    assert answers == {1}


def test_public_lookups_are_rate_limited(levy):
    client = tourist("fr")
    statuses = [client.get("/api/v1/levy/verify", {"reference": "22222222"}).status_code for _ in range(35)]
    assert statuses[:30] == [200] * 30 and statuses[-1] == 429
    page = ""
    for _ in range(32):
        page = client.post("/lovebali/verify/", {"code": "22222222"}, follow=True).content.decode()
    assert "Trop de requêtes" in page


def test_public_verify_page(levy, banksim):
    order = make_order(1)
    pay(banksim, order)
    voucher = order.travellers.get().voucher
    page = tourist("zh-hans").post("/lovebali/verify/", {"code": voucher.code}).content.decode()
    assert 'data-result="valid"' in page and "真实有效" in page
    forged = voucher.code[:20] + ("A" if voucher.code[20] != "A" else "B") + voucher.code[21:]
    assert 'data-result="invalid"' in tourist("en").post("/lovebali/verify/", {"code": forged}).content.decode()


CONSOLE_PAGES = ["/console/levy/", "/console/levy/orders/", "/console/levy/refunds/", "/console/levy/exemptions/",
                 "/console/levy/endpoints/", "/console/levy/reconciliation/", "/console/levy/lookup/"]


def test_console_pages_for_levy_officers_only(levy):
    make_order(1)
    officer = login(levy.officer)
    for url in CONSOLE_PAGES + ["/console/levy/checkpoint/"]:
        assert officer.get(url).status_code == 200, url
    order = Order.objects.get()
    assert officer.get(f"/console/levy/orders/{order.code}/").status_code == 200
    for name in ("staff_a", "admin_b", "coordinator"):
        client = login(levy.world.users[name])
        for url in CONSOLE_PAGES:
            assert client.get(url).status_code in (403, 404), (name, url)
        assert client.get(f"/console/levy/orders/{order.code}/").status_code == 404
        assert client.get("/api/v1/levy/orders").json()["items"] == []
        assert client.get(f"/api/v1/levy/orders/{order.code}").status_code == 404
    checkpoint = login(levy.checkpoint)
    assert checkpoint.get("/console/levy/checkpoint/").status_code == 200
    assert checkpoint.get("/console/levy/orders/").status_code == 403
    assert Client().get("/console/levy/").status_code == 302  # to the login page


def test_exemption_documents_are_only_for_reviewers(levy):
    application = services.submit_exemption(
        category="f", full_name="Hans Gruber", nationality="DE", passport="C01X00T47", email="h@example.com",
        arrival_date=timezone.localdate() + timedelta(days=20), departure_date=timezone.localdate() + timedelta(days=30),
        reason="", files=[("visa.pdf", b"%PDF-1.4\n%%EOF\n")])
    document = application.documents.get()
    url = f"/console/levy/exemptions/{application.code}/documents/{document.pk}/"
    response = login(levy.officer).get(url)
    assert response.status_code == 200 and response.content == b"%PDF-1.4\n%%EOF\n"
    assert response["Content-Security-Policy"] == "sandbox"
    assert login(levy.checkpoint).get(url).status_code in (403, 404)
    assert login(levy.world.users["admin_a"]).get(url).status_code in (403, 404)


def test_an_added_traveller_starts_with_the_first_ones_nationality_and_arrival(levy):
    import re

    data = _form(1)
    data["add"] = "1"
    page = tourist("en").post("/lovebali/pay/", data).content.decode()
    select = re.search(r'<select name="t-1-nationality".*?</select>', page, re.S).group(0)
    assert re.search(rf'<option value="{data["t-0-nationality"]}" selected', select)
    assert re.search(rf'name="t-1-arrival_date"[^>]*value="{data["t-0-arrival_date"]}"', page)
    assert re.search(r'name="t-1-passport"(?![^>]*value="\w)', page)  # the passport is never copied
