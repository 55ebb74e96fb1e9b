"""Every sessions service decides itself, through `kapcouples.policy`, who may act.

Each service that writes clinical or booking state is called directly, as a view, a task
or a script would call it, with the wrong person as the acting user: it must refuse with
`policy.NotAllowed` naming the rule, and leave the database exactly as it was. The right
person then succeeds with the same call.
"""

import contextlib
import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.utils import timezone

from kapcouples import policy
from kapcouples.models import Role
from kapcouples.services import DomainError
from sessions import medicine, services
from sessions.models import (
    AdverseEvent,
    Appointment,
    Approach,
    Discharge,
    DoseAdministration,
    MedicineSession,
    ReadinessOverride,
    TreatmentPlan,
    VitalSigns,
)
from sessions.protocol import protocol_for
from tests.factories import StaffFactory
from tests.sessions.factories import book, local, make_plan, make_ready, room, started_session
from tests.sessions.factories import tomorrow as tomorrow_of
from tests.sessions.record_helpers import (
    discharge,
    dose,
    dosed_session,
    minutes,
    readings_for_discharge,
    vitals,
)

PREP = Appointment.Kind.PREPARATION

# People the cast fixture does not hold: (which clinic, role). None of them is on the
# couple's care team.
EXTRA_STAFF = {
    "prescriber_outside": ("clinic", Role.PRESCRIBER),
    "other_clinic_front_desk": ("other_clinic", Role.FRONT_DESK),
    "other_clinic_admin": ("other_clinic", Role.CLINIC_ADMIN),
}

# Not on the couple's care team, or not staff of its clinic at all.
OFF_THE_CARE_TEAM = [
    "front_desk",
    "partner_a",
    "partner_b",
    "clinician_outside",
    "prescriber_outside",
    "clinic_admin",
    "other_clinic_clinician",
]
# Partners (of this and another couple) and other clinics' staff.
OUTSIDERS_TO_BOOKING = [
    "partner_a",
    "partner_b",
    "other_partner",
    "other_clinic_clinician",
    "other_clinic_front_desk",
    "other_clinic_admin",
    "clinician_outside",
    "clinic_admin",
]
# Everyone but a prescriber on the couple's care team.
NOT_A_PRESCRIBER_ON_THE_CARE_TEAM = ["clinician", *OFF_THE_CARE_TEAM]


def actor(cast, name: str):
    """The login of `name`: a cast member (a partner's user for partners) or extra staff."""
    if name in EXTRA_STAFF:
        where, role = EXTRA_STAFF[name]
        return StaffFactory(clinic=getattr(cast, where), role=role)
    return cast.user(name)


@contextlib.contextmanager
def refused(rule: str):
    """The call raises the policy's refusal, a DomainError whose message names `rule`."""
    with pytest.raises(DomainError, match=rf"\(rule: {rule}\)\.$") as error:
        yield error
    assert isinstance(error.value, policy.NotAllowed)


def database_state() -> dict[str, list[dict]]:
    """Every row of the sessions and integration tables (history included), in order."""
    state = {}
    for label in ("clinic_sessions", "integration"):
        for model in apps.get_app_config(label).get_models():
            state[model._meta.label] = list(model.objects.order_by("pk").values())
    return state


@contextlib.contextmanager
def refused_and_unchanged(rule: str):
    """Refused with `rule`, and not one row written, changed or deleted."""
    before = database_state()
    with refused(rule):
        yield
    assert database_state() == before


def plan_values(cast, approach=Approach.DUAL_FULL) -> dict:
    return {
        "goals": "Communicate more openly.",
        "approach": approach,
        "planned_medicine_sessions": 3,
        "relational_intention": "To feel close again.",
    }


def today_start(cast) -> datetime.datetime:
    """A moment of today (clinic time) that has just begun (not backdated): check-in and no-show
    allowed."""
    midnight = local(cast, timezone.localdate(timezone=cast.clinic.zone), 0)
    return max(timezone.now() - minutes(10), midnight)


def booked_medicine_session(cast, approach=Approach.DUAL_FULL) -> MedicineSession:
    """A medicine session of today, booked with everything ready, not started."""
    start = timezone.now() - minutes(5)
    make_ready(cast, start, approach)
    return book(cast, Appointment.Kind.MEDICINE, start, minutes=240).medicine_record


def discharged_session(cast):
    """A solo session whose only dosed partner is discharged: ready to be completed."""
    session, given = dosed_session(cast)
    leave = given + minutes(125)
    readings_for_discharge(cast, session, cast.partner_a, given, leave)
    discharge(cast, session, cast.partner_a, leave)
    return session


