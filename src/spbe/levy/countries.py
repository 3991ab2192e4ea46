"""Nationalities (ISO 3166-1 alpha-2) with names in the visitor's language, from Babel's CLDR data."""

from __future__ import annotations

from functools import lru_cache

from babel import Locale

# CLDR territory codes that are not nationalities on a passport.
NOT_COUNTRIES = {"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ"}
HOME_COUNTRY = "ID"  # Indonesian citizens are not foreign tourists


def _babel_locale(language: str) -> Locale:
    try:
        return Locale.parse((language or "en").replace("-", "_"))
    except (ValueError, TypeError):
        return Locale("en")


@lru_cache(maxsize=16)
def codes() -> frozenset[str]:
    return frozenset(
        code for code in Locale("en").territories if len(code) == 2 and code.isalpha() and code not in NOT_COUNTRIES
    )


def is_foreign_nationality(code: str) -> bool:
    return code in codes() and code != HOME_COUNTRY


@lru_cache(maxsize=16)
def choices(language: str) -> list[tuple[str, str]]:
    names = _babel_locale(language).territories
    english = Locale("en").territories
    rows = [(code, names.get(code) or english[code]) for code in codes() if code != HOME_COUNTRY]
    return sorted(rows, key=lambda row: row[1])


def name(code: str, language: str = "en") -> str:
    return _babel_locale(language).territories.get(code) or code
