"""``spbe compute_index``: the SPBE index from indicator levels or domain values.

    spbe compute_index --methodology permenpanrb-59-2020 --levels 3,4,...,2 --format json
    spbe compute_index --domains 4.60,3.70,2.82,4.57

Invalid input (wrong count, a level outside 1..5, not a number) prints a clear error and
exits with code 2. The arithmetic needs neither the database nor Django, so ``spbe`` runs it
without setting Django up (spbe.manage.STANDALONE); the management command of the same name
(for call_command and ``spbe help``) shares these arguments and this body.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TextIO

from spbe.evaluation.index import InputError, compute_from_domains, compute_from_levels, parse_level_list
from spbe.evaluation.methodology import MethodologyError, load

HELP = "Compute the SPBE index (exact arithmetic) from 47 indicator levels or 4 domain values."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--methodology", default="permenpanrb-59-2020")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--levels", help="comma-separated levels in indicator order (1..5)")
    source.add_argument("--domains", help="comma-separated domain values in domain order")
    parser.add_argument("--format", choices=["json", "text"], default="text")


def compute(options: dict) -> dict:
    """Raises InputError or MethodologyError on bad input."""
    methodology = load(options["methodology"])
    if options["levels"] is not None:
        return compute_from_levels(methodology, parse_level_list(methodology, options["levels"])).as_dict()
    values = [v.strip() for v in options["domains"].split(",")]
    return compute_from_domains(methodology, values).as_dict()


def write(data: dict, output_format: str, out: TextIO) -> None:
    if output_format == "json":
        out.write(json.dumps(data, ensure_ascii=False) + "\n")
        return
    out.write(f"Indeks SPBE: {data['index']} ({data['predicate']})  [raw {data['index_raw']}]\n")
    for number, domain in data["domains"].items():
        out.write(f"  Domain {number} {domain['name']}: {domain['value']}\n")
    for number, aspect in data["aspects"].items():
        out.write(f"    Aspek {number} {aspect['name']}: {aspect['value']}\n")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="spbe compute_index", description=HELP)
    add_arguments(parser)
    options = vars(parser.parse_args(argv))  # exits 2 with usage on malformed arguments
    try:
        data = compute(options)
    except (InputError, MethodologyError) as exc:
        sys.stderr.write(f"CommandError: invalid input: {exc}\n")  # the words Django's CommandError prints
        return 2
    write(data, options["format"], sys.stdout)
    return 0
