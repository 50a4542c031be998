"""Settings for the Tractatus site, read once from the environment (see .env.example)."""

from __future__ import annotations

import base64
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment or .env "
            "(DEBUG is off, so there is no development fallback)."
        )
    # DEBUG only: a key for this process (`make run` supplies a stable one from var/).
    SECRET_KEY = get_random_secret_key()

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "staff.apps.StaffAdminConfig",  # the admin, behind a second factor
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "simple_history",
    "adminsortable2",
    "metrics",
    "showcase",
    "measures",
    "reports",
    "audit",
    "transparency",
    "images",
    "alerts",
    "evidence",
    "monitoring",
    "tractatus_site",
]

MIDDLEWARE = [
    # Outermost: requests and latency by view for /internal/metrics, cached pages included.
    "monitoring.middleware.RequestMetricsMiddleware",
    # First, so that its headers also reach responses WhiteNoise answers on its own.
    "tractatus_site.middleware.SecurityHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The database's state (latest snapshot, content version), read at most once a request.
    "tractatus_site.state.SiteStateMiddleware",
    "tractatus_site.middleware.TextGZipMiddleware",
    # ETags and 304s for every response, taken before compression and weak, so a gzip-encoded
    # copy revalidates as the plain one does; the page cache (wsgi.py) keeps a page with its ETag.
    "tractatus_site.middleware.ConditionalGetMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # A wrong method is a 405 with Allow, answered before the CSRF check (methods.py).
    "tractatus_site.methods.MethodsMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tractatus_site.urls"
WSGI_APPLICATION = "tractatus_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "showcase.context_processors.site_chrome",
                "tractatus_site.addresses.site_address",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the cron ingest write while web workers read; IMMEDIATE avoids
    # upgrade deadlocks between two writers (overlapping cron runs).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The shared cache. By default a file cache every process on the machine shares (web workers
# and the cron ingest), so invalidation reaches them all; past one machine, Redis:
# CACHE_URL=redis://host:6379/1 (rediss:// for TLS), through django-redis, which can turn an
# unreachable Redis into cache misses: a cache outage slows the site down, it never stops it.
CACHES = {
    "default": env.cache_url(
        "CACHE_URL", default=f"filecache://{BASE_DIR / 'var' / 'cache'}"
    ),
    # The database's own cache table (created by migrate): what changes once per snapshot is
    # computed on first read and kept where the database serves it, Redis or no Redis.
    "durable": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "tractatus_durable_cache",
        "TIMEOUT": 24 * 60 * 60,
        "OPTIONS": {"MAX_ENTRIES": 5000},
    },
}
# With Redis unreachable, each cache call gives up after CACHE_TIMEOUT seconds and counts as a
# miss, so pages come from the database instead; /healthz says "cache: degraded" meanwhile
# (one log line per failed call would drown the logs during an outage).
REDIS_CACHE_OPTIONS = {
    "IGNORE_EXCEPTIONS": True,
    "SOCKET_CONNECT_TIMEOUT": env.float("CACHE_TIMEOUT", default=0.25),
    "SOCKET_TIMEOUT": env.float("CACHE_TIMEOUT", default=0.25),
}
if CACHES["default"]["BACKEND"] == "django_redis.cache.RedisCache":
    CACHES["default"].setdefault("OPTIONS", {}).update(REDIS_CACHE_OPTIONS)
# The cache holds pickled rows and rendered HTML, which only the code that wrote them can read
# safely; deploy/ ships each release into a directory named for its commit, so by default
# each release keys its entries apart and never reads what an older one cached.
for _cache in CACHES.values():
    _cache["KEY_PREFIX"] = env("CACHE_KEY_PREFIX", default=BASE_DIR.name)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
