"""Build or refresh the knowledge base from the Love Bali FAQ page and the hand-off topics.

New and changed entries wait for approval in the console; nothing answers until approved.
"""

from django.core.management.base import BaseCommand

from spbe.assistant import services
from spbe.core import context


class Command(BaseCommand):
    requires_system_checks = []  # checks import every URL and API module: seconds per run; `spbe check` runs them
    help = "Import the Love Bali FAQ (all languages) and hand-off topics into the assistant's knowledge base."

    def handle(self, *args, **options):
        with context.acting_as(kind="system"):
            faq = services.import_site_faq()
            topics = services.import_handoff_topics()
            drafts = services.import_drafts()
        self.stdout.write(f"FAQ: {faq}\nhand-off topics: {topics}\ndrafts: {drafts}")
