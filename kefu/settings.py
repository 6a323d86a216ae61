"""Django settings for kefu, read from the environment.

Development gets safe defaults; production (DEBUG=0) must set SECRET_KEY or the
server refuses to start. DATABASE_URL switches from the embedded SQLite file to
PostgreSQL, REDIS_URL switches Huey (and the cache) from SQLite/local memory to Redis.
"""

import hashlib
import ipaddress
import os
import re
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("KEFU_DATA_DIR", BASE_DIR / "data"))
DATA_DIR.mkdir(parents=True, exist_ok=True)

TESTING = "pytest" in sys.modules or os.environ.get("KEFU_TESTING") == "1"


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
_DEV_SECRET_KEY = "dev-only-insecure-key-change-me"  # noqa: S105 - development default only
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With DEBUG=0 kefu refuses to start without a secret key: "
            "export SECRET_KEY to a long random string (e.g. `python -c 'import secrets; "
            "print(secrets.token_urlsafe(50))'`)."
        )
    SECRET_KEY = _DEV_SECRET_KEY

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "kefu.core.admin_site.KefuAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "template_partials",
    "huey.contrib.djhuey",
    "kefu.core",
    "kefu.org",
    "kefu.audit",
    "kefu.rules",
    "kefu.bizcalendar",
    "kefu.home",
    "kefu.customers",
    "kefu.tickets",
    "kefu.notifications",
    "kefu.announcements",
    "kefu.knowledge",
    "kefu.workforce",
    "kefu.quality",
    "kefu.training",
    "kefu.surveys",
    "kefu.performance",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "kefu.org.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "kefu.urls"
WSGI_APPLICATION = "kefu.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "kefu" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kefu.core.context_processors.navigation",
            ],
        },
    }
]

# Every form control gets its Tabler classes on the server (also in forms swapped in by HTMX).
FORM_RENDERER = "kefu.core.forms.TablerFormRenderer"

# The embedded SQLite database, and any SQLite DATABASE_URL, get the same options: wait up to 20 s for a
# lock, take the write lock when a transaction starts (no "database is locked" halfway through), and
# write-ahead logging so readers never wait for the writer.
SQLITE_OPTIONS = {
    "timeout": 20,
    "transaction_mode": "IMMEDIATE",
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}

DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
else:
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": DATA_DIR / "kefu.sqlite3"}}
_engine = DATABASES["default"]["ENGINE"]
_options = DATABASES["default"].setdefault("OPTIONS", {})
if _engine == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {**SQLITE_OPTIONS, **_options}
elif _engine.startswith("django.db.backends.postgresql"):
    # JIT compilation pays off for long analytic queries, not for ours: it added 50–140 ms to searches
    # over millions of tickets whose plans run in a few milliseconds (bench/README.md).
    _options["options"] = (_options.get("options", "") + " -c jit=off").strip()
    # A keyword search's bitmap of a common word (退款: 340,000 of 2 M tickets) must stay exact: with the
    # default 4 MB it turns lossy and every ticket of the lossy pages is checked again with kefu_grams()
    # (an agent's search: 4.5 s at 4 MB, 0.14 s at 32 MB; bench/notes/desks.md). KEFU_PG_WORK_MEM overrides.
    _work_mem = os.environ.get("KEFU_PG_WORK_MEM", "32MB")
    if not re.fullmatch(r"\d{1,6}(kB|MB|GB)", _work_mem):
        raise ImproperlyConfigured("KEFU_PG_WORK_MEM is a size such as 32MB")
    _options["options"] += f" -c work_mem={_work_mem}"
    # Parameters bound by the server, and a statement run 5 times on a connection prepared there, so
    # PostgreSQL stops parsing and planning the same queries again (ticket creation: bench/README.md).
    # Set KEFU_PG_PREPARE=0 behind a connection pooler in transaction mode, which cannot keep them.
    if os.environ.get("KEFU_PG_PREPARE", "1") != "0":
        _options.update(server_side_binding=True, prepare_threshold=5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def cache_prefix(database: dict, explicit: str | None) -> str:
    """The prefix of this deployment's cache keys: ``KEFU_CACHE_PREFIX``, else one derived from the name of
    the database it serves. Two kefu sites sharing one Redis database must not read each other's entries: a
    session cached by one site (``kefu.org.sessions_cached``) would otherwise log its key in as the other
    site's person of the same id. The name only, not the host: the web and the Huey consumer of one site
    must agree even if their URLs spell the server differently (``localhost`` / ``127.0.0.1``). Two sites
    whose databases have the same name set ``KEFU_CACHE_PREFIX``."""
    if explicit is not None:
        return explicit
    return "kefu-" + hashlib.sha256(str(database.get("NAME", "")).encode()).hexdigest()[:10]


REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
                          "KEY_PREFIX": cache_prefix(DATABASES["default"], os.environ.get("KEFU_CACHE_PREFIX"))}}
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": os.environ.get("HUEY_NAME", "kefu"),
        "url": REDIS_URL,
        "immediate": TESTING,
        "consumer": {"workers": 2, "worker_type": "thread"},
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "kefu",
        "filename": str(DATA_DIR / "huey.sqlite3"),
        "immediate": TESTING,
        "consumer": {"workers": 2, "worker_type": "thread"},
    }

