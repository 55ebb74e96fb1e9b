"""Test settings: production settings, plus what a test client speaking plain HTTP needs.

`make test` exports DATABASE_URL and REDIS_URL (PostgreSQL and Redis, started if
needed); the defaults below are the standard local servers.
"""

import os

# Production defaults, so a developer's .env (which wins only where nothing is set)
# cannot change what the tests see.
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("KAP_REQUIRE_STAFF_2FA", "1")
os.environ.setdefault("SECRET_KEY", "tests-only-" + "k" * 50)
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kapcouples")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
# A queue of the tests' own on the shared Redis, emptied when the run ends (tests/conftest.py).
os.environ.setdefault("CELERY_QUEUE", "kapcouples-tests")
# pytest-django's live_server with Playwright's sync API (browser tests).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# No test reaches the SMS provider: unless a test points it at its loopback stand-in, the
# Twilio backend talks to a closed port (worker subprocesses read this too).
os.environ.setdefault("KAP_TWILIO_API_BASE_URL", "http://127.0.0.1:9")

from kapcouples.settings import *  # noqa: F403

ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Argon2 is the production hasher (a test checks it); tests trade it for speed.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Serve static files from the source folders (no collectstatic before tests).
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
