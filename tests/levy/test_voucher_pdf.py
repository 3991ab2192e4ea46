"""Voucher PDFs read by poppler (pdffonts, pdftotext), not by the code that wrote them: every font
embedded, every label and name extractable in all eight site languages, nothing past the margin."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from spbe.levy import services
from spbe.levy.models import Voucher
from spbe.levy.pdf import vouchers_pdf

from tests import pdfcheck

from .conftest import pay



SITE_LANGUAGES = ["en", "id", "zh-hans", "ko", "ja", "ru", "fr", "de"]
# Written by hand from the published catalogs, so a broken catalog lookup cannot pass unnoticed.
VALID_UNTIL = {"en": "Valid until", "id": "Berlaku sampai", "zh-hans": "有效期至", "ko": "유효 종료일",
               "ja": "有効期限", "ru": "Действует до", "fr": "Valable jusqu", "de": "Gültig bis"}
NAMES = ["山田 太郎", "김민준", "Алексей Смирнов", "François Müller", "王小明"]


def pdftotext(pdf: bytes, *extra: str) -> str:
    return pdfcheck.text(pdf, *extra)


@pytest.fixture
def vouchers(levy, banksim):
    arrival = timezone.localdate() + timedelta(days=3)
    travellers = [services.TravellerInput(name, "JP", f"TZ{900000 + i}", arrival) for i, name in enumerate(NAMES)]
    order = services.create_order(email="yamada@example.jp", travellers=travellers)
    pay(banksim, order)
    return list(Voucher.objects.filter(traveller__order=order).select_related("traveller").order_by("pk"))


def test_voucher_pdf_embeds_its_fonts_and_reads_back_in_every_language(vouchers):
    for language in SITE_LANGUAGES:
        _check_language(vouchers, language)


def _check_language(vouchers, language):
    pdf = vouchers_pdf(vouchers, language)
    pdfcheck.assert_fonts_embedded(pdf)
    text = pdftotext(pdf)
    assert "■" not in text and "??" not in text
    with translation.override(language):
        labels = [_("Reference"), _("Name"), _("Nationality"), _("Valid from"), _("Valid until")]
    assert VALID_UNTIL[language] in text
    for label in labels:
        assert label in text, (language, label)
    for name in NAMES:
        assert name.replace(" ", "") in text.replace(" ", ""), (language, name)
    for voucher in vouchers:
        assert voucher.reference in text


def test_long_lines_stay_inside_the_page(vouchers):
    """The Russian note is the longest sentence: pdftotext's bounding boxes stay within A4 minus margins."""
    import re

    pdf = vouchers_pdf(vouchers[:1], "ru")
    html = pdftotext(pdf, "-bbox")
    page_width = float(re.search(r'<page width="([\d.]+)"', html).group(1))
    right_edges = [float(x) for x in re.findall(r'xMax="([\d.]+)"', html)]
    assert right_edges and max(right_edges) <= page_width - 50  # 20 mm margin is 56.7 pt
    assert "Покажите" in pdftotext(pdf) or "QR" in pdftotext(pdf)
