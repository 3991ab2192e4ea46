from django.core.management.base import BaseCommand

from spbe.webscan import classifier


class Command(BaseCommand):
    help = "Fit the promotion-vs-mention classifier from data/training.jsonl and write data/model.json."

    def handle(self, *args, **options):
        examples = classifier.load_training()
        model = classifier.train(examples)
        classifier.save(model)
        classifier._model.cache_clear()
        correct = sum((classifier.promo_probability(t) >= 0.5) == bool(y) for t, y in examples)
        self.stdout.write(
            f"Trained on {len(examples)} texts, {len(model['weights'])} features; "
            f"training accuracy {correct / len(examples):.3f}"
        )
