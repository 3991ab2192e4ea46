"""Settings for the SPBE platform, read from environment variables.

Every option has a development default so a bare checkout runs on an embedded SQLite
database. `SPBE_ENV=production` turns the defaults off: placeholder or malformed secrets, SQLite, the
bank simulator, the test PKI and every loopback stand-in are refused at start-up (see
`config/production.py`).
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent.parent  # src/spbe
REPO_DIR = PACKAGE_DIR.parent.parent


def env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def env_bool(name: str, default: bool) -> bool:
    value = env(name)
    if value is None:
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), got {value!r}")


def env_list(name: str, default: list[str]) -> list[str]:
    value = env(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


SPBE_ENV = env("SPBE_ENV", "development")
if SPBE_ENV not in ("development", "test", "production"):
    raise ImproperlyConfigured("SPBE_ENV must be one of development, test, production")
IS_PRODUCTION = SPBE_ENV == "production"

DATA_DIR = Path(env("SPBE_DATA_DIR", str(REPO_DIR / "var")))

# Placeholders are accepted in development only; production refuses them.
SECRET_KEY = env("SECRET_KEY", "dev-insecure-secret-key-do-not-use-in-production")
DEBUG = env_bool("DEBUG", not IS_PRODUCTION)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if IS_PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000")



INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "django_rq",
    "django_tasks_rq",
    "spbe.core",
    "spbe.audit",
    "spbe.inventory",
    "spbe.evaluation",
    "spbe.webscan",
    "spbe.levy",
    "spbe.lovebali",
    "spbe.esign",
    "spbe.security",
    "spbe.assistant",
]

MIDDLEWARE = [
    "spbe.core.middleware.RequestIdMiddleware",
    "spbe.core.metrics.MetricsMiddleware",
    "spbe.core.ratelimit.RateLimitResponseMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "spbe.core.middleware.StaffLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "spbe.core.middleware.SessionLifetimeMiddleware",
    "spbe.core.middleware.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "spbe.core.middleware.AccessLogMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "spbe.config.urls"
WSGI_APPLICATION = "spbe.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "spbe.core.context_processors.platform",
            ],
            "builtins": ["spbe.core.templatetags.spbe_format"],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{DATA_DIR / 'spbe.sqlite3'}"),
        conn_max_age=int(env("DATABASE_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets the web server and the task worker use the same file concurrently. IMMEDIATE
    # transactions take the write lock at BEGIN, so two writers queue behind the busy timeout
    # instead of one failing with "database is locked" when it upgrades a read lock.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE",
         "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )
    # A file-based test database, so a worker subprocess in the tests can see it.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test-spbe.sqlite3")}

# One cache shared by every process (rate limits count there): Redis in production
# (CACHE_URL=redis://…), the database (table spbe_cache, made at migrate) when embedded.
CACHE_URL = env("CACHE_URL", "db")
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL,
                          "KEY_PREFIX": "spbe"}}
elif CACHE_URL == "db":
    CACHES = {"default": {"BACKEND": "spbe.core.cache.DatabaseCache", "LOCATION": "spbe_cache",  # core.cache.TABLE
                          "OPTIONS": {"MAX_ENTRIES": 200_000}}}
else:
    raise ImproperlyConfigured("CACHE_URL must be 'db' or a redis:// URL")

# How many reverse proxies in front of the app append to X-Forwarded-For (nginx: 1). The client
# address used for rate limits, lockouts and the audit log is read from that many hops from the
# right; 0 (the default) trusts no header and uses the socket's address.
SPBE_TRUSTED_PROXIES = int(env("SPBE_TRUSTED_PROXIES", "0"))
NINJA_NUM_PROXIES = SPBE_TRUSTED_PROXIES
# API-wide ceilings per client address (anonymous) and per user (authenticated).
SPBE_API_ANON_RATE = env("SPBE_API_ANON_RATE", "60/m")
SPBE_API_AUTH_RATE = env("SPBE_API_AUTH_RATE", "1200/m")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"
# django-axes first: it refuses a locked-out username or address before the password is checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "spbe.core.permissions.AgencyPermissionBackend"]
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:console-home"
LOGOUT_REDIRECT_URL = "core:portal-home"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login protection (django-axes): after AXES_FAILURE_LIMIT wrong passwords a username, and
# separately a client address, is locked out; the lock lasts 5 minutes and doubles with every
# further batch of failures (core.loginguard.cool_off), up to a day. Every login path counts:
# the console, the admin and the password-for-token API.
AXES_FAILURE_LIMIT = int(env("AXES_FAILURE_LIMIT", "5"))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_COOLOFF_TIME = "spbe.core.loginguard.cool_off"
AXES_CLIENT_IP_CALLABLE = "spbe.core.loginguard.client_ip"
AXES_LOCKOUT_CALLABLE = "spbe.core.loginguard.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_SENSITIVE_PARAMETERS = ["password", "token", "otp"]

# Sessions: an absolute lifetime for everyone, an idle timeout for staff (console users).
SPBE_SESSION_MAX_AGE = int(env("SPBE_SESSION_MAX_AGE", str(12 * 3600)))
SPBE_STAFF_IDLE_TIMEOUT = int(env("SPBE_STAFF_IDLE_TIMEOUT", str(30 * 60)))
SESSION_COOKIE_AGE = SPBE_SESSION_MAX_AGE
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", "SPBE " + (env("SPBE_INSTITUTION_NAME", "Pemerintah Provinsi Bali") or ""))

# Indonesian is the default; English for all UI. Tourist-facing modules add more languages.
LANGUAGE_CODE = "id"
# Staff pages are in Indonesian and English; tourist-facing Love Bali pages also in the main
# source-market languages (their catalogs live in spbe/lovebali/locale).
LANGUAGES = [
    ("id", _("Indonesian")),
    ("en", _("English")),
    ("zh-hans", _("Simplified Chinese")),
    ("ko", _("Korean")),
    ("ja", _("Japanese")),
    ("ru", _("Russian")),
    ("fr", _("French")),
    ("de", _("German")),
]
CONSOLE_LANGUAGES = ["id", "en"]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "spbe_language"
FORMAT_MODULE_PATH = ["spbe.formats"]
USE_I18N = True
TIME_ZONE = "Asia/Makassar"  # WITA, Bali's time zone
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("SPBE_MEDIA_ROOT", str(DATA_DIR / "media")))
# `spbe backup`: encrypted with SPBE_BACKUP_KEY (`spbe backup --new-key`); keep the key offline too.
BACKUP_KEY = env("SPBE_BACKUP_KEY", "")
BACKUP_DIR = Path(env("SPBE_BACKUP_DIR", str(DATA_DIR / "backups")))
BACKUP_KEEP = int(env("SPBE_BACKUP_KEEP", "14"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if IS_PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not IS_PRODUCTION
STATIC_ROOT.mkdir(parents=True, exist_ok=True)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = IS_PRODUCTION
CSRF_COOKIE_SECURE = IS_PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if IS_PRODUCTION:
    # TLS ends at nginx (deploy/), which sets X-Forwarded-Proto; plain-HTTP health and metrics
    # probes from the host itself are not redirected.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^(healthz|livez|readyz|metrics)$"]
    SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

# Content-Security-Policy (django-csp): scripts only from our own static files, never inline;
# nothing may frame the platform. Inline *style attributes* remain in templates, so styles
# allow 'unsafe-inline' (they cannot run code).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "media-src": ["'self'", "blob:"],
        "worker-src": ["'self'"],
        "manifest-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "SPBE Provinsi Bali <no-reply@baliprov.go.id>")

# Background tasks (Django's tasks API). "database" is the default: no broker needed.
# "redis" is the distributed production backend; "immediate" runs tasks inline (tests).
TASKS_BACKEND = env("SPBE_TASKS_BACKEND", "database")
# /metrics (Prometheus): with a token, scrapers send "Authorization: Bearer <token>"; without
# one, only loopback may read it, and in production nobody.
METRICS_TOKEN = env("METRICS_TOKEN", "")
if env("PROMETHEUS_MULTIPROC_DIR"):
    # Commands and workers read the same environment file as gunicorn; a missing directory must
    # not stop them (a library may create metrics at import). gunicorn empties it at start.
    Path(env("PROMETHEUS_MULTIPROC_DIR")).mkdir(parents=True, exist_ok=True)
REDIS_URL = env("REDIS_URL", "redis://127.0.0.1:6379/0")
TASK_QUEUES = ["default", "crawler", "mail"]
_TASK_BACKENDS = {
    "database": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": TASK_QUEUES},
    "redis": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": TASK_QUEUES},
    "immediate": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": TASK_QUEUES},
}
if TASKS_BACKEND not in _TASK_BACKENDS:
    raise ImproperlyConfigured(f"SPBE_TASKS_BACKEND must be one of {sorted(_TASK_BACKENDS)}")
TASKS = {"default": _TASK_BACKENDS[TASKS_BACKEND]}
RQ_QUEUES = {name: {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 900} for name in TASK_QUEUES}
# A job whose worker host is lost is run again by another worker (spbe.core.rqworker): it is
# abandoned once its heartbeat (job monitoring interval + 60 s) lapses, and found in the next
# maintenance round of a surviving worker.
# The RQ dashboard in the admin only where RQ runs the tasks; with the database backend there
# is no Redis to show (and the page would fail).
RQ_SHOW_ADMIN_LINK = TASKS_BACKEND == "redis"
RQ = {"QUEUE_CLASS": "spbe.core.rqworker.CrashSafeQueue", "WORKER_CLASS": "spbe.core.rqworker.CrashSafeWorker"}
TASK_CRASH_RETRIES = int(env("SPBE_TASK_CRASH_RETRIES", "2"))
RQ_MAINTENANCE_INTERVAL = int(env("SPBE_RQ_MAINTENANCE_INTERVAL", "60"))
RQ_JOB_MONITORING_INTERVAL = int(env("SPBE_RQ_JOB_MONITORING_INTERVAL", "30"))

# Periodic jobs, enqueued by `spbe scheduler` (spbe.core.scheduler: each slot once, however many
# schedulers run). "every" is an interval, "daily" a local time. SPBE_SCHEDULE_DISABLE=name,...
# switches entries off on hosts that must not run them.
_SCHEDULE_OFF = set(env_list("SPBE_SCHEDULE_DISABLE", []))
SCHEDULE = {
    "levy-sweep": {"task": "spbe.levy.tasks.levy_sweep", "every": "2m"},
    "assistant-sweep": {"task": "spbe.assistant.tasks.assistant_sweep_task", "every": "1m"},
    "judol-scans": {"task": "spbe.webscan.tasks.schedule_scans", "daily": "01:30"},
    "audit-verify": {"task": "spbe.audit.tasks.verify_audit_chain", "daily": "03:00"},
    "esign-archive-timestamps": {"task": "spbe.esign.tasks.renew_archive_timestamps_task", "daily": "02:00"},
    "api-token-reminders": {"task": "spbe.core.tasks.remind_expiring_api_tokens", "daily": "08:00"},
    "evaluation-reminders": {"task": "spbe.evaluation.tasks.send_stage_reminders", "daily": "08:30"},
    "task-results-prune": {"task": "spbe.core.tasks.prune_finished_task_results", "daily": "04:00"},
    "wazuh-backfill": {"task": "spbe.security.tasks.wazuh_backfill_task", "every": "1h", "kwargs": {"hours": 2},
                       "enabled": bool(env("WAZUH_INDEXER_URL", ""))},
}
for _name in _SCHEDULE_OFF & set(SCHEDULE):
    SCHEDULE[_name]["enabled"] = False

# API tokens for machine clients: only a hash is stored; every token expires.
API_TOKEN_PREFIX = "spbe_"
API_TOKEN_DEFAULT_DAYS = int(env("API_TOKEN_DEFAULT_DAYS", "90"))
API_TOKEN_MAX_DAYS = int(env("API_TOKEN_MAX_DAYS", "365"))

LOG_FORMAT = env("LOG_FORMAT", "json" if IS_PRODUCTION else "console")
LOG_LEVEL = env("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_context": {"()": "spbe.core.logging.RequestContextFilter"}},
    "formatters": {
        "json": {"()": "spbe.core.logging.JsonFormatter"},
        "console": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "default": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_context"],
        }
    },
    "root": {"handlers": ["default"], "level": LOG_LEVEL},
    "loggers": {
        "django.server": {"level": "WARNING"},
        "django.request": {"level": "ERROR"},
        "httpx": {"level": "WARNING"},
    },
}

# Upload limits shared by all modules; each module may narrow them.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Judol scanner politeness (per host) and size limits.
WEBSCAN_MAX_PAGES = int(env("WEBSCAN_MAX_PAGES", "300"))
WEBSCAN_CONCURRENCY_PER_HOST = int(env("WEBSCAN_CONCURRENCY_PER_HOST", "2"))
WEBSCAN_REQUEST_INTERVAL = float(env("WEBSCAN_REQUEST_INTERVAL", "0.5"))
WEBSCAN_RENDER = env_bool("WEBSCAN_RENDER", True)  # headless Chromium for script-written pages
WEBSCAN_RENDER_BUDGET = int(env("WEBSCAN_RENDER_BUDGET", "30"))  # rendered pages per scan at most
WEBSCAN_RENDER_TIMEOUT = float(env("WEBSCAN_RENDER_TIMEOUT", "8"))  # seconds per rendered page
WEBSCAN_RENDER_CONCURRENCY = int(env("WEBSCAN_RENDER_CONCURRENCY", "2"))  # pages rendered at once per scan
# Loopback copies of the demo OPD websites (spbe webscan_demosites, started by make run): one port
# each from here; development lets the scanner reach WEBSCAN_DEMO_PORTS of them.
WEBSCAN_DEMO_PORT = int(env("WEBSCAN_DEMO_PORT", "8060"))
WEBSCAN_DEMO_PORTS = 10
WEBSCAN_CHROMIUM = env("WEBSCAN_CHROMIUM", "/usr/bin/chromium")

SPBE_INSTITUTION_NAME = env("SPBE_INSTITUTION_NAME", "Pemerintah Provinsi Bali")
# Help desk shown in every page's footer (Diskominfos service desk).
SPBE_HELP_EMAIL = env("SPBE_HELP_EMAIL", "layanan.spbe@baliprov.go.id")
SPBE_HELP_PHONE = env("SPBE_HELP_PHONE", "(0361) 222 111")

# --- Love Bali levy (policy values are settings because the rules change by Pergub) -------
# Tariff per traveller in whole rupiah, by the date the order is made ("from" inclusive).
LEVY_TARIFFS = [{"from": "2024-02-14", "amount": 150_000}]
LEVY_INSTITUTION_CODE = env("LEVY_INSTITUTION_CODE", "pemprov-bali")
LEVY_MAX_TRAVELLERS_PER_ORDER = 20
LEVY_ORDER_TTL_HOURS = int(env("LEVY_ORDER_TTL_HOURS", "24"))
# A voucher covers one visit: from a few days before the declared arrival (flights move)
# to a cap after it (the Governor's 60-day statement, 2025; unconfirmed, so configurable).
LEVY_VOUCHER_GRACE_DAYS_BEFORE = 7
LEVY_VOUCHER_VALID_DAYS = int(env("LEVY_VOUCHER_VALID_DAYS", "60"))
LEVY_EXEMPTION_DECISION_DAYS = 5  # working days for an officer decision (Pergub 36/2023 as reported)
LEVY_EXEMPTION_LEAD_DAYS = int(env("LEVY_EXEMPTION_LEAD_DAYS", "5"))  # sources say 5 days or one month
LEVY_ENDPOINT_COMMISSION = "0.03"  # imbal jasa, Perda 2/2025 / Pergub 25/2025
# Love Bali assistant: hand-off first-response target, webhook channels, optional LLM (off).
ASSISTANT_FIRST_RESPONSE_MINUTES = int(env("ASSISTANT_FIRST_RESPONSE_MINUTES", "5"))
# Share of the realistic calibration messages and out-of-scope questions the calibrated threshold
# may answer wrongly. At 0.01: gold set 82 % answered right at once, 1.6 % wrong; realistic messages
# (5-fold cross-validated) 79 %, 1.0 %.
# Embedding vectors computed on this host, so that a restart loads the knowledge base in
# milliseconds (an empty value turns the file off; the database table still shares vectors).
ASSISTANT_VECTOR_CACHE = env("ASSISTANT_VECTOR_CACHE", str(DATA_DIR / "cache" / "assistant-vectors.sqlite3"))
ASSISTANT_MAX_WRONG_RATE = float(env("ASSISTANT_MAX_WRONG_RATE", "0.01"))
ASSISTANT_CHANNEL_KEY = env("ASSISTANT_CHANNEL_KEY", "")
ASSISTANT_WEBHOOK_MAX_SKEW = 300
ASSISTANT_LLM_BASE_URL = env("ASSISTANT_LLM_BASE_URL", "")  # e.g. http://127.0.0.1:11434/v1 (Ollama)
ASSISTANT_LLM_MODEL = env("ASSISTANT_LLM_MODEL", "qwen2.5:7b-instruct")
ASSISTANT_LLM_API_KEY = env("ASSISTANT_LLM_API_KEY", "")
ASSISTANT_LLM_TIMEOUT = float(env("ASSISTANT_LLM_TIMEOUT", "20"))
LOVEBALI_PUBLIC_DOMAIN = env("LOVEBALI_PUBLIC_DOMAIN", "lovebali.baliprov.go.id")  # the official address the FAQ names
LEVY_BANK_FEE = 4_500  # BPD Bali fee per transaction (2024), tracked apart from the levy
# Encryption key for passports and partner secrets (Fernet, urlsafe base64 of 32 bytes) and the
# pepper for passport lookup hashes. Development derives both from SECRET_KEY.
LEVY_DATA_KEY = env("LEVY_DATA_KEY", "")
LEVY_PASSPORT_PEPPER = env("LEVY_PASSPORT_PEPPER", "")
# Payment providers: which one new payments use, and how to reach each.
LEVY_PAYMENT_PROVIDER = env("LEVY_PAYMENT_PROVIDER", "banksim")
# Partners' sandbox keys pay only here: the bank simulator, never the real bank.
LEVY_SANDBOX_PROVIDER = "banksim"
LEVY_PROVIDERS = {
    "banksim": {
        "base_url": env("LEVY_BANKSIM_URL", "http://127.0.0.1:8079"),
        "server_key": env("LEVY_BANKSIM_KEY", "banksim-dev-key"),
    },
    "midtrans": {
        "base_url": env("LEVY_MIDTRANS_URL", "https://api.sandbox.midtrans.com"),
        "server_key": env("LEVY_MIDTRANS_SERVER_KEY", ""),
    },
    "xendit": {
        "base_url": env("LEVY_XENDIT_URL", "https://api.xendit.co"),
        "secret_key": env("LEVY_XENDIT_SECRET_KEY", ""),
        "callback_token": env("LEVY_XENDIT_CALLBACK_TOKEN", ""),
    },
}
# Partner (Love Bali Endpoint) request signatures older than this are refused.
LEVY_PARTNER_CLOCK_SKEW = 300
LEVY_PARTNER_RATE_PER_MINUTE = int(env("LEVY_PARTNER_RATE_PER_MINUTE", "600"))

# --- TTE e-signature -----------------------------------------------------------------------
# Development and tests use an offline test PKI (spbe esign_testpki) and a fake BSrE; production
# points these at BSrE's esign-client, the Root CA Indonesia / BSrE trust roots and an HSM.
ESIGN_PKI_DIR = Path(env("ESIGN_PKI_DIR", str(DATA_DIR / "esign-pki")))
ESIGN_PKI_URL = env("ESIGN_PKI_URL", "http://127.0.0.1:8078")
ESIGN_TRUST_ROOTS = env_list("ESIGN_TRUST_ROOTS", [str(ESIGN_PKI_DIR / "root.pem")])
ESIGN_TSA_URL = env("ESIGN_TSA_URL", ESIGN_PKI_URL + "/tsa")
# Every signature carries its own validation data by default (B-LT); document types may ask for
# B-LTA (archive timestamps, renewed by `spbe esign_renew_timestamps` before the TSA expires).
ESIGN_DEFAULT_LEVEL = env("ESIGN_DEFAULT_LEVEL", "B-LT")
ESIGN_ARCHIVE_RENEW_DAYS = int(env("ESIGN_ARCHIVE_RENEW_DAYS", "90"))
ESIGN_REVOCATION_CACHE_SECONDS = int(env("ESIGN_REVOCATION_CACHE_SECONDS", "300"))  # OCSP/CRL answers reused, never past nextUpdate
# The command line's `--signer local` without --nik: a person's test certificate, never the seal.
ESIGN_PKCS12_PATH = env("ESIGN_PKCS12_PATH", str(ESIGN_PKI_DIR / "sekda.p12"))
ESIGN_PKCS12_PASSWORD = env("ESIGN_PKCS12_PASSWORD", "" if IS_PRODUCTION else "uji-only")  # the test PKI's bundles
ESIGN_PKCS11_LIB = env("ESIGN_PKCS11_LIB", "/usr/lib/softhsm/libsofthsm2.so")
ESIGN_PKCS11_TOKEN = env("ESIGN_PKCS11_TOKEN", "spbe-seal")
ESIGN_PKCS11_PIN = env("ESIGN_PKCS11_PIN", "")
ESIGN_PKCS11_KEY_LABEL = env("ESIGN_PKCS11_KEY_LABEL", "seal")
ESIGN_SEAL_CERT = env("ESIGN_SEAL_CERT", str(ESIGN_PKI_DIR / "seal.pem"))
ESIGN_SEAL_CHAIN = env_list("ESIGN_SEAL_CHAIN", [str(ESIGN_PKI_DIR / "bsre.pem"), str(ESIGN_PKI_DIR / "root.pem")])
ESIGN_BSRE_URL = env("ESIGN_BSRE_URL", "http://127.0.0.1:8077")
ESIGN_BSRE_CLIENT_ID = env("ESIGN_BSRE_CLIENT_ID", "" if IS_PRODUCTION else "spbe-bali")
ESIGN_BSRE_CLIENT_SECRET = env("ESIGN_BSRE_CLIENT_SECRET", "" if IS_PRODUCTION else "rahasia-uji")  # the fake's
ESIGN_BSRE_API_VERSION = env("ESIGN_BSRE_API_VERSION", "v2")
ESIGN_MAX_BYTES = 20 * 1024 * 1024

# --- Security: vulnerability disclosure -------------------------------------------------------
SECURITY_CONTACT_EMAIL = env("SECURITY_CONTACT_EMAIL", "csirt@baliprov.go.id")
SECURITY_DATA_KEY = env("SECURITY_DATA_KEY", "")  # Fernet key for report attachments (derived from SECRET_KEY in development)
SECURITY_REPORTS_PER_DAY = int(env("SECURITY_REPORTS_PER_DAY", "10"))
WAZUH_WEBHOOK_SECRET = env("WAZUH_WEBHOOK_SECRET", "")  # shared with the custom-spbe integration script
WAZUH_WEB_ROOTS = env_list("WAZUH_WEB_ROOTS", ["/var/www", "/srv/www", "/usr/share/nginx/html"])
WAZUH_INDEXER_URL = env("WAZUH_INDEXER_URL", "")  # set it to backfill missed alerts every hour
WAZUH_INDEXER_USER = env("WAZUH_INDEXER_USER", "admin")
WAZUH_INDEXER_PASSWORD = env("WAZUH_INDEXER_PASSWORD", "")

# --- Outbound requests (core/outbound.py) ----------------------------------------------------
# Server-side requests reach public addresses only. Per purpose, these host:port entries (or
# networks) may be reached although private or loopback: OUTBOUND_ALLOW_<PURPOSE>=host:port,
# 10.0.0.0/8,... from the environment, plus — implicitly — the service endpoints configured
# above for that purpose (bank, TSA/OCSP, BSrE, LLM: admins set those). Targets that users type
# (websites to scan, webhook and chat callbacks) get nothing implicitly. "operator" is a person
# running a command by hand (spbe webscan_page URL, the evaluations): it may reach anything.
OUTBOUND_ALLOW = {"operator": ["0.0.0.0/0", "::/0"]}
for _purpose in ("levy", "esign", "llm", "wazuh", "webhooks", "webscan"):
    OUTBOUND_ALLOW[_purpose] = env_list(f"OUTBOUND_ALLOW_{_purpose.upper()}", [])
if SPBE_ENV == "development":
    # the demo websites are loopback copies (spbe.webscan.demosites), never the real servers
    OUTBOUND_ALLOW["webscan"] += [f"127.0.0.1:{WEBSCAN_DEMO_PORT + i}" for i in range(WEBSCAN_DEMO_PORTS)]


# --- Production start: refuse every development default (config/production.py) -------------
DATABASE_URL_SET = bool(env("DATABASE_URL"))
if IS_PRODUCTION:
    from .production import problems as _production_problems

    _problems = _production_problems(globals())
    if _problems:
        raise ImproperlyConfigured("Refusing to start in production: " + "; ".join(_problems))