# --- Treatment plans -------------------------------------------------------------------------
@pytest.mark.parametrize("who", OFF_THE_CARE_TEAM)
def test_only_the_care_team_can_write_a_new_treatment_plan(cast, who):
    by = actor(cast, who)
    with refused_and_unchanged("can_edit_plan"):
        services.plan_save(couple=cast.couple, by=by, values=plan_values(cast))
    assert not TreatmentPlan.objects.exists()


@pytest.mark.parametrize("who", OFF_THE_CARE_TEAM)
def test_someone_off_the_care_team_cannot_edit_an_approved_plan_back_to_draft(cast, who):
    plan = make_plan(cast)
    by = actor(cast, who)
    with refused_and_unchanged("can_edit_plan"):
        services.plan_save(couple=cast.couple, by=by, values={"goals": "Something else."})
    plan.refresh_from_db()
    assert plan.status == TreatmentPlan.Status.ACTIVE
    assert plan.approved_by == cast.prescriber


@pytest.mark.parametrize("who", ["clinician", "prescriber"])
def test_the_care_team_writes_the_treatment_plan(cast, who):
    plan = services.plan_save(couple=cast.couple, by=actor(cast, who), values=plan_values(cast))
    assert plan.pk is not None
    assert plan.created_by == cast.user(who)
    assert plan.status == TreatmentPlan.Status.DRAFT


def test_the_plain_clinician_cannot_approve_a_plan(cast):
    plan = make_plan(cast, approved=False)
    with refused_and_unchanged("can_approve_plan"):
        services.plan_approve(plan=plan, by=cast.clinician)
    plan.refresh_from_db()
    assert plan.status == TreatmentPlan.Status.DRAFT
    assert plan.approved_by is None


@pytest.mark.parametrize("who", NOT_A_PRESCRIBER_ON_THE_CARE_TEAM)
def test_only_a_prescriber_on_the_care_team_can_approve_a_plan(cast, who):
    plan = make_plan(cast, approved=False)
    by = actor(cast, who)
    with refused_and_unchanged("can_approve_plan"):
        services.plan_approve(plan=plan, by=by)
    plan.refresh_from_db()
    assert plan.status == TreatmentPlan.Status.DRAFT
    assert plan.approved_by is None and plan.approved_at is None


def test_the_prescriber_on_the_care_team_approves_the_plan(cast):
    plan = make_plan(cast, approved=False)
    services.plan_approve(plan=plan, by=cast.prescriber)
    plan.refresh_from_db()
    assert plan.status == TreatmentPlan.Status.ACTIVE
    assert plan.approved_by == cast.prescriber


# --- Booking ------------------------------------------------------------------------------------
def _book(cast, by, start=None):
    start = start or local(cast, tomorrow_of(cast), 9)
    return services.appointment_book(
        couple=cast.couple,
        kind=PREP,
        start=start,
        end=start + datetime.timedelta(hours=1),
        room=room(cast),
        clinicians=[cast.clinician],
        by=by,
    )


@pytest.mark.parametrize("who", OUTSIDERS_TO_BOOKING)
def test_partners_and_other_clinics_staff_cannot_book_an_appointment(cast, who):
    room(cast)
    by = actor(cast, who)
    with refused_and_unchanged("can_book"):
        _book(cast, by)
    assert not Appointment.objects.exists()


@pytest.mark.parametrize("who", ["front_desk", "clinician", "prescriber"])
def test_front_desk_and_the_care_team_book_appointments(cast, who):
    appointment = _book(cast, actor(cast, who))
    assert appointment.booked_by == cast.user(who)
    assert list(appointment.clinicians.all()) == [cast.clinician]


@pytest.mark.parametrize("who", OUTSIDERS_TO_BOOKING)
def test_partners_and_other_clinics_staff_cannot_cancel_an_appointment(cast, who):
    appointment = book(cast, PREP, local(cast, tomorrow_of(cast), 9))
    by = actor(cast, who)
    with refused_and_unchanged("can_book"):
        services.appointment_cancel(appointment=appointment, reason="Couple asked.", by=by)
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.BOOKED


def test_front_desk_cancels_an_appointment(cast):
    appointment = book(cast, PREP, local(cast, tomorrow_of(cast), 9))
    services.appointment_cancel(appointment=appointment, reason="Couple asked.", by=cast.front_desk)
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED


@pytest.mark.parametrize("who", OUTSIDERS_TO_BOOKING)
def test_partners_and_other_clinics_staff_cannot_move_an_appointment(cast, who):
    day = tomorrow_of(cast)
    appointment = book(cast, PREP, local(cast, day, 9))
    by = actor(cast, who)
    with refused_and_unchanged("can_book"):
        services.appointment_reschedule(
            appointment=appointment,
            start=local(cast, day, 11),
            end=local(cast, day, 12),
            room=room(cast),
            clinicians=[cast.clinician],
            by=by,
        )
    appointment.refresh_from_db()
    assert appointment.start == local(cast, day, 9)


def test_front_desk_moves_an_appointment(cast):
    day = tomorrow_of(cast)
    appointment = book(cast, PREP, local(cast, day, 9))
    services.appointment_reschedule(
        appointment=appointment,
        start=local(cast, day, 11),
        end=local(cast, day, 12),
        room=room(cast),
        clinicians=[cast.clinician],
        by=cast.front_desk,
    )
    appointment.refresh_from_db()
    assert appointment.start == local(cast, day, 11)
    assert appointment.clinician_slots.get().start == local(cast, day, 11)


@pytest.mark.parametrize("who", OUTSIDERS_TO_BOOKING)
def test_partners_and_other_clinics_staff_cannot_check_a_couple_in(cast, who):
    appointment = book(cast, PREP, today_start(cast))
    by = actor(cast, who)
    with refused_and_unchanged("can_book"):
        services.appointment_check_in(appointment=appointment, by=by)
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.BOOKED


def test_front_desk_checks_a_couple_in(cast):
    appointment = book(cast, PREP, today_start(cast))
    services.appointment_check_in(appointment=appointment, by=cast.front_desk)
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CHECKED_IN


@pytest.mark.parametrize("who", OUTSIDERS_TO_BOOKING)
def test_partners_and_other_clinics_staff_cannot_mark_a_no_show(cast, who):
    appointment = book(cast, PREP, today_start(cast))
    by = actor(cast, who)
    with refused_and_unchanged("can_book"):
        services.appointment_mark_no_show(appointment=appointment, by=by)
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.BOOKED
    assert appointment.clinician_slots.get().is_active


def test_front_desk_marks_a_no_show(cast):
    appointment = book(cast, PREP, today_start(cast))
    services.appointment_mark_no_show(appointment=appointment, by=cast.front_desk)
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.NO_SHOW
    assert not appointment.clinician_slots.get().is_active


# --- Readiness overrides and the protocol --------------------------------------------------------
def _override(cast, by):
    return services.readiness_override(
        couple=cast.couple,
        session_number=1,
        item=ReadinessOverride.Item.PREPARATION,
        reason="Two preparation sessions held elsewhere.",
        by=by,
    )


@pytest.mark.parametrize("who", NOT_A_PRESCRIBER_ON_THE_CARE_TEAM)
def test_only_a_prescriber_on_the_care_team_can_override_readiness(cast, who):
    by = actor(cast, who)
    with refused_and_unchanged("can_override_readiness"):
        _override(cast, by)
    assert not ReadinessOverride.objects.exists()


def test_the_prescriber_overrides_readiness(cast):
    override = _override(cast, cast.prescriber)
    assert override.prescriber == cast.prescriber
    assert ReadinessOverride.objects.get() == override


@pytest.mark.parametrize(
    "who",
    [
        "clinician",
        "prescriber",
        "front_desk",
        "partner_a",
        "clinician_outside",
        "other_clinic_clinician",
        "other_clinic_admin",
    ],
)
def test_only_the_clinics_own_admin_can_change_the_protocol(cast, who):
    protocol = protocol_for(cast.clinic)
    by = actor(cast, who)
    with refused_and_unchanged("can_manage_protocol"):
        services.protocol_update(protocol=protocol, values={"min_monitoring_minutes": 150}, by=by)
    protocol.refresh_from_db()
    assert protocol.min_monitoring_minutes == 120


def test_the_clinic_admin_changes_the_protocol(cast):
    protocol = protocol_for(cast.clinic)
    services.protocol_update(
        protocol=protocol, values={"min_monitoring_minutes": 150}, by=cast.clinic_admin
    )
    protocol.refresh_from_db()
    assert protocol.min_monitoring_minutes == 150
    assert protocol.history.count() == 2


# --- The medicine session ------------------------------------------------------------------------
@pytest.mark.parametrize("who", OFF_THE_CARE_TEAM)
def test_someone_off_the_care_team_cannot_start_a_medicine_session(cast, who):
    session = booked_medicine_session(cast)
    by = actor(cast, who)
    with refused_and_unchanged("can_record_session"):
        medicine.medicine_session_start(session=session, by=by, at=session.appointment.start)
    session.refresh_from_db()
    assert session.status == MedicineSession.Status.PLANNED
    assert session.started_by is None