# YYYY-MM-DD HH:MM UTC wherever the admin takes or shows a time (tractatus_site/formats/).
FORMAT_MODULE_PATH = ["tractatus_site.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_MAX_AGE = 60 * 60 * 24 * 365 if not DEBUG else 0

# Whole pages are cached this long for anonymous visitors (0: off). Short, so that the
# "as of … ago" line and the Live/Delayed label stay honest; saves invalidate at once.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=60)

# The site's public address, for links built outside a request (the share links' targets).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:9000")

# --- Security -------------------------------------------------------------------------
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
if env.bool("SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Strict"

# --- Metrics feed ---------------------------------------------------------------------
METRICS_SOURCE_URL = env.str(
    "METRICS_SOURCE_URL", default="https://mysovereignty.digital/api/public/framework-metrics"
)
METRICS_STALE_AFTER_MINUTES = env.int("METRICS_STALE_AFTER_MINUTES", default=60)
METRICS_REFRESH_SECONDS = env.int("METRICS_REFRESH_SECONDS", default=300)
# The partner's Ed25519 public key: 32 raw bytes in standard base64. When set, every feed
# payload must carry a valid signature.
METRICS_PUBLIC_KEY = env.str("METRICS_PUBLIC_KEY", default="")
if METRICS_PUBLIC_KEY:
    try:
        _key_length = len(base64.b64decode(METRICS_PUBLIC_KEY, validate=True))
    except ValueError:
        _key_length = -1
    if _key_length != 32:
        raise ImproperlyConfigured(
            "METRICS_PUBLIC_KEY must be an Ed25519 public key: 32 bytes in standard base64."
        )

# The transparency log (docs/transparency.md). Its Ed25519 key in Go's signed-note format,
# PRIVATE+KEY+<origin>+<hash>+<base64> (`manage.py log_key --new <origin>` makes one). Without it
# entries are still appended, but no checkpoint is signed and /log/checkpoint answers 503.
LOG_SIGNING_KEY = env.str("LOG_SIGNING_KEY", default="")
# Every published checkpoint is also written here: a second place, so that a database restored
# from before the last checkpoint is noticed. Shared by every machine that ingests.
LOG_CHECKPOINT_DIR = env.path("LOG_CHECKPOINT_DIR", default=BASE_DIR / "var" / "log-checkpoints")
# Witnesses (c2sp.org/tlog-witness): "<verifier key> <URL prefix>" pairs, comma-separated.
WITNESSES = env.str("WITNESSES", default="")
LOG_WITNESS_TIMEOUT = env.float("LOG_WITNESS_TIMEOUT", default=3.0)
try:
    from transparency.notes import Signer, parse_witnesses

    if LOG_SIGNING_KEY:
        Signer.parse(LOG_SIGNING_KEY)
    parse_witnesses(WITNESSES)
except ValueError as exc:
    raise ImproperlyConfigured(f"LOG_SIGNING_KEY or WITNESSES: {exc}") from None

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["stderr"], "level": env.str("LOG_LEVEL", default="WARNING")},
}

# Editors' uploads (the image library, the video section), served by the site itself at
# MEDIA_URL with its security headers (or by the reverse proxy, README "Media"). Several nodes
# share one MEDIA_ROOT (a shared volume), or STORAGES["default"] names S3-compatible storage.
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")
# Uploads above this go to a temporary file instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Staff accounts: throttled sign-in, a second factor, short sessions (README) -------
INSTALLED_APPS += [
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "two_factor",
    "two_factor.plugins.webauthn",
    "axes",
    "staff",
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "two_factor:login"
LOGIN_REDIRECT_URL = "admin:index"
SESSION_COOKIE_AGE = 8 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Failed sign-ins: 5 for one username, or 20 from one client address, within the cool-off.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_FAILURE_LIMIT = 5
STAFF_ADDRESS_FAILURE_LIMIT = 20
AXES_HANDLER = "staff.signin.UsernameAndAddressLimits"
AXES_COOLOFF_TIME = timedelta(minutes=env.int("SIGNIN_COOLOFF_MINUTES", default=15))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "staff.signin.locked_out"
AXES_CLIENT_IP_CALLABLE = "staff.signin.client_address"
# Off unless a reverse proxy that appends the client's address to X-Forwarded-For is the only
# way in (docs/deploy.md): otherwise anyone could send the header and pick their own address.
TRUST_X_FORWARDED_FOR = env.bool("TRUST_X_FORWARDED_FOR", default=False)
# Development only: with DEBUG on, staff signing in from 127.0.0.1 may skip the second factor.
# The beacon's 429 (django-ratelimit) counts per client address as the sign-in throttle does.
# Its counters live in the shared cache; on the file cache an increment is not atomic, so a
# burst across workers may be let through by a few more than the rate (exact on Redis).
INSTALLED_APPS += ["django_ratelimit"]
RATELIMIT_IP_META_KEY = "staff.signin.client_address"
# With the cache unreachable there is no count to check: let reports through rather than
# answer every visitor 429 (the measures count them as they come, docs/measures.md).
RATELIMIT_FAIL_OPEN = True
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]
DEV_SKIP_SECOND_FACTOR = DEBUG and env.bool("DEV_SKIP_SECOND_FACTOR", default=False)
TWO_FACTOR_WEBAUTHN_RP_NAME = "Tractatus site administration"

# --- Operations: alerts, the partner's live evidence, Prometheus metrics (README) ------
# Mail for alerts, as a URL: smtp+tls://user:password@host:587 (STARTTLS), smtp+ssl://…:465,
# consolemail:// (printed), dummymail:// (dropped).
vars().update(env.email_url("EMAIL_URL", default="smtp://localhost:25"))
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="tractatus@localhost")
# Who is told when an incident opens and recovers (comma-separated, spaces allowed); none: no
# email.
ALERT_EMAILS = [address.strip() for address in env.list("ALERT_EMAILS", default=[])
                if address.strip()]
# An optional Slack-compatible incoming webhook, sent {"text": …} for each message.
ALERT_WEBHOOK_URL = env.str("ALERT_WEBHOOK_URL", default="")
# Failed or rejected ingest runs in a row before staff are told.
ALERT_AFTER_FAILURES = env.int("ALERT_AFTER_FAILURES", default=3)
# The bearer token Prometheus sends to /internal/metrics; empty: the endpoint answers 404.
METRICS_SCRAPE_TOKEN = env.str("METRICS_SCRAPE_TOKEN", default="")
