"""The embedded default (SQLite): the stock migration runs, the service keeps balances at or
above zero, and the database's checks hold there too."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = """
import datetime
from decimal import Decimal
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from kapcouples.models import Clinic, Role, StaffMembership, User
from stock import services
from stock.models import Lot, StockEntry
clinic = Clinic.objects.create(name="C", slug="c", timezone="Europe/London")
staff = []
for n, role in enumerate([Role.CLINICIAN, Role.PRESCRIBER]):
    user = User.objects.create_user(f"s{n}@example.test", "x" * 12, full_name=f"Staff {n}")
    StaffMembership.objects.create(user=user, clinic=clinic, role=role)
    staff.append(user)
lot = services.lot_receive(clinic=clinic, lot_number="k-1", form="troche", route="sublingual",
    strength="100 mg", mg=Decimal("50"), supplier="S",
    expires_on=timezone.localdate() + datetime.timedelta(days=90), by=staff[0])
services.stock_waste(lot=lot, mg=Decimal("20"), witness=staff[1], reason="R", by=staff[0])
try:
    services.stock_waste(lot=lot, mg=Decimal("40"), witness=staff[1], reason="R", by=staff[0])
except services.StockRefused as error:
    print("REFUSED:", error)
try:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE stock_lot SET balance_mg = -1 WHERE id = %s", [lot.pk])
except IntegrityError as error:
    print("DATABASE REFUSED:", error)
print("BALANCE:", Lot.objects.get().balance_mg, StockEntry.objects.count())
"""


def test_sqlite_migrates_and_keeps_every_balance_at_or_above_zero(tmp_path):
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
    assert "REFUSED: Lot K-1 holds only 30.00 mg: 40 mg cannot be taken" in output
    assert "DATABASE REFUSED: CHECK constraint failed: lot_balance_never_negative" in output
    assert "BALANCE: 30.00 2" in output
