"""``spbe compute_index``: the SPBE index from indicator levels, aspect values or domain values.

    spbe compute_index --methodology permenpanrb-59-2020 --levels 3,4,...,2 --format json
    spbe compute_index --domains 4.60,3.70,2.82,4.57
    spbe compute_index --methodology permenpanrb-5-2018 --aspects 2.00,2.10,2.00,2.50,2.33,3.29,2.50
    spbe compute_index --year 2018 --domains 2.06,2.29,3.00       (the methodology of that year)
    spbe compute_index --list

Invalid input (wrong count, a level outside the scale, not a number) prints a clear error and
exits with code 2. The arithmetic needs neither the database nor Django, so ``spbe`` runs it
without setting Django up (spbe.manage.STANDALONE); the management command of the same name
(for call_command and ``spbe help``) shares these arguments and this body.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TextIO

from spbe.evaluation.index import (
    InputError,
    compute_from_aspects,
    compute_from_domains,
    compute_from_levels,
    parse_level_list,
)
from spbe.evaluation.methodology import MethodologyError, available, for_year, load

HELP = ("Compute the SPBE / Pemdi index (exact arithmetic) from indicator levels, aspect values or domain values, "
        "with any methodology since 2018 (--list shows them).")
DEFAULT = "permenpanrb-59-2020"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    chosen = parser.add_mutually_exclusive_group()
    chosen.add_argument("--methodology", help=f"methodology code (default {DEFAULT})")
    chosen.add_argument("--year", type=int, help="use the methodology of this evaluation year")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--levels", help="comma-separated levels in indicator order")
    source.add_argument("--aspects", help="comma-separated aspect values in aspect order")
    source.add_argument("--domains", help="comma-separated domain values in domain order")
    source.add_argument("--list", action="store_true", help="list the methodologies and stop")
    parser.add_argument("--format", choices=["json", "text"], default="text")


def methodologies() -> list[dict]:
    return [{"methodology": code, "name": m.name, "status": m.status, "years": list(m.years), "domains": len(m.domains),
             "aspects": len(m.aspects), "indicators": len(m.indicators), "levels": f"{m.min_level}..{m.max_level}"}
            for code, m in ((code, load(code)) for code in available())]


def compute(options: dict) -> dict:
    """Raises InputError or MethodologyError on bad input."""
    code = options.get("methodology") or (for_year(options["year"]) if options.get("year") else DEFAULT)
    methodology = load(code)
    if options.get("levels") is not None:
        return compute_from_levels(methodology, parse_level_list(methodology, options["levels"])).as_dict()
    if options.get("aspects") is not None:
        return compute_from_aspects(methodology, [v.strip() for v in options["aspects"].split(",")]).as_dict()
    values = [v.strip() for v in options["domains"].split(",")]
    return compute_from_domains(methodology, values).as_dict()


def write(data: dict, output_format: str, out: TextIO) -> None:
    if output_format == "json":
        out.write(json.dumps(data, ensure_ascii=False) + "\n")
        return
    name = "Indeks Pemdi" if data["methodology"].startswith("ipd") else "Indeks SPBE"
    out.write(f"{name}: {data['index']} ({data['predicate']})  [raw {data['index_raw']}]\n")
    for number, domain in data["domains"].items():
        out.write(f"  Domain {number} {domain['name']}: {domain['value']}\n")
    for number, aspect in data["aspects"].items():
        out.write(f"    Aspek {number} {aspect['name']}: {aspect['value']}\n")


def write_list(output_format: str, out: TextIO) -> None:
    rows = methodologies()
    if output_format == "json":
        out.write(json.dumps(rows, ensure_ascii=False) + "\n")
        return
    for row in rows:
        out.write(f"{row['methodology']:22} {row['indicators']:>2} indicators, levels {row['levels']}, {row['status']}: {row['name']}\n")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="spbe compute_index", description=HELP)
    add_arguments(parser)
    options = vars(parser.parse_args(argv))  # exits 2 with usage on malformed arguments
    if options.get("list"):
        write_list(options["format"], sys.stdout)
        return 0
    try:
        data = compute(options)
    except (InputError, MethodologyError) as exc:
        sys.stderr.write(f"CommandError: invalid input: {exc}\n")  # the words Django's CommandError prints
        return 2
    write(data, options["format"], sys.stdout)
    return 0
