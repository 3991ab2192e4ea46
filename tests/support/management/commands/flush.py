"""Test-only ``flush``: transactional tests wipe the database between tests, which the
audit log's append-only triggers refuse. Lift them for the flush, then put them back."""

from django.core.management.commands.flush import Command as FlushCommand
from django.db import connections

from tests.support.triggers import audit_triggers_lifted


class Command(FlushCommand):
    def handle(self, **options):
        connection = connections[options.get("database") or "default"]
        with audit_triggers_lifted(connection):
            return super().handle(**options)
