"""A group medicine session keeps every couple's own safety rules: the readiness gate at
the start, the dose caps and the discharge rules run per couple, as in a session of one."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from groups import selectors
from groups.models import GroupSession
from kapcouples.services import DomainError
from sessions import medicine
from sessions import services as booking
from sessions.models import Appointment, MedicineSession, TreatmentPlan
from tests.groups.helpers import book_group, group_couple, make_group_ready, make_program
from tests.sessions.factories import book, room
from tests.sessions.record_helpers import (
    discharge,
    dose,
    minutes,
    readings_for_discharge,
    vitals,
)

RECORD = "Recorded by a test an hour into the session"


@pytest.fixture
def circle(cast):
    """Two couples in a group medicine session that began an hour ago, both ready."""
    start = timezone.now() - datetime.timedelta(minutes=60)
    views = [group_couple(cast, "Ana", "Ben"), group_couple(cast, "Cleo", "Dev")]
    for view in views:
        make_group_ready(view, start)
    program = make_program(cast, [v.couple for v in views])
    session = book_group(
        cast, program, GroupSession.Kind.MEDICINE, start, minutes=240, backdated=RECORD
    )
    records = {
        r.couple_id: r for r in MedicineSession.objects.filter(appointment__group_session=session)
    }
    return start, [(view, records[view.couple.pk]) for view in views]


def _start(cast, record, at):
    return medicine.medicine_session_start(session=record, by=cast.clinician, at=at)


def test_the_start_gate_runs_per_couple_on_the_facts_of_the_moment(cast, circle):
    start, [(_ana, ana_record), (cleo, cleo_record)] = circle
    # Cleo & Dev's plan went back to draft after booking: only their session is held back.
    TreatmentPlan.objects.filter(couple=cleo.couple).update(status=TreatmentPlan.Status.DRAFT)
    assert _start(cast, ana_record, start).status == MedicineSession.Status.IN_PROGRESS
    with pytest.raises(booking.NotReadyError, match=r"1\. Treatment plan approved"):
        _start(cast, cleo_record, start)
    cleo_record.refresh_from_db()
    assert cleo_record.status == MedicineSession.Status.PLANNED


def test_dose_caps_hold_per_partner_of_each_couple(cast, circle):
    start, [(ana, ana_record), (cleo, cleo_record)] = circle
    for view, record in ((ana, ana_record), (cleo, cleo_record)):
        _start(cast, record, start)
        vitals(view, record, view.partner_a)
    with pytest.raises(DomainError, match=r"limit of 100\.00 mg"):
        dose(ana, ana_record, ana.partner_a, Decimal("100.5"))
    dose(ana, ana_record, ana.partner_a, "100")
    with pytest.raises(DomainError, match=r"limit of 100\.00 mg for this session"):
        dose(ana, ana_record, ana.partner_a, "1")
    # Another couple's doses never count towards (or against) this couple's caps.
    assert dose(cleo, cleo_record, cleo.partner_a, "100").mg == Decimal("100")


def test_a_partner_of_one_couple_cannot_be_dosed_in_another_couples_record(cast, circle):
    start, [(ana, ana_record), (cleo, _cleo_record)] = circle
    _start(cast, ana_record, start)
    with pytest.raises(DomainError):
        vitals(ana, ana_record, cleo.partner_a)
    with pytest.raises(DomainError):
        dose(ana, ana_record, cleo.partner_a, "10")


def test_discharge_waits_for_each_partners_minimum_monitoring(cast, circle):
    start, [(ana, ana_record), _cleo] = circle
    _start(cast, ana_record, start)
    given = timezone.now() - minutes(5)
    vitals(ana, ana_record, ana.partner_a, at=given - minutes(1))
    dose(ana, ana_record, ana.partner_a, "80", at=given)
    early = given + minutes(119)
    readings_for_discharge(ana, ana_record, ana.partner_a, given, early)
    with pytest.raises(DomainError, match="monitored 119 minutes since the last dose"):
        discharge(ana, ana_record, ana.partner_a, early)
    on_time = given + minutes(120)
    vitals(ana, ana_record, ana.partner_a, moment="pre_discharge", at=on_time - minutes(1))
    assert discharge(ana, ana_record, ana.partner_a, on_time).monitored_minutes == 120


def test_a_partner_of_another_couple_in_the_group_is_no_escort_by_being_there(cast, circle):
    start, [(ana, ana_record), (cleo, _cleo_record)] = circle
    _start(cast, ana_record, start)
    given = timezone.now() - minutes(5)
    vitals(ana, ana_record, ana.partner_a, at=given - minutes(1))
    dose(ana, ana_record, ana.partner_a, "80", at=given)
    leave = given + minutes(130)
    readings_for_discharge(ana, ana_record, ana.partner_a, given, leave)
    with pytest.raises(DomainError):
        discharge(ana, ana_record, ana.partner_a, leave, escort_partner=cleo.partner_a)


def test_the_roster_shows_which_couples_have_their_own_integration_booked(cast, circle):
    _start_at, [(ana, ana_record), (cleo, _cleo_record)] = circle
    program = ana_record.appointment.group_session.program
    rows = {row.couple.pk: row for row in selectors.program_sheet(program, cast.clinician).roster}
    assert rows[ana.couple.pk].integration_booked is False
    tomorrow_noon = timezone.now() + datetime.timedelta(days=1)
    book(ana, Appointment.Kind.INTEGRATION, tomorrow_noon, where=room(cast, "Quiet room"))
    rows = {row.couple.pk: row for row in selectors.program_sheet(program, cast.clinician).roster}
    assert rows[ana.couple.pk].integration_booked is True
    assert rows[cleo.couple.pk].integration_booked is False
