"""The embedded default cache: Django's database cache with an atomic ``incr``.

Rate limits count in the cache, and every web and worker process must see the same counts.
Redis does that natively (production); the database cache shares the counts but Django's
``incr`` is a read followed by a write, so two processes can both read 7 and both write 8.
Here the read-modify-write happens in one transaction holding the row: ``SELECT … FOR UPDATE``
on PostgreSQL, and SQLite's ``BEGIN IMMEDIATE`` (settings open every SQLite transaction in
IMMEDIATE mode), which takes the write lock before the read.
"""

from __future__ import annotations

from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.db import connections, router, transaction


class DatabaseCache(DjangoDatabaseCache):
    def incr(self, key, delta=1, version=None):
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        with transaction.atomic(using=db):
            if connection.features.has_select_for_update:
                table = connection.ops.quote_name(self._table)
                with connection.cursor() as cursor:
                    cursor.execute(f"SELECT cache_key FROM {table} WHERE cache_key = %s FOR UPDATE",
                                   [self.make_and_validate_key(key, version=version)])
            value = self.get(key, version=version)
            if value is None:
                raise ValueError(f"Key '{key}' not found")
            value += delta
            self.set(key, value, version=version)
        return value


TABLE = "spbe_cache"


def create_cache_table(using: str = "default", **kwargs) -> None:
    """post_migrate: the database cache's table exists wherever the schema does, whatever
    CACHE_URL says today (a process started with CACHE_URL=db finds it)."""
    from django.core.management.commands.createcachetable import Command

    command = Command()
    command.verbosity = 0
    command.create_table(using, TABLE, dry_run=False)
