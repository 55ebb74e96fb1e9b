"""The readiness gate reopened for a booster: the maintenance plan, re-screening before
each booster, its own preparation count and booster count, and everything else as before
(screening current on the booster's day, integration after the previous session)."""

import datetime

import pytest
from django.utils import timezone

from intake.models import Couple, Prescription
from maintenance import services
from maintenance.models import MaintenanceSettings
from sessions import medicine
from sessions.models import Appointment, Approach, MedicineSession, Setting, TreatmentPlan
from sessions.readiness import START, readiness_check
from sessions.services import NotReadyError
from tests.athome.helpers import allow_at_home
from tests.maintenance.helpers import (
    DAY,
    booster_ready,
    completed_program,
    maintenance_plan,
    medicine_held,
    rescreen,
)
from tests.sessions.factories import book, held, local, tomorrow
from workspace import batch_readiness


def _when(cast) -> datetime.datetime:
    return local(cast, tomorrow(cast), 10)


def _unmet(readiness) -> dict[int, str]:
    return {item.number: " ".join(item.problems) for item in readiness.unmet}


def test_a_booster_is_booked_under_the_approved_maintenance_plan(cast):
    when = _when(cast)
    booster_ready(cast, when, approach=Approach.DUAL_HALF)
    appointment = book(cast, Appointment.Kind.MEDICINE, when)
    session = appointment.medicine_record
    assert session.approach == Approach.DUAL_HALF  # the maintenance plan's, not the program's
    readiness = readiness_check(couple=cast.couple, start=when, appointment=appointment)
    assert readiness.booster and readiness.ready


def test_a_booster_is_held_in_the_clinic_even_after_a_program_at_home(cast):
    allow_at_home(cast)
    when = _when(cast)
    booster_ready(cast, when)
    TreatmentPlan.objects.filter(couple=cast.couple).update(setting=Setting.AT_HOME)
    session = book(cast, Appointment.Kind.MEDICINE, when).medicine_record
    assert session.setting == Setting.IN_CLINIC


def test_a_completed_couple_without_a_maintenance_plan_cannot_book_a_booster(cast):
    when = _when(cast)
    completed_program(cast, ended=when - 60 * DAY)
    with pytest.raises(NotReadyError) as refused:
        book(cast, Appointment.Kind.MEDICINE, when)
    assert "There is no maintenance plan" in _unmet(refused.value.readiness)[1]
    assert not Appointment.objects.filter(start=when).exists()


def test_a_draft_maintenance_plan_does_not_open_the_gate(cast):
    when = _when(cast)
    booster_ready(cast, when)
    services.maintenance_plan_save(couple=cast.couple, by=cast.clinician, values={"notes": "x"})
    readiness = readiness_check(couple=cast.couple, start=when)
    assert "a prescriber approves it" in _unmet(readiness)[1]
    assert not readiness.items[0].overridable


def test_no_booster_after_the_plans_review_date(cast):
    when = _when(cast)
    on = when.astimezone(cast.clinic.zone).date()
    booster_ready(cast, when)
    late = when + 61 * DAY  # review_on is 60 days after `on`
    readiness = readiness_check(couple=cast.couple, start=late)
    assert f"due for review by {on + 60 * DAY:%d %b %Y}" in _unmet(readiness)[1]


def test_boosters_do_not_count_against_the_programs_planned_sessions(cast):
    when = _when(cast)
    booster_ready(cast, when)  # the program planned 1 medicine session and held it
    readiness = readiness_check(couple=cast.couple, start=when)
    assert readiness.items[5].met


def test_boosters_count_against_the_maintenance_plan_per_review_period(cast):
    when = _when(cast)
    plan = booster_ready(cast, when, boosters_per_review=1)
    earlier = when - 20 * DAY  # within the review period (it began 30 days before)
    medicine_held(cast, earlier, plan)
    held(cast, Appointment.Kind.INTEGRATION, earlier + DAY)
    readiness = readiness_check(couple=cast.couple, start=when)
    assert "allows 1 booster(s) until its review" in _unmet(readiness)[6]
    assert readiness.items[5].overridable  # item 6, as for the program


def test_re_screening_is_a_note_at_booking_and_blocks_the_start(cast):
    when = _when(cast)
    booster_ready(cast, when, rescreened=False)
    appointment = book(cast, Appointment.Kind.MEDICINE, when)
    booked = readiness_check(couple=cast.couple, start=when, appointment=appointment)
    assert any("re-screening before each booster" in note for note in booked.items[1].notes)
    started = readiness_check(
        couple=cast.couple, start=when, appointment=appointment, purpose=START
    )
    assert "Alexa needs a PHQ-9 and a GAD-7 completed" in _unmet(started)[2]


