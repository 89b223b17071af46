"""Settings shared by every environment, read from the environment with safe defaults.

The defaults serve the embedded set-up: a SQLite file under ``var/``, a secret key generated
once into ``var/secret_key``, and hosts limited to the loopback interface.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("ESSOR_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _secret_key() -> str:
    if key := os.environ.get("SECRET_KEY"):
        return key
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    # The admin site of essor: the sign-in page is essor's own, a second factor when set.
    "essor.accounts.apps.EssorAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_ratelimit",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "essor.core",
    "essor.accounts",
    "essor.territory",
    "essor.registry",
    "essor.conventions",
    "essor.programmes",
    "essor.funding",
    "essor.accompaniment",
    "essor.monitoring",
    "essor.linkage",
    "essor.generator",
    "essor.privacy",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy (django-csp), with the admin's and the API docs' narrow relaxations.
    "essor.accounts.middleware.ContentSecurityPolicyMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # A NUL in the address is a 400 with a message (PostgreSQL cannot even compare with one).
    "essor.core.middleware.RejectNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Signs out after the idle timeout or the absolute lifetime, with a message.
    "essor.accounts.middleware.SessionExpiryMiddleware",
    # With ESSOR_TOTP_REQUIRED_FOR_APPROVERS, sends approvers without a second factor to enrol.
    "essor.accounts.middleware.SecondFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Answers a rate-limited public form with RATELIMIT_VIEW (a polite 429).
    "django_ratelimit.middleware.RatelimitMiddleware",
    # Axes last: it answers throttled sign-ins itself.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "essor" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "essor.core.context_processors.essor",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'essor.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while one writer writes; a busy writer waits instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Argon2 first: new and changed passwords are hashed with it, and a password stored with an
# older hasher below is re-hashed with Argon2 the next time its user signs in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Failed sign-ins are throttled per user name and address (django-axes): wrong passwords on the
# sign-in page (the admin signs in there too) and wrong codes at the second step count alike.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "0.25"))  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_CALLABLE = "essor.accounts.views.locked_out"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# Second factor (django-otp, TOTP): optional for administrators and approvers; with
# ESSOR_TOTP_REQUIRED_FOR_APPROVERS they are sent to enrol before anything else.
OTP_TOTP_ISSUER = os.environ.get("ESSOR_TOTP_ISSUER", "essor")
ESSOR_TOTP_REQUIRED_FOR_APPROVERS = env_bool("ESSOR_TOTP_REQUIRED_FOR_APPROVERS", False)
# How long the code step waits after the right password before it asks for the password again.
ESSOR_TOTP_PENDING_SECONDS = 300

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("ar", _("Arabic"))]
LANGUAGES_BIDI = ["ar"]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Africa/Casablanca"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_NAME = "essor_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [
    BASE_DIR / "essor" / "static",
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"

# Sessions: signed out after SESSION_COOKIE_AGE whatever happens (absolute lifetime) and after
# ESSOR_SESSION_IDLE_MINUTES without a request (idle timeout); see SessionExpiryMiddleware.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 3600)))
ESSOR_SESSION_IDLE_MINUTES = int(os.environ.get("ESSOR_SESSION_IDLE_MINUTES", "30"))
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# No script reads the CSRF cookie: pages and htmx send the token from the page itself.
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "essor.accounts.views.csrf_failure"
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

# Security headers. The Content-Security-Policy allows no inline script, no eval, no inline
# style and no other origin; ContentSecurityPolicyMiddleware relaxes styles (never scripts)
# for the Django admin and the API docs only. docs/decisions/0019 says why each line is there.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Features of the browser no page of essor uses: nobody may use them (django-permissions-policy).
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "bluetooth",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "serial",
        "usb",
    )
}

REST_FRAMEWORK = {
    # Token first: an API call without credentials gets 401 (with WWW-Authenticate), not 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # Generous rates (per user, per address for anonymous calls): they stop a runaway script,
    # not a partner's nightly synchronisation. A throttled call gets 429 with Retry-After.
    "DEFAULT_THROTTLE_CLASSES": [
        "essor.accounts.throttling.AnonThrottle",
        "essor.accounts.throttling.UserThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("ESSOR_API_RATE_ANON", "600/hour"),
        "user": os.environ.get("ESSOR_API_RATE_USER", "20000/hour"),
    },
    # Limit/offset, at most 500 rows a page and a bounded offset (essor.core.api.Pagination).
    "DEFAULT_PAGINATION_CLASS": "essor.core.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "EXCEPTION_HANDLER": "essor.core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "essor API",
    "DESCRIPTION": "JSON API of essor. Authenticate with `Authorization: Token <key>`.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models name a field "kind", "status" or "roles" with their own choices: name each
    # enum after its model's choices so that the schema's component names stay stable.
    "ENUM_NAME_OVERRIDES": {
        "RolesEnum": "essor.accounts.roles.Role",
        "StatusEnum": "essor.registry.models.ImportStatus",
        "ConventionKindEnum": "essor.conventions.models.ConventionKind",
        "ConventionStatusEnum": "essor.conventions.models.ConventionStatus",
        "PartyRoleEnum": "essor.conventions.models.PartyRole",
        "PaymentKindEnum": "essor.conventions.models.PaymentKind",
        "ActionStatusEnum": "essor.conventions.models.ActionStatus",
        "RuleKindEnum": "essor.programmes.models.RuleKind",
        "CommitmentKindEnum": "essor.funding.models.CommitmentKind",
        "ApprovalStatusEnum": "essor.funding.models.ApprovalStatus",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Background tasks (imports, linkage, reports): stored in the database, run by `essor db_worker`.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("ESSOR_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# Uploads: partners' lists are a few MB; anything past this is refused with a message.
ESSOR_MAX_UPLOAD_MB = int(os.environ.get("ESSOR_MAX_UPLOAD_MB", "20"))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# The shared reference data (Moroccan names, boundaries) beside the repository.
ESSOR_SHARED_DIR = Path(os.environ.get("ESSOR_SHARED_DIR", BASE_DIR.parent / "shared"))

# Demo data: the password of every demo user (printed by `essor demo`).
ESSOR_DEMO_PASSWORD = os.environ.get("ESSOR_DEMO_PASSWORD", "essor-demo-2026")

# A cache shared by the web workers of one machine: the public form's rate limit counts there
# (django-ratelimit). Several machines behind a load balancer need a shared cache (Redis).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "cache"),
    }
}
RATELIMIT_VIEW = "essor.programmes.views_public.rate_limited"
# The file cache increments without a lock: under a burst a bot may get one or two forms more
# than the limit before it is stopped, which is enough against bots and needs no cache server.
# See docs/decisions/0009-public-form.md.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]
# The public form: at most this many submissions per address and hour (a bot gets a polite 429).
ESSOR_PUBLIC_FORM_RATE = os.environ.get("ESSOR_PUBLIC_FORM_RATE", "20/h")

# Identity resolution (essor.linkage): what one batch run may use (docs/decisions/0014).
ESSOR_LINKAGE_MEMORY_LIMIT = os.environ.get("ESSOR_LINKAGE_MEMORY_LIMIT", "4GB")
ESSOR_LINKAGE_MAX_COMPARISONS = int(os.environ.get("ESSOR_LINKAGE_MAX_COMPARISONS", "300000000"))
ESSOR_LINKAGE_MAX_TRAINING_PAIRS = int(
    os.environ.get("ESSOR_LINKAGE_MAX_TRAINING_PAIRS", "5000000")
)
ESSOR_LINKAGE_THREADS = int(os.environ.get("ESSOR_LINKAGE_THREADS", "2"))
ESSOR_LINKAGE_TEMP_DIR = os.environ.get("ESSOR_LINKAGE_TEMP_DIR", str(VAR_DIR / "linkage-tmp"))

# --- Backups (essor backup / essor restore) ---
# The archive (database, uploaded files, manifest) is built on django-dbbackup's connectors:
# docs/how-to/backup-and-restore.md and docs/decisions/0020-backup-and-restore.md.
# Where `essor backup` writes when given no --output.
ESSOR_BACKUP_DIR = Path(os.environ.get("ESSOR_BACKUP_DIR", VAR_DIR / "backups"))
# Dumps are staged here, not in /tmp (often held in memory); the folder is made when needed.
DBBACKUP_TMP_DIR = os.environ.get("ESSOR_BACKUP_TMP_DIR", str(VAR_DIR / "tmp"))
# A restore on another server may have other role names: the restored tables belong to the
# role that restores, and grants are that server's own.
DBBACKUP_CONNECTORS = {"default": {"PG_OPTIONS": "--no-owner --no-privileges"}}
# --- end of Backups ---