def test_the_clinician_starts_the_medicine_session(cast):
    session = booked_medicine_session(cast)
    medicine.medicine_session_start(
        session=session, by=cast.clinician, at=session.appointment.start
    )
    session.refresh_from_db()
    assert session.status == MedicineSession.Status.IN_PROGRESS
    assert session.started_by == cast.clinician
    assert session.appointment.status == Appointment.Status.CHECKED_IN


@pytest.mark.parametrize("who", OFF_THE_CARE_TEAM)
def test_someone_off_the_care_team_cannot_record_vitals(cast, who):
    session = started_session(cast)
    by = actor(cast, who)
    with refused_and_unchanged("can_record_session"):
        vitals(cast, session, cast.partner_a, by=by)
    assert not VitalSigns.objects.exists()


def test_the_clinician_records_vitals(cast):
    session = started_session(cast)
    reading = vitals(cast, session, cast.partner_a, by=cast.clinician)
    assert reading.recorded_by == cast.clinician
    assert reading.level == VitalSigns.Level.NORMAL


def test_front_desk_cannot_record_a_dose(cast):
    session = started_session(cast)
    vitals(cast, session, cast.partner_a)
    with refused_and_unchanged("can_record_session"):
        dose(cast, session, cast.partner_a, "50", by=cast.front_desk)
    assert not DoseAdministration.objects.exists()


def test_the_refusal_says_who_may_record_a_dose(cast):
    session = started_session(cast)
    vitals(cast, session, cast.partner_a)
    with pytest.raises(policy.NotAllowed) as error:
        dose(cast, session, cast.partner_a, "50", by=cast.front_desk)
    assert str(error.value) == (
        "Only a clinician or prescriber on the couple's care team may record a dose "
        "(rule: can_record_session)."
    )


@pytest.mark.parametrize("who", OFF_THE_CARE_TEAM)
def test_someone_off_the_care_team_cannot_record_a_dose(cast, who):
    session = started_session(cast)
    vitals(cast, session, cast.partner_a)
    by = actor(cast, who)
    with refused_and_unchanged("can_record_session"):
        dose(cast, session, cast.partner_a, "50", by=by)
    assert not DoseAdministration.objects.exists()


@pytest.mark.parametrize("who", ["clinician", "prescriber"])
def test_the_care_team_records_a_dose(cast, who):
    session = started_session(cast)
    vitals(cast, session, cast.partner_a)
    given = dose(cast, session, cast.partner_a, "50", by=cast.user(who))
    assert given.given_by == cast.user(who)
    assert given.mg == Decimal("50")


def _adverse_event(cast, session, by):
    return medicine.adverse_event_record(
        session=session,
        partner=cast.partner_a,
        kind=AdverseEvent.Kind.NAUSEA,
        severity=AdverseEvent.Severity.SEVERE,
        action="Ondansetron given.",
        by=by,
    )


@pytest.mark.parametrize("who", OFF_THE_CARE_TEAM)
def test_someone_off_the_care_team_cannot_record_an_adverse_event(cast, who):
    session = started_session(cast)
    by = actor(cast, who)
    with refused_and_unchanged("can_record_session"):
        _adverse_event(cast, session, by)
    assert not AdverseEvent.objects.exists()


def test_the_clinician_records_an_adverse_event(cast):
    session = started_session(cast)
    event = _adverse_event(cast, session, cast.clinician)
    assert event.recorded_by == cast.clinician


@pytest.mark.parametrize("who", OFF_THE_CARE_TEAM)
def test_someone_off_the_care_team_cannot_discharge_a_partner(cast, who):
    session, given = dosed_session(cast)
    leave = given + minutes(125)
    readings_for_discharge(cast, session, cast.partner_a, given, leave)
    by = actor(cast, who)
    with refused_and_unchanged("can_record_session"):
        discharge(cast, session, cast.partner_a, leave, by=by)
    assert not Discharge.objects.exists()


def test_the_clinician_discharges_a_partner(cast):
    session, given = dosed_session(cast)
    leave = given + minutes(125)
    readings_for_discharge(cast, session, cast.partner_a, given, leave)
    left = discharge(cast, session, cast.partner_a, leave, by=cast.clinician)
    assert left.recorded_by == cast.clinician
    assert left.bp_signed_off_by is None


def test_the_plain_clinician_cannot_sign_off_a_discharge_blood_pressure(cast):
    session, given = dosed_session(cast)
    leave = given + minutes(125)
    readings_for_discharge(cast, session, cast.partner_a, given, leave, systolic=165)
    with refused_and_unchanged("can_sign_off_vitals"):
        discharge(cast, session, cast.partner_a, leave, by=cast.clinician, reason="Baseline.")
    assert not Discharge.objects.exists()


