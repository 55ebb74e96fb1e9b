"""The demo's in-progress medicine session is under way whatever the hour of seeding."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from intake.models import Partner
from sessions.models import MedicineSession


@pytest.mark.parametrize("local_hour", [0, 6, 13, 23])
def test_the_riveras_session_is_in_progress_when_seeded_at_any_hour(db, local_hour):
    zone = ZoneInfo("America/Los_Angeles")
    moment = datetime.datetime(2026, 6, 3, local_hour, 7, tzinfo=zone)
    with time_machine.travel(moment, tick=False):
        call_command("seed_demo", "--force")
    couple = Partner.objects.get(email="alex@demo.kap").couple
    session = MedicineSession.objects.select_related("appointment").get(
        couple=couple, status=MedicineSession.Status.IN_PROGRESS
    )
    appointment = session.appointment
    assert appointment.start <= moment - datetime.timedelta(hours=1) < appointment.end
    assert appointment.end > moment
    assert all(v.taken_at < moment for v in session.vitals.all())
