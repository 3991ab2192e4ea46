from contextlib import contextmanager
from importlib import import_module

from django.db import connection as default_connection

_migration = import_module("spbe.audit.migrations.0003_append_only_triggers")


@contextmanager
def audit_triggers_lifted(connection=default_connection):
    """Act as someone with database access who turns the append-only triggers off."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for statement in _migration.SQLITE_DOWN:
                cursor.execute(statement)
        else:
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                for statement in _migration.SQLITE_UP:
                    cursor.execute(statement)
            else:
                cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER USER")
