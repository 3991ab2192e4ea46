"""``spbe webscan_train [--report]``: fit the promotion-vs-mention classifier.

With ``--report`` it also prints, as JSON, how well the classifier does on each source and
each writing technique it was *not* trained on (leave-one-source-out, leave-one-technique-out):
the honest estimate of how it meets text it has not seen.
"""

import json

from django.core.management.base import BaseCommand

from spbe.webscan import classifier


class Command(BaseCommand):
    requires_system_checks = []  # checks import every URL and API module: seconds per run; `spbe check` runs them
    help = "Fit the promotion-vs-mention classifier from data/training.jsonl and write data/model.json."

    def add_arguments(self, parser):
        parser.add_argument("--report", action="store_true", help="also evaluate leave-one-source/technique-out")

    def handle(self, *args, report=False, **options):
        rows = classifier.load_training()
        model = classifier.train(rows)
        classifier.save(model)
        classifier._model.cache_clear()
        correct = sum((classifier.promo_probability(r["text"]) >= 0.5) == (r["label"] == "promo") for r in rows)
        self.stdout.write(f"Trained on {len(rows)} texts, {len(model['weights'])} features; "
                          f"training accuracy {correct / len(rows):.3f}")
        if report:
            result = {
                "leave_one_source_out": classifier.held_out_report(rows, "source"),
                "leave_one_technique_out": classifier.held_out_report(rows, "technique", only_label="promo"),
            }
            self.stdout.write(json.dumps(result, indent=1))