def test_the_prescriber_signs_off_a_discharge_blood_pressure(cast):
    session, given = dosed_session(cast)
    leave = given + minutes(125)
    readings_for_discharge(cast, session, cast.partner_a, given, leave, systolic=165)
    left = discharge(
        cast, session, cast.partner_a, leave, by=cast.prescriber, reason="Known baseline."
    )
    assert left.bp_signed_off_by == cast.prescriber
    assert left.bp_sign_off_reason == "Known baseline."


@pytest.mark.parametrize("who", OFF_THE_CARE_TEAM)
def test_someone_off_the_care_team_cannot_complete_a_medicine_session(cast, who):
    session = discharged_session(cast)
    by = actor(cast, who)
    with refused_and_unchanged("can_record_session"):
        medicine.medicine_session_complete(session=session, by=by)
    session.refresh_from_db()
    assert session.status == MedicineSession.Status.IN_PROGRESS
    assert session.completed_at is None


def test_the_clinician_completes_a_medicine_session(cast):
    session = discharged_session(cast)
    medicine.medicine_session_complete(session=session, by=cast.clinician)
    session.refresh_from_db()
    assert session.status == MedicineSession.Status.COMPLETED
    assert session.appointment.status == Appointment.Status.COMPLETED


@pytest.mark.parametrize("who", OFF_THE_CARE_TEAM)
def test_someone_off_the_care_team_cannot_end_a_medicine_session_early(cast, who):
    session = started_session(cast)
    by = actor(cast, who)
    with refused_and_unchanged("can_record_session"):
        medicine.medicine_session_end_early(session=session, reason="Felt unwell.", by=by)
    session.refresh_from_db()
    assert session.status == MedicineSession.Status.IN_PROGRESS
    assert session.ended_early_reason == ""


def test_the_clinician_ends_a_medicine_session_early(cast):
    session = started_session(cast)
    medicine.medicine_session_end_early(session=session, reason="Felt unwell.", by=cast.clinician)
    session.refresh_from_db()
    assert session.status == MedicineSession.Status.ENDED_EARLY
    assert session.ended_early_reason == "Felt unwell."


READINGS_TO_SIGN_OFF = {"caution": (145, 85, ""), "hold": (165, 95, "Repeat was lower.")}


@pytest.mark.parametrize("level", READINGS_TO_SIGN_OFF)
@pytest.mark.parametrize("who", NOT_A_PRESCRIBER_ON_THE_CARE_TEAM)
def test_only_a_prescriber_on_the_care_team_can_acknowledge_a_reading(cast, who, level):
    systolic, diastolic, reason = READINGS_TO_SIGN_OFF[level]
    session = started_session(cast)
    reading = vitals(cast, session, cast.partner_a, systolic, diastolic)
    assert reading.level == level
    by = actor(cast, who)
    with refused_and_unchanged("can_sign_off_vitals"):
        medicine.vitals_acknowledge(vitals=reading, reason=reason, by=by)
    reading.refresh_from_db()
    assert reading.acknowledged_by is None and reading.acknowledged_at is None


@pytest.mark.parametrize("level", READINGS_TO_SIGN_OFF)
def test_the_prescriber_acknowledges_a_reading(cast, level):
    systolic, diastolic, reason = READINGS_TO_SIGN_OFF[level]
    session = started_session(cast)
    reading = vitals(cast, session, cast.partner_a, systolic, diastolic)
    medicine.vitals_acknowledge(vitals=reading, reason=reason, by=cast.prescriber)
    reading.refresh_from_db()
    assert reading.acknowledged_by == cast.prescriber
    assert reading.override_reason == reason


def _update_roles(session, by):
    return medicine.medicine_session_update_roles(
        session=session,
        approach=Approach.DUAL_HALF,
        dosing_partner=None,
        support_role="",
        route=session.route,
        by=by,
    )


@pytest.mark.parametrize("who", OFF_THE_CARE_TEAM)
def test_someone_off_the_care_team_cannot_change_a_sessions_approach(cast, who):
    session = booked_medicine_session(cast)
    by = actor(cast, who)
    with refused_and_unchanged("can_edit_plan"):
        _update_roles(session, by)
    session.refresh_from_db()
    assert session.approach == Approach.DUAL_FULL


def test_the_clinician_changes_a_sessions_approach(cast):
    session = booked_medicine_session(cast)
    _update_roles(session, cast.clinician)
    session.refresh_from_db()
    assert session.approach == Approach.DUAL_HALF