def test_a_questionnaire_older_than_the_re_screening_window_does_not_count(cast):
    when = _when(cast)
    booster_ready(cast, when, rescreened=False)
    for partner in (cast.partner_a, cast.partner_b):
        rescreen(partner, when - 16 * DAY)  # window: 14 days, the clinic's default
    started = readiness_check(couple=cast.couple, start=when, purpose=START)
    assert "needs a PHQ-9 and a GAD-7" in _unmet(started).get(2, "")


def test_the_re_screening_window_is_the_clinics_setting(cast):
    when = _when(cast)
    booster_ready(cast, when, rescreened=False)
    for partner in (cast.partner_a, cast.partner_b):
        rescreen(partner, when - 16 * DAY)
    MaintenanceSettings.objects.filter(clinic=cast.clinic).update(rescreen_within_days=20)
    started = readiness_check(couple=cast.couple, start=when, purpose=START)
    assert 2 not in _unmet(started)


def test_a_booster_needs_one_preparation_session_not_the_programs_two(cast):
    when = _when(cast)
    booster_ready(cast, when)
    readiness = readiness_check(couple=cast.couple, start=when)
    assert readiness.items[3].met
    assert readiness.items[3].title.startswith("1 preparation")
    Appointment.objects.filter(
        couple=cast.couple, kind=Appointment.Kind.PREPARATION, start__gt=when - 10 * DAY
    ).update(status=Appointment.Status.CANCELLED, cancel_reason="Unwell")
    assert "0 of 1 preparation" in _unmet(readiness_check(couple=cast.couple, start=when))[4]


def test_the_previous_sessions_integration_is_still_required(cast):
    when = _when(cast)
    booster_ready(cast, when)
    Appointment.objects.filter(couple=cast.couple, kind=Appointment.Kind.INTEGRATION).update(
        status=Appointment.Status.CANCELLED, cancel_reason="Unwell"
    )
    assert "no completed integration" in _unmet(readiness_check(couple=cast.couple, start=when))[5]


def test_a_prescription_ending_before_the_booster_blocks_it(cast):
    when = _when(cast)
    booster_ready(cast, when)
    on = when.astimezone(cast.clinic.zone).date()
    Prescription.objects.filter(partner=cast.partner_b).update(valid_until=on - DAY)
    with pytest.raises(NotReadyError) as refused:
        book(cast, Appointment.Kind.MEDICINE, when)
    assert "Bobbie has no active sublingual" in _unmet(refused.value.readiness)[2]


def test_starting_a_booster_re_checks_the_plan_on_the_day(cast):
    when = _when(cast)
    plan = booster_ready(cast, when)
    appointment = book(cast, Appointment.Kind.MEDICINE, when)
    services.maintenance_plan_end(plan=plan, by=cast.clinician, reason="Couple moved away")
    with pytest.raises(NotReadyError, match="There is no maintenance plan"):
        medicine.medicine_session_start(
            session=appointment.medicine_record, by=cast.clinician, at=when
        )
    assert appointment.medicine_record.status == MedicineSession.Status.PLANNED


def test_a_program_still_running_is_judged_by_the_treatment_plan(cast):
    when = _when(cast)
    on = when.astimezone(cast.clinic.zone).date()
    readiness = readiness_check(couple=cast.couple, start=when)
    assert not readiness.booster
    assert "no treatment plan" in _unmet(readiness)[1]
    with pytest.raises(Exception, match="follows a completed program"):
        maintenance_plan(cast, on)
    assert timezone.now()  # the program is not completed: no maintenance plan either


def test_the_dashboards_batch_readiness_judges_a_booster_as_the_couple_page_does(cast):
    when = _when(cast)
    booster_ready(cast, when)
    appointment = book(cast, Appointment.Kind.MEDICINE, when)
    couple = (
        Couple.objects.select_related("clinic").prefetch_related("partners").get(pk=cast.couple.pk)
    )
    batch_readiness.with_partner_lists([couple])
    judged = batch_readiness.next_session_readiness([couple])[couple.pk]
    single = readiness_check(couple=couple, start=when, appointment=appointment)
    assert judged.ready == single.ready is True
    assert judged.appointment_id == appointment.pk
