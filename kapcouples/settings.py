"""Settings for KAP Couples, read from the environment.

Every setting a deployment may change is an environment variable, documented in
the README's configuration table. With no environment at all the project is
safe by default (DEBUG off, HTTPS-only cookies, HSTS) and refuses to start
without a SECRET_KEY; `make run` sets the variables for the embedded demo.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("KAP_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()
# A local .env (git-ignored, see .env.example) fills in variables the process lacks;
# real environment variables always win.
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")
VAR_DIR.mkdir(parents=True, exist_ok=True)  # embedded database, broker folder, beat schedule

# --- Core -------------------------------------------------------------------
DEBUG = env.bool("DEBUG", default=False)
# No default outside DEBUG: a production process must be given its own key.
SECRET_KEY = env.str("SECRET_KEY", default="") or ("dev-insecure" if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("Set the SECRET_KEY environment variable")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

ROOT_URLCONF = "kapcouples.urls"
WSGI_APPLICATION = "kapcouples.wsgi.application"
ASGI_APPLICATION = "kapcouples.asgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

DJANGO_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]
THIRD_PARTY_APPS = [
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "simple_history",
]
LOCAL_APPS = [
    "kapcouples.apps.KapCouplesConfig",
    "intake.apps.IntakeConfig",
    "sessions.apps.SessionsConfig",
    "integration.apps.IntegrationConfig",
    "stock.apps.StockConfig",
    "workspace.apps.WorkspaceConfig",
    "messaging.apps.MessagingConfig",
    "maintenance.apps.MaintenanceConfig",
    "portal.apps.PortalConfig",
    "discovery.apps.DiscoveryConfig",
    "groups.apps.GroupsConfig",
    "outside.apps.OutsideConfig",
    "athome.apps.AtHomeConfig",
    "waitlist.apps.WaitlistConfig",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "kapcouples.middleware.MalformedInputMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "kapcouples.middleware.SessionTimeoutMiddleware",
    "kapcouples.middleware.ReaderTimezoneMiddleware",
    "kapcouples.middleware.ReaderLanguageMiddleware",
    # Every view is private unless the access policy marks it public.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "kapcouples.middleware.StaffTwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Axes must come last so it sees the outcome of the login view.
    "axes.middleware.AxesMiddleware",
]

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
                "kapcouples.context_processors.navigation",
                "kapcouples.languages.language_switch",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'kapcouples.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The embedded run has a web server and a worker writing at once.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# The hot pages' prepared reads (kapcouples.prepared) are also PREPAREd on each PostgreSQL
# connection; turn off behind a pooler that shares server connections between transactions
# (PgBouncer in transaction mode), where a connection may not have them.
KAP_SERVER_PREPARED_STATEMENTS = env.bool("KAP_SERVER_PREPARED_STATEMENTS", default=True)

# --- Authentication -----------------------------------------------------------
AUTH_USER_MODEL = "kapcouples.User"
AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses a locked-out username before any password check.
    "axes.backends.AxesStandaloneBackend",
    "kapcouples.auth_backends.KapModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=60 * 60 * 2)

# Lock-out after repeated failed logins (django-axes).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
# Lock the account, not the address: a clinic's staff share one NAT address, and a
# per-username lock cannot be bypassed by rotating user agents or cookies (axes.W006).
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # SQLite builds a covering index on its key columns only (models.W040): the included
    # columns are a PostgreSQL read-path detail the embedded demo does not need.
    SILENCED_SYSTEM_CHECKS.append("models.W040")
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"
AXES_CLIENT_IP_CALLABLE = "kapcouples.audit.client_ip_for_axes"
AXES_VERBOSE = False

# Sessions: idle limits per audience, an absolute limit for everyone.
KAP_STAFF_IDLE_MINUTES = env.int("KAP_STAFF_IDLE_MINUTES", default=15)
KAP_PARTNER_IDLE_MINUTES = env.int("KAP_PARTNER_IDLE_MINUTES", default=30)
KAP_SESSION_MAX_HOURS = env.int("KAP_SESSION_MAX_HOURS", default=12)
SESSION_COOKIE_AGE = KAP_SESSION_MAX_HOURS * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Staff must enrol a TOTP device before any clinic page (the demo turns it off).
KAP_REQUIRE_STAFF_2FA = env.bool("KAP_REQUIRE_STAFF_2FA", default=True)
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="KAP Couples")
# How many reverse proxies sit in front of gunicorn and append to X-Forwarded-For.
KAP_TRUSTED_PROXY_COUNT = env.int("KAP_TRUSTED_PROXY_COUNT", default=0)

# --- Security headers -----------------------------------------------------------
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}

# --- Internationalisation ---------------------------------------------------------
LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
# Partner pages read in the partner's chosen language (Partner.language); signed-out pages
# follow the language switch or the browser; staff pages stay in English.
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600  # a signed-out choice is remembered for a year

# --- Static files -----------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.str("STATIC_ROOT", default=str(VAR_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Email -------------------------------------------------------------------------
# EMAIL_URL: smtp+tls://user:pass@host:587, consolemail://, filemail:////absolute/folder
# (django-environ drops the first slash of a filemail path: four slashes for an absolute one)
globals().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="KAP Couples <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = 10

# --- Celery ------------------------------------------------------------------------
CELERY_BROKER_URL = env.str(
    "CELERY_BROKER_URL", default=env.str("REDIS_URL", default="filesystem://")
)
if CELERY_BROKER_URL.startswith("filesystem://"):
    # kombu's filesystem transport reads and writes the same folder; its control
    # (pidbox) exchanges go under var/ too, not in a `control/` of the working directory.
    _broker_folder = str(VAR_DIR / "broker")
    (VAR_DIR / "broker").mkdir(exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": _broker_folder,
        "data_folder_out": _broker_folder,
        "control_folder": str(VAR_DIR / "broker-control"),
        "processed_folder": str(VAR_DIR / "broker-processed"),
        "store_processed": False,
    }
else:
    # Short socket timeouts: a web request must never hang on a dead broker.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "socket_connect_timeout": 2,
        "socket_timeout": 5,
        "visibility_timeout": 3600,
    }
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="kapcouples")
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 60
CELERY_TASK_TIME_LIMIT = 90
# Reminder delivery (integration.delivery): due rows claimed in batches with SKIP LOCKED
# and sent over one connection per batch, batch after batch until none is due. A drain
# stops itself after KAP_REMINDER_DRAIN_SECONDS (checked between messages) and hands
# over to a successor; the delivery tasks' limits sit far above that, so no limit fires
# between handing a message over and marking it sent. The beat sweep starts up to
# KAP_REMINDER_DRAINERS drains at once (about one per worker process) for a backlog.
KAP_REMINDER_BATCH_SIZE = env.int("KAP_REMINDER_BATCH_SIZE", default=100)
KAP_REMINDER_DRAINERS = env.int("KAP_REMINDER_DRAINERS", default=4)
KAP_REMINDER_DRAIN_SECONDS = env.int("KAP_REMINDER_DRAIN_SECONDS", default=45)
KAP_REMINDER_TASK_SOFT_TIME_LIMIT = 240
KAP_REMINDER_TASK_TIME_LIMIT = 300
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
KAP_HEARTBEAT_SECONDS = env.float("KAP_HEARTBEAT_SECONDS", default=60.0)
CELERY_BEAT_SCHEDULE = {
    # Proves a worker and beat are alive; /health/ shows the last run.
    "record-worker-heartbeat": {
        "task": "kapcouples.tasks.record_heartbeat",
        "schedule": KAP_HEARTBEAT_SECONDS,
    },
    # The outbox sweep: drains every due reminder (fanning a backlog out to several
    # workers), including any whose publish failed.
    "deliver-due-reminders": {
        "task": "integration.tasks.deliver_due_reminders",
        "schedule": 60.0,
    },
    # Writes a nudge for each partner whose intake is still not submitted after the invitation.
    "schedule-intake-nudges": {
        "task": "integration.tasks.schedule_intake_nudges",
        "schedule": 3600.0,
    },
    # Raises the care team's alerts for what has not happened: intakes not submitted in
    # time, contraindication reviews and prescriptions about to expire.
    "raise-due-alerts": {
        "task": "integration.tasks.raise_due_alerts",
        "schedule": 3600.0,
    },
    # Deletes discovery-call requests of couples who never enrolled, after each clinic's
    # retention period (a privacy requirement: they are not clinical records).
    "purge-expired-discovery-requests": {
        "task": "discovery.tasks.purge_expired_requests",
        "schedule": 86400.0,
    },
    # Asks each partner of a couple whose booster comes due for their re-screening.
    "ask-for-booster-rescreening": {
        "task": "maintenance.tasks.ask_for_rescreening",
        "schedule": 3600.0,
    },
    # Closes waitlist offers whose time has begun; the couples offered it wait again.
    "expire-passed-waitlist-offers": {
        "task": "waitlist.tasks.expire_passed_offers",
        "schedule": 3600.0,
    },
}

# --- Messages (integration app) ----------------------------------------------------
# Where message links point: the address partners and staff open the app at.
KAP_SITE_URL = env.str("KAP_SITE_URL", default="http://127.0.0.1:8000")
# Dotted path of the SMS backend: integration.sms.ConsoleBackend / FileBackend, or a provider's.
KAP_SMS_BACKEND = env.str("KAP_SMS_BACKEND", default="integration.sms.ConsoleBackend")
KAP_SMS_FILE_PATH = env.str("KAP_SMS_FILE_PATH", default=str(VAR_DIR / "sms"))
KAP_REMINDER_MAX_ATTEMPTS = env.int("KAP_REMINDER_MAX_ATTEMPTS", default=5)
KAP_REMINDER_RETRY_SECONDS = env.int("KAP_REMINDER_RETRY_SECONDS", default=60)

# --- Text messages through Twilio (KAP_SMS_BACKEND=integration.sms.TwilioBackend) ---------
# An account SID with its auth token, or with an API key and secret (the token still
# checks the signatures of the provider's callbacks). Sent from a number or a messaging
# service. Callbacks are signed over the address the provider was given, so the base URL
# here is the public one, whatever the proxy in front says.
KAP_TWILIO_ACCOUNT_SID = env.str("KAP_TWILIO_ACCOUNT_SID", default="")
KAP_TWILIO_AUTH_TOKEN = env.str("KAP_TWILIO_AUTH_TOKEN", default="")
KAP_TWILIO_API_KEY_SID = env.str("KAP_TWILIO_API_KEY_SID", default="")
KAP_TWILIO_API_KEY_SECRET = env.str("KAP_TWILIO_API_KEY_SECRET", default="")
KAP_TWILIO_FROM_NUMBER = env.str("KAP_TWILIO_FROM_NUMBER", default="")
KAP_TWILIO_MESSAGING_SERVICE_SID = env.str("KAP_TWILIO_MESSAGING_SERVICE_SID", default="")
KAP_TWILIO_CALLBACK_BASE_URL = env.str("KAP_TWILIO_CALLBACK_BASE_URL", default=KAP_SITE_URL)
# Every API request goes to this base instead of the provider's hosts (a stand-in, a proxy).
KAP_TWILIO_API_BASE_URL = env.str("KAP_TWILIO_API_BASE_URL", default="")
KAP_TWILIO_TIMEOUT_SECONDS = env.float("KAP_TWILIO_TIMEOUT_SECONDS", default=10.0)
# Numbers typed without a leading + (or 00) are taken as numbers of this country.
KAP_SMS_DEFAULT_COUNTRY_CODE = env.str("KAP_SMS_DEFAULT_COUNTRY_CODE", default="1")

# --- Logging -----------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "kapcouples.access": {"level": "INFO"},
        "axes": {"level": "WARNING"},
    },
}