AUTH_USER_MODEL = "org.User"
# ModelBackend, reading the person of a session with their roles in one query (kefu/org/backends.py).
AUTHENTICATION_BACKENDS = ["kefu.org.backends.UserWithRolesBackend"]
# Sessions are read from the cache when it is shared by every worker (Redis), else from the database: a
# worker's own memory cache would keep a session another worker logged out (bench/notes/request.md).
SESSION_ENGINE = "kefu.org.sessions_cached" if REDIS_URL else "kefu.org.sessions"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# R-SEC login throttling: failures counted per username and per client IP within a window.
KEFU_LOGIN_THROTTLE = {
    "window_minutes": int(os.environ.get("KEFU_LOGIN_WINDOW_MINUTES", "15")),
    "max_failures_per_user": int(os.environ.get("KEFU_LOGIN_MAX_PER_USER", "5")),
    "max_failures_per_ip": int(os.environ.get("KEFU_LOGIN_MAX_PER_IP", "20")),
}
# Reverse proxies whose X-Forwarded-For is believed (kefu.core.http.client_ip): comma-separated IPs or CIDR
# networks, e.g. "127.0.0.1,::1" when nginx runs on the same machine. Empty: REMOTE_ADDR is the client.
KEFU_TRUSTED_PROXIES = env_list("KEFU_TRUSTED_PROXIES", [])
for _proxy in KEFU_TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as exc:
        raise ImproperlyConfigured(f"KEFU_TRUSTED_PROXIES: {_proxy!r} is not an IP address or network") from exc
# API tokens: lifetime, and how long revoked/expired tokens are kept before the purge job deletes them.
KEFU_API_TOKEN_DAYS = int(os.environ.get("KEFU_API_TOKEN_DAYS", "90"))
KEFU_API_TOKEN_KEEP_DAYS = int(os.environ.get("KEFU_API_TOKEN_KEEP_DAYS", "30"))
# Keyword searches count their matches up to this many and then say "1000+" (tickets.selectors.TicketList).
KEFU_SEARCH_COUNT_CAP = int(os.environ.get("KEFU_SEARCH_COUNT_CAP", "1000"))

LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "zh-hans")
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "kefu" / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "kefu" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = DATA_DIR / "files"
WHITENOISE_USE_FINDERS = DEBUG or TESTING

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "kefu@localhost")

SESSION_COOKIE_SECURE = not DEBUG and env_bool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"huey": {"level": "WARNING"}},
}

KEFU_APP_NAME = _("Customer service management")
