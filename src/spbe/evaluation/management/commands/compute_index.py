"""``spbe compute_index``: the SPBE index from indicator levels or domain values.

    spbe compute_index --methodology permenpanrb-59-2020 --levels 3,4,...,2 --format json
    spbe compute_index --domains 4.60,3.70,2.82,4.57

Invalid input (wrong count, a level outside 1..5, not a number) prints a clear error and
exits with code 2.
"""

import json

from django.core.management.base import BaseCommand, CommandError

from spbe.evaluation.index import InputError, compute_from_domains, compute_from_levels, parse_level_list
from spbe.evaluation.methodology import MethodologyError, load


class Command(BaseCommand):
    requires_system_checks = []  # pure arithmetic: the URL checks would import every API module
    help = "Compute the SPBE index (exact arithmetic) from 47 indicator levels or 4 domain values."

    def add_arguments(self, parser):
        parser.add_argument("--methodology", default="permenpanrb-59-2020")
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--levels", help="comma-separated levels in indicator order (1..5)")
        source.add_argument("--domains", help="comma-separated domain values in domain order")
        parser.add_argument("--format", choices=["json", "text"], default="text")

    def handle(self, *args, **options):
        try:
            methodology = load(options["methodology"])
            if options["levels"] is not None:
                result = compute_from_levels(methodology, parse_level_list(methodology, options["levels"]))
            else:
                values = [v.strip() for v in options["domains"].split(",")]
                result = compute_from_domains(methodology, values)
        except (InputError, MethodologyError) as exc:
            raise CommandError(f"invalid input: {exc}", returncode=2) from exc
        data = result.as_dict()
        if options["format"] == "json":
            self.stdout.write(json.dumps(data, ensure_ascii=False))
            return
        self.stdout.write(f"Indeks SPBE: {data['index']} ({data['predicate']})  [raw {data['index_raw']}]")
        for number, domain in data["domains"].items():
            self.stdout.write(f"  Domain {number} {domain['name']}: {domain['value']}")
        for number, aspect in data["aspects"].items():
            self.stdout.write(f"    Aspek {number} {aspect['name']}: {aspect['value']}")
