"""Test settings: the real settings, with tasks inline and fast password hashing.

DATABASE_URL still decides the database, so the same suite runs on SQLite and PostgreSQL.
"""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("SPBE_ENV", "test")
os.environ.setdefault("SPBE_TASKS_BACKEND", "immediate")
if os.environ.get("PYTEST_XDIST_WORKER"):
    # Parallel workers already fill the cores: a second OpenMP thread per embedding call only
    # makes the workers fight over them (and OpenMP threads spin while they wait).
    os.environ.setdefault("OMP_NUM_THREADS", "1")

from spbe.config.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="spbe-test-media-"))
INSTALLED_APPS = [*INSTALLED_APPS, "tests.support"]  # noqa: F405

# Each test client loads the middleware again; with finders on, WhiteNoise would walk every
# static file each time (40 ms a request). The live server and browser tests serve static files
# through Django's own handler, which uses the finders.
WHITENOISE_USE_FINDERS = False
WHITENOISE_AUTOREFRESH = False

# Embedding vectors are a pure function of model and text: all test workers and runs share one
# file, so each knowledge-base text is embedded once per checkout, not once per test.
ASSISTANT_VECTOR_CACHE = str(REPO_DIR / "var" / "test-cache" / "assistant-vectors.sqlite3")  # noqa: F405
