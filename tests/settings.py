"""Test settings: the real settings, with tasks inline and fast password hashing.

DATABASE_URL still decides the database, so the same suite runs on SQLite and PostgreSQL.
"""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("SPBE_ENV", "test")
os.environ.setdefault("SPBE_TASKS_BACKEND", "immediate")

from spbe.config.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="spbe-test-media-"))
INSTALLED_APPS = [*INSTALLED_APPS, "tests.support"]  # noqa: F405
