"""SQM settings, read from environment variables only.

Variables (documented in docs/operations.md):
    DATABASE_URL      default: SQLite file in SQM_DATA_DIR (embedded mode)
    REDIS_URL         default: none, the task queue keeps its jobs in SQLite in SQM_DATA_DIR
    SECRET_KEY        default: generated once and kept in SQM_DATA_DIR/secret_key
    SQM_TIME_ZONE     default: Asia/Shanghai
    SQM_LANGUAGE      default: zh-hans
    SQM_DATA_DIR      default: ./var under the project root
    SQM_ALLOWED_HOSTS default: 127.0.0.1,localhost
    SQM_DEBUG         default: off
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = BASE_DIR.parent


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DATA_DIR = Path(os.environ.get("SQM_DATA_DIR") or PROJECT_ROOT / "var").resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    from_env = os.environ.get("SECRET_KEY")
    if from_env:
        return from_env
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, secrets.token_urlsafe(50).encode())
        except Exception:
            os.close(fd)
            raise
        os.close(fd)
    return key_file.read_text().strip()


try:
    SECRET_KEY = _secret_key()
except FileExistsError:  # another process created it between our check and open
    SECRET_KEY = (DATA_DIR / "secret_key").read_text().strip()

DEBUG = _env_bool("SQM_DEBUG")
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("SQM_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")]
TESTING = bool(os.environ.get("PYTEST_VERSION")) or _env_bool("SQM_TESTING")
if TESTING:
    ALLOWED_HOSTS.append("testserver")
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("SQM_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "ninja",  # serves the API docs (Swagger UI) from its own static files, not a CDN
    "django_htmx",
    "js_lib_htmx",
    "huey.contrib.djhuey",
    # SQM apps, lowest layer first (see docs/architecture.md).
    "sqm.core",
    "sqm.audit",
    "sqm.org",
    "sqm.knowledge",
    "sqm.tickets",
    "sqm.standards",
    "sqm.feedback",
    "sqm.inspections",
    "sqm.kpis",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "sqm.core.middleware.LanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "sqm.urls"
WSGI_APPLICATION = "sqm.wsgi.application"

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
                "django.template.context_processors.i18n",
                "sqm.core.context_processors.navigation",
                "sqm.core.context_processors.languages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
SQLITE_PATH = DATA_DIR / "sqm.sqlite3"
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{SQLITE_PATH}"
_db = dj_database_url.parse(DATABASE_URL, conn_max_age=0 if DATABASE_URL.startswith("sqlite") else 60)
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the single writer; IMMEDIATE takes the write lock when a
    # transaction starts, so two writers queue up instead of failing half-way.
    _db["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
    # Tests use a file, not memory, so that worker processes can share it.
    _db["TEST"] = {"NAME": str(DATA_DIR / f"test-{os.getpid()}.sqlite3")}
else:
    _db.setdefault("OPTIONS", {})
    _db["CONN_HEALTH_CHECKS"] = True
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "org.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
if TESTING:  # a fast hasher keeps factories quick; production keeps Django's PBKDF2
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Language and time ------------------------------------------------------------------------
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LANGUAGE_CODE = os.environ.get("SQM_LANGUAGE", "zh-hans").lower()
if LANGUAGE_CODE not in dict(LANGUAGES):
    LANGUAGE_CODE = "zh-hans"
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "sqm_language"
TIME_ZONE = os.environ.get("SQM_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
WHITENOISE_USE_FINDERS = True
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "sqm.kpis.staticfiles.PlotlyFinder",  # the dashboard's Plotly.js, from the installed plotly wheel
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = DATA_DIR / "media"

# --- Task queue (Huey) -------------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
_huey_common = {
    "name": os.environ.get("SQM_QUEUE_NAME", "sqm"),
    "utc": False,  # periodic schedules read in the centre's time zone (Django sets TZ to TIME_ZONE)
    "immediate": False,
    "consumer": {"workers": 2, "worker_type": "thread", "periodic": True, "check_worker_health": True},
}
if REDIS_URL:
    HUEY = {"huey_class": "huey.RedisHuey", "url": REDIS_URL, **_huey_common}
else:
    HUEY = {"huey_class": "huey.SqliteHuey", "filename": str(DATA_DIR / "tasks.sqlite3"), **_huey_common}

# --- Security ----------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads it to send X-CSRFToken
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = _env_bool("SQM_SECURE_COOKIES")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024  # non-file form fields and JSON bodies

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("SQM_LOG_LEVEL", "INFO")},
    "loggers": {"huey": {"level": "WARNING"}},
}

# --- E-mail -----------------------------------------------------------------------------------
# SQM_SMTP_URL=smtp://user:password@host:587 (smtp+ssl:// for port 465, ?tls=1 for STARTTLS).
# Without it, outgoing mail is written as files to SQM_DATA_DIR/outbox (embedded default).
SQM_SMTP_URL = os.environ.get("SQM_SMTP_URL", "")
if SQM_SMTP_URL:
    from urllib.parse import parse_qs, unquote, urlsplit

    _smtp = urlsplit(SQM_SMTP_URL)
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _smtp.hostname or "127.0.0.1"
    EMAIL_PORT = _smtp.port or (465 if _smtp.scheme == "smtp+ssl" else 25)
    EMAIL_HOST_USER = unquote(_smtp.username or "")
    EMAIL_HOST_PASSWORD = unquote(_smtp.password or "")
    EMAIL_USE_SSL = _smtp.scheme == "smtp+ssl"
    EMAIL_USE_TLS = parse_qs(_smtp.query).get("tls", ["0"])[0] == "1"
    EMAIL_TIMEOUT = 20
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = DATA_DIR / "outbox"
SQM_MAIL_FROM = os.environ.get("SQM_MAIL_FROM", "SQM 客服中心 <service@localhost>")
SQM_MAIL_DOMAIN = os.environ.get("SQM_MAIL_DOMAIN", "sqm.local")
SQM_MAIL_MAX_BYTES = int(os.environ.get("SQM_MAIL_MAX_BYTES", str(25 * 1024 * 1024)))
SQM_MAIL_MAX_HEADER_BYTES = int(os.environ.get("SQM_MAIL_MAX_HEADER_BYTES", str(256 * 1024)))
SQM_MAIL_MAX_HEADER_FIELDS = int(os.environ.get("SQM_MAIL_MAX_HEADER_FIELDS", "1000"))
SQM_MAIL_MAX_PARTS = int(os.environ.get("SQM_MAIL_MAX_PARTS", "200"))

# --- Tickets ------------------------------------------------------------------------------------
SQM_ATTACHMENT_MAX_BYTES = int(os.environ.get("SQM_ATTACHMENT_MAX_BYTES", str(10 * 1024 * 1024)))
SQM_REOPEN_DAYS = int(os.environ.get("SQM_REOPEN_DAYS", "7"))
DATA_UPLOAD_MAX_NUMBER_FILES = 10
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# SQM's own knobs
SQM_HEARTBEAT_STALE_SECONDS = int(os.environ.get("SQM_HEARTBEAT_STALE_SECONDS", "180"))
SQM_DEMO_PASSWORD = os.environ.get("SQM_DEMO_PASSWORD", "sqm-demo-2026")
SQM_INSPECTION_APPEAL_DAYS = int(os.environ.get("SQM_INSPECTION_APPEAL_DAYS", "5"))  # QA appeal period, days
# Customer voice: the address printed in QR codes and mailed rating links, and the time windows.
SQM_PUBLIC_URL = os.environ.get("SQM_PUBLIC_URL", "http://localhost:8000").rstrip("/")
SQM_RATING_LINK_DAYS = int(os.environ.get("SQM_RATING_LINK_DAYS", "14"))
SQM_RATING_CHANGE_DAYS = int(os.environ.get("SQM_RATING_CHANGE_DAYS", "7"))
SQM_RETURN_VISIT_DAYS = int(os.environ.get("SQM_RETURN_VISIT_DAYS", "2"))
