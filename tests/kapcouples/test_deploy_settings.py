import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "kapcouples.settings",
    "DEBUG": "0",  # explicit: a developer's .env may say DEBUG=1
    "SECRET_KEY": "a-production-like-secret-key-" + "x7Qz" * 12,
    "ALLOWED_HOSTS": "clinic.example.org",
    "DATABASE_URL": os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kapcouples"),
    "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
    "EMAIL_URL": "smtp+tls://mailer:secret@mail.example.org:587",
}


def manage(*args: str, env: dict) -> subprocess.CompletedProcess:
    # Only the basics of this environment: the test process has set SECRET_KEY and more.
    clean = {k: os.environ[k] for k in ("PATH", "HOME", "LANG") if k in os.environ}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_with_production_settings_reports_no_issue():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_the_embedded_default_reports_no_issue(tmp_path):
    """`make run` on a fresh machine (SQLite, the filesystem broker) migrates and serves
    without a warning, the checks that look at the database included."""
    env = {
        "DJANGO_SETTINGS_MODULE": "kapcouples.settings",
        "DEBUG": "1",
        "KAP_VAR_DIR": str(tmp_path),
    }
    result = manage("check", "--database", "default", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key_and_says_what_to_set():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = manage("check", env={**env, "SECRET_KEY": ""})
    assert result.returncode != 0
    assert "Set the SECRET_KEY environment variable" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.django_db
def test_models_and_migrations_are_in_step():
    result = manage("makemigrations", "--check", "--dry-run", env={**PRODUCTION_ENV, "DEBUG": "1"})
    assert result.returncode == 0, result.stdout + result.stderr


def test_wsgi_application_freezes_startup_objects_and_widens_the_young_generation():
    script = (
        "import gc, kapcouples.wsgi; print(gc.get_threshold()[0], gc.get_freeze_count() > 10_000)"
    )
    clean = {k: os.environ[k] for k in ("PATH", "HOME", "LANG") if k in os.environ}
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**clean, **PRODUCTION_ENV},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["10000", "True"]
