"""The embedded default (SQLite): migrations run without the PostgreSQL-only constraints,
and the transactional check alone still refuses a double booking."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = """
import datetime
from django.utils import timezone
from intake.models import Couple, Partner
from kapcouples.models import Clinic, Role, Room, StaffMembership, User
from kapcouples.services import DomainError
from sessions import services
clinic = Clinic.objects.create(name="C", slug="c", timezone="Europe/London")
room = Room.objects.create(clinic=clinic, name="Oak")
user = User.objects.create_user("c@example.test", "x" * 12, full_name="Cam")
StaffMembership.objects.create(user=user, clinic=clinic, role=Role.CLINICIAN)
couples = [Couple.objects.create(clinic=clinic, primary_clinician=user) for _ in range(2)]
start = timezone.now() + datetime.timedelta(days=1)
kwargs = dict(kind="preparation", room=room, clinicians=[user], by=user,
              outside_hours_reason="Whatever hour the test runs at")
services.appointment_book(couple=couples[0], start=start,
                          end=start + datetime.timedelta(hours=1), **kwargs)
try:
    services.appointment_book(couple=couples[1], start=start + datetime.timedelta(minutes=30),
                              end=start + datetime.timedelta(hours=2), **kwargs)
except DomainError as error:
    print("REFUSED:", error)
"""


def test_sqlite_migrates_and_the_transactional_check_refuses_overlaps(tmp_path):
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'embedded.sqlite3'}",
        "KAP_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "kapcouples.settings",
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
    result = subprocess.run(
        [*manage, "shell", "-c", SCRIPT], env=env, check=True, cwd=ROOT, capture_output=True
    )
    output = result.stdout.decode()
    assert "REFUSED: Oak is already booked" in output
