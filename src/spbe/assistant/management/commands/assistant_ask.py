"""Ask the Love Bali assistant one question from the command line.

    spbe assistant_ask "Do I pay again after Lombok?" --format json

prints {"language", "answer", "sources", "confidence", "handoff"} (keys are a contract).
"""

import json

from django.core.management.base import BaseCommand, CommandError

from spbe.assistant import services
from spbe.assistant.models import LANGUAGES


class Command(BaseCommand):
    requires_system_checks = []  # checks import every URL and API module: seconds per run; `spbe check` runs them
    help = "Ask the Love Bali assistant a question (answers from the approved knowledge base)."

    def add_arguments(self, parser):
        parser.add_argument("question")
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument("--language", choices=LANGUAGES, help="the tourist's page language (used when the text is too short to tell)")

    def handle(self, *args, question, format, language, **options):
        if not question.strip():
            raise CommandError("The question is empty.")
        reply = services.ask(question, language)
        if format == "json":
            self.stdout.write(json.dumps(reply.as_contract(), ensure_ascii=False))
            return
        self.stdout.write(reply.answer)
        for source in reply.sources:
            self.stdout.write(f"  [{source['id']} v{source['version']}] {source['title']}")
        state = "hand-off" if reply.handoff else "answered"
        self.stdout.write(f"  ({reply.language}, confidence {reply.confidence:.3f}, {state}: {reply.reason})")
