"""Published SPBE results: the importer (every methodology since 2018) and the public index page."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from spbe.audit import services as audit
from spbe.core import permissions
from spbe.core.services import ServiceError

from ..index import compute_from_domains, predicate_for
from ..methodology import Methodology, MethodologyError, for_year, load
from ..models import PublishedIndex

# --- published results (trend and comparison) -----------------------------------------

IMPORT_COLUMNS = ["institution", "year", "index", "domain_1", "domain_2", "domain_3", "domain_4", "source", "methodology"]


@dataclass
class ImportResult:
    rows: int
    warnings: list[str]


def _decimal_or_none(value: str, column: str, row: int):
    if value is None or value.strip() == "":
        return None
    try:
        number = Decimal(value.strip().replace(",", "."))  # "4,07" as the Indonesian locale writes it
    except InvalidOperation:
        raise ServiceError(_("Row %(row)s: %(column)s is not a number.") % {"row": row, "column": column}) from None
    if not Decimal(0) <= number <= Decimal(5):
        raise ServiceError(_("Row %(row)s: %(column)s must be between 0 and 5.") % {"row": row, "column": column})
    return number


def _csv_reader(text: str) -> csv.DictReader:
    """Comma or semicolon: Excel in the Indonesian locale writes semicolons (its decimal is a comma)."""
    text = text.lstrip("\ufeff")
    header = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if header.count(";") > header.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    reader.fieldnames = [(name or "").strip().lower() for name in (reader.fieldnames or [])]
    return reader


def _import_methodology(row: dict, year: int, row_number: int) -> Methodology:
    code = (row.get("methodology") or "").strip() or for_year(year)
    try:
        return load(code)
    except MethodologyError:
        raise ServiceError(_("Row %(row)s: unknown methodology %(code)s.") % {"row": row_number, "code": code}) from None


@transaction.atomic
def import_published_indices(text: str, *, by=None) -> ImportResult:
    """Import published results (CSV, comma or semicolon). All rows or none: an error names its
    row and column. Each row is read with its year's methodology (or the ``methodology``
    column): 2018–2020 have 3 domains, 2021–2025 have 4, the Pemdi index has none. An index
    that its domains do not give is imported with a warning (published figures are what they
    are, but a typo should be seen)."""
    permissions.require_unless_system(by, "evaluation.add_publishedindex")
    reader = _csv_reader(text)
    missing = [c for c in ("institution", "year", "index") if c not in reader.fieldnames]
    if missing:
        raise ServiceError(_("Missing columns: %(cols)s. Expected: %(expected)s (separated by commas or semicolons)")
                           % {"cols": ", ".join(missing), "expected": ", ".join(IMPORT_COLUMNS)})
    count, warnings = 0, []
    from spbe.core.models import Institution

    for row_number, row in enumerate(reader, start=2):
        if not any((value or "").strip() for value in row.values() if isinstance(value, str)):
            continue  # a blank line Excel leaves at the end
        name = (row.get("institution") or "").strip()
        if not name:
            raise ServiceError(_("Row %(row)s: the institution is empty.") % {"row": row_number})
        try:
            year = int((row.get("year") or "").strip())
        except ValueError:
            raise ServiceError(_("Row %(row)s: year is not a whole number.") % {"row": row_number}) from None
        if not 2018 <= year <= 2100:
            raise ServiceError(_("Row %(row)s: the year must be 2018 or later.") % {"row": row_number})
        index = _decimal_or_none(row.get("index"), "index", row_number)
        if index is None:
            raise ServiceError(_("Row %(row)s: the index is empty.") % {"row": row_number})
        methodology = _import_methodology(row, year, row_number)
        domains = [_decimal_or_none(row.get(f"domain_{n}"), f"domain_{n}", row_number) for n in range(1, 5)]
        given = [d for d in domains if d is not None]
        expected = len(methodology.domains)
        if given and (len(given) != expected or any(d is None for d in domains[:expected])):
            raise ServiceError(_("Row %(row)s: %(year)s results (%(methodology)s) have %(n)s domain values, not %(got)s.")
                               % {"row": row_number, "year": year, "methodology": methodology.name, "n": expected,
                                  "got": len(given)})
        if given and len(given) == expected:
            computed = Decimal(compute_from_domains(methodology, [str(d) for d in given]).index_display)
            if abs(computed - index) > Decimal("0.01"):
                warnings.append(_("Row %(row)s: the domains give %(computed)s, not the index %(index)s.")
                                % {"row": row_number, "computed": computed, "index": index})
        PublishedIndex.objects.update_or_create(
            institution_name=name,
            year=year,
            defaults={
                "institution": Institution.objects.filter(name__iexact=name).first(),
                "index": index,
                "domain_1": domains[0],
                "domain_2": domains[1],
                "domain_3": domains[2],
                "domain_4": domains[3],
                "methodology": methodology.code,
                "predicate": predicate_for(methodology, index).name,
                "source": (row.get("source") or "").strip()[:300],
            },
        )
        count += 1
    audit.record("evaluation.published.imported", None, actor=by, data={"rows": count, "warnings": len(warnings)})
    return ImportResult(count, warnings)


# --- the public index page ---------------------------------------------------------------


def public_summary(institution_name: str) -> dict | None:
    """What the public SPBE index page shows: the institution's published results by year, the
    latest one with its domains, and where it stands among the results published that year.
    Only published figures count here (KemenPANRB's announcements, imported); a period still
    running on the platform is not a result yet."""
    rows = list(PublishedIndex.objects.filter(institution_name=institution_name).order_by("year"))
    if not rows:
        return None
    latest = rows[-1]
    methodology = load(latest.methodology or for_year(latest.year))
    domain_names = {d.number: (d.name, d.name_en) for d in methodology.domains}
    domains = [(number, *domain_names.get(number, ("", "")), value)
               for number, value in enumerate((latest.domain_1, latest.domain_2, latest.domain_3, latest.domain_4), start=1)
               if value is not None]
    peers = list(PublishedIndex.objects.filter(year=latest.year).order_by("-index", "institution_name"))
    rank = next((i for i, p in enumerate(peers, start=1) if p.institution_name == institution_name), None)
    previous = rows[-2] if len(rows) > 1 else None
    return {"rows": rows, "latest": latest, "previous": previous, "domains": domains, "peers": peers, "rank": rank,
            "change": abs(latest.index - previous.index) if previous else None,
            "rising": bool(previous and latest.index >= previous.index)}
