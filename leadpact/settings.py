"""Django settings, read from LEADPACT_* environment variables; the defaults are the embedded single-process setup."""

from __future__ import annotations

import os
import zoneinfo
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("LEADPACT_DATA_DIR", Path.cwd() / "var"))
(DATA_DIR / "static").mkdir(parents=True, exist_ok=True)


def _flag(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in ("1", "true", "yes", "on")


DEBUG = _flag("LEADPACT_DEBUG", False)
SECRET_KEY = os.environ.get("LEADPACT_SECRET_KEY", "leadpact-embedded-default-change-me-in-production")
ALLOWED_HOSTS = os.environ.get("LEADPACT_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("LEADPACT_CSRF_TRUSTED_ORIGINS", "").split(",") if o]
BASE_URL = os.environ.get("LEADPACT_BASE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "leadpact.accounts",
    "leadpact.pact",
    "leadpact.leads",
    "leadpact.sla",
    "leadpact.handoff",
    "leadpact.notify",
    "leadpact.worker",
    "leadpact.insights",
    "leadpact.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "leadpact.urls"
WSGI_APPLICATION = "leadpact.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

_SQLITE_DEFAULT = f"sqlite:///{DATA_DIR / 'leadpact.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("LEADPACT_DATABASE_URL", _SQLITE_DEFAULT), conn_max_age=60)}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the page read while the worker writes; IMMEDIATE avoids lock upgrades that fail under load.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
# Reports count days and months in this time zone (`leadpact report rebuild` after changing it).
REPORT_TIME_ZONE = os.environ.get("LEADPACT_REPORT_TIME_ZONE", "UTC")
try:
    zoneinfo.ZoneInfo(REPORT_TIME_ZONE)
except (zoneinfo.ZoneInfoNotFoundError, ValueError):
    raise ImproperlyConfigured(f"LEADPACT_REPORT_TIME_ZONE: {REPORT_TIME_ZONE!r} is not a time zone; "
                               "write it like Europe/Berlin or UTC") from None
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Email: SMTP when LEADPACT_SMTP_HOST is set; otherwise each email is written as a file in DATA_DIR/mail, so the
# embedded default works without a mail server.
if os.environ.get("LEADPACT_SMTP_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["LEADPACT_SMTP_HOST"]
    EMAIL_PORT = int(os.environ.get("LEADPACT_SMTP_PORT", "25"))
    EMAIL_HOST_USER = os.environ.get("LEADPACT_SMTP_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("LEADPACT_SMTP_PASSWORD", "")
    EMAIL_USE_TLS = _flag("LEADPACT_SMTP_STARTTLS", False)
    EMAIL_USE_SSL = _flag("LEADPACT_SMTP_SSL", False)
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = DATA_DIR / "mail"
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("LEADPACT_MAIL_FROM", "Leadpact <leadpact@localhost>")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LEADPACT_LOG_LEVEL", "WARNING")},
}
