"""One set of formatting filters for every page (loaded as a template builtin): dates and times
in Bali's time with the zone named, rupiah with the locale's grouping.

    {{ order.created_at|when }}  → 8 Des 2026 04.53 WITA   (en: 8 Dec 2026 04:53 WITA)
    {{ due|day }}                → 8 Des 2026
    Rp{{ amount }}          → Rp150.000               (en: Rp150,000)
"""

from __future__ import annotations

from datetime import date, datetime

from django import template
from django.utils import formats, timezone

register = template.Library()


@register.filter
def when(value) -> str:
    if not isinstance(value, datetime):
        return "" if value in (None, "") else str(value)
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    zone = local.tzname() or ""
    return f"{formats.date_format(local, 'SHORT_DATETIME_FORMAT')} {zone}".strip()


@register.filter
def day(value) -> str:
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    if not isinstance(value, date):
        return "" if value in (None, "") else str(value)
    return formats.date_format(value, "SHORT_DATE_FORMAT")


@register.filter
def rupiah(value) -> str:
    if value in (None, ""):
        return ""
    try:
        amount = int(value)
    except (TypeError, ValueError):
        return str(value)
    sign = "−" if amount < 0 else ""
    return f"{sign}Rp{formats.number_format(abs(amount), 0, use_l10n=True, force_grouping=True)}"


def _language_names() -> dict:
    from django.utils.translation import gettext_lazy as _

    # Django's own catalogue translates these names into every staff language.
    return {"en": _("English"), "id": _("Indonesian"), "zh": _("Simplified Chinese"), "zh-hans": _("Simplified Chinese"),
            "ko": _("Korean"), "ja": _("Japanese"), "ru": _("Russian"), "fr": _("French"), "de": _("German")}


@register.filter
def language_label(code) -> str:
    """"ja" → "Jepang" (en: "Japanese"); an unknown code is shown as it is."""
    return str(_language_names().get(str(code).lower(), code))


@register.filter
def score(value) -> str:
    """An exact figure kept as text ("4.07", as the index computes it) in the locale's form:
    "4,07" in Indonesian, with the same number of decimals."""
    from decimal import Decimal, InvalidOperation

    if value in (None, ""):
        return ""
    text = str(value)
    try:
        number = Decimal(text)
    except InvalidOperation:
        return text
    places = len(text.partition(".")[2]) if "." in text else 0
    return formats.number_format(number, places, use_l10n=True)
