"""This app's part of `manage.py seed_demo` (safe to run twice): two lots received by the
demo prescriber and a witnessed waste, so the demo clinic keeps stock and the next dose on
the session record asks for its lot and witness. (The demo's earlier doses were written
as history, before the clinic kept stock.)"""

import datetime
from decimal import Decimal

from django.utils import timezone

from kapcouples.demo import DemoSeed
from kapcouples.models import Role
from stock import services
from stock.models import Lot

LOTS = [
    ("KT-24117", "troche", "sublingual", "200 mg/troche", "4000"),
    ("KV-88120", "vial", "intramuscular", "50 mg/mL, 10 mL vial", "1000"),
]


def seed(demo: DemoSeed) -> None:
    clinic, staff = demo.clinic, demo.staff
    prescriber, clinician = staff.get(Role.PRESCRIBER), staff.get(Role.CLINICIAN)
    if prescriber is None or clinician is None or Lot.objects.filter(clinic=clinic).exists():
        return
    received = timezone.now() - datetime.timedelta(days=14)
    expires = timezone.localdate(timezone=clinic.zone) + datetime.timedelta(days=300)
    lots = [
        services.lot_receive(
            clinic=clinic,
            lot_number=number,
            form=form,
            route=route,
            strength=strength,
            mg=Decimal(mg),
            supplier="Demo Compounding Pharmacy",
            invoice_reference=f"INV-{number}",
            expires_on=expires,
            by=prescriber,
            at=received,
        )
        for number, form, route, strength, mg in LOTS
    ]
    services.stock_waste(
        lot=lots[0],
        mg=Decimal("100"),
        witness=clinician,
        reason="Half troche left after a 100 mg dose",
        by=prescriber,
        at=received + datetime.timedelta(days=3),
    )
