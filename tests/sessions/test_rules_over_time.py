"""Rules that must hold when time passes or a later form arrives: each is judged at the
moment of the act (start, dose), on the facts of that moment."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from intake import services as intake
from intake.models import Prescription, QuestionnaireResponse
from kapcouples.services import DomainError
from sessions import medicine, services
from sessions.models import Appointment, Approach, DoseAdministration, MedicineSession
from sessions.readiness import START, readiness_check
from sessions.services import NotReadyError
from tests.intake.factories import complete_answers
from tests.sessions.factories import book, make_plan, make_ready, started_session
from tests.sessions.record_helpers import dose, minutes, vitals

MEDICINE = Appointment.Kind.MEDICINE
HIGH_RISK = [1, 1, 1, 1, 0, 0]
NO_RISK = [0, 0, None, None, None, 0]


def _today(cast) -> datetime.date:
    return timezone.localdate(timezone=cast.clinic.zone)


def _noon(cast, day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=cast.clinic.zone)


def _prescriptions_valid_until(day: datetime.date) -> None:
    Prescription.objects.update(valid_until=day)


# --- Prescriptions are counted on the day of the act --------------------------------------------
def test_a_dose_after_midnight_needs_a_prescription_valid_on_that_day(cast):
    session = started_session(cast)
    _prescriptions_valid_until(_today(cast))
    tomorrow = _noon(cast, _today(cast) + datetime.timedelta(days=1))
    vitals(cast, session, cast.partner_a, at=tomorrow - minutes(2))
    with pytest.raises(
        DomainError, match=r"no active sublingual \(lozenge/troche\) prescription on"
    ):
        dose(cast, session, cast.partner_a, "50", at=tomorrow)
    assert not DoseAdministration.objects.exists()


def test_a_session_started_a_day_late_is_judged_on_the_day_it_starts(cast):
    booked_for = _noon(cast, _today(cast) + datetime.timedelta(days=3))
    make_ready(cast, booked_for)
    appointment = book(cast, MEDICINE, booked_for, minutes=240)
    _prescriptions_valid_until(booked_for.date())
    a_day_late = booked_for + datetime.timedelta(days=1)
    with time_machine.travel(a_day_late, tick=False), pytest.raises(NotReadyError) as refused:
        medicine.medicine_session_start(session=appointment.medicine_record, by=cast.clinician)
    assert "no active sublingual (lozenge/troche) prescription" in " ".join(
        refused.value.readiness.unmet[0].problems
    )
    appointment.medicine_record.refresh_from_db()
    assert appointment.medicine_record.status == MedicineSession.Status.PLANNED


def test_a_session_started_days_early_cannot_use_a_prescription_not_yet_valid(cast):
    booked_for = _noon(cast, _today(cast) + datetime.timedelta(days=5))
    make_ready(cast, booked_for)
    Prescription.objects.update(valid_from=booked_for.date())
    appointment = book(cast, MEDICINE, booked_for, minutes=240)
    session = appointment.medicine_record
    readiness = readiness_check(
        couple=cast.couple,
        start=appointment.start,
        purpose=START,
        appointment=appointment,
        arrangement=medicine.arrangement_of(session),
        at=timezone.now(),
    )
    assert 2 in [item.number for item in readiness.unmet]


# --- The plan as it stands at the dose ----------------------------------------------------------
def test_the_cap_follows_the_plan_when_it_is_lowered_after_booking(cast):
    session = started_session(cast, Approach.DUAL_FULL, dose=Decimal("100"))
    plan = services.plan_save(
        couple=cast.couple, by=cast.clinician, values={"approach": Approach.DUAL_HALF}
    )
    vitals(cast, session, cast.partner_a)
    with pytest.raises(DomainError, match="treatment plan is not approved and active now"):
        dose(cast, session, cast.partner_a, "40")
    services.plan_approve(plan=plan, by=cast.prescriber)
    with pytest.raises(DomainError, match=r"limit of 50\.00 mg"):
        dose(cast, session, cast.partner_a, "60")
    given = dose(cast, session, cast.partner_a, "50")
    assert given.share_percent == 50


def test_a_clinician_cannot_raise_a_sessions_approach_above_the_approved_plan(cast):
    when = timezone.now() + datetime.timedelta(days=2)
    make_ready(cast, when, Approach.DUAL_HALF)
    session = book(cast, MEDICINE, when, minutes=240).medicine_record
    with pytest.raises(DomainError, match="prescriber must re-approve the plan"):
        medicine.medicine_session_update_roles(
            session=session,
            approach=Approach.DUAL_FULL,
            dosing_partner=None,
            support_role="",
            route=session.route,
            by=cast.clinician,
        )
    session.refresh_from_db()
    assert session.approach == Approach.DUAL_HALF
    lowered = medicine.medicine_session_update_roles(
        session=session,
        approach=Approach.EXTENDED,
        dosing_partner=None,
        support_role="",
        route=session.route,
        by=cast.clinician,
    )
    assert lowered.share_percent == 25


def test_only_the_plans_dosing_partner_may_dose_in_a_solo_session(cast):
    when = timezone.now() + datetime.timedelta(days=2)
    make_ready(cast, when, Approach.SOLO)
    session = book(cast, MEDICINE, when, minutes=240).medicine_record
    with pytest.raises(DomainError, match="allows Bobbie no dose"):
        medicine.medicine_session_update_roles(
            session=session,
            approach=Approach.SOLO,
            dosing_partner=cast.partner_b,
            support_role="sitter",
            route=session.route,
            by=cast.clinician,
        )


# --- A later form: an intake amendment not yet submitted ----------------------------------------
def _draft_amendment_reporting_pregnancy(partner):
    intake.intake_amend(partner=partner, by=partner.user)
    answers = complete_answers(pregnancy_or_breastfeeding=True)["medical"]
    intake.intake_save_step(partner=partner, by=partner.user, step="medical", answers=answers)


def test_a_draft_amendment_reporting_an_absolute_contraindication_holds_the_dose(cast):
    session = started_session(cast)
    _draft_amendment_reporting_pregnancy(cast.partner_a)
    vitals(cast, session, cast.partner_a)
    with pytest.raises(DomainError, match="intake amendment not yet submitted"):
        dose(cast, session, cast.partner_a, "50")
    intake.intake_withdraw_draft(partner=cast.partner_a, by=cast.partner_a.user)
    assert dose(cast, session, cast.partner_a, "50")


def test_a_draft_amendment_reporting_an_absolute_contraindication_holds_the_start(cast):
    start = timezone.now() + minutes(5)
    make_ready(cast, start)
    appointment = book(cast, MEDICINE, start, minutes=240)
    _draft_amendment_reporting_pregnancy(cast.partner_b)
    with pytest.raises(NotReadyError) as refused:
        medicine.medicine_session_start(session=appointment.medicine_record, by=cast.clinician)
    assert "Bobbie reports" in " ".join(refused.value.readiness.unmet[0].problems)


# --- C-SSRS: the highest risk not reviewed, judged when the session starts -------------------
def _screener(cast, partner, answers):
    return intake.questionnaire_submit(
        partner=partner, user=partner.user, code=QuestionnaireResponse.Code.CSSRS, answers=answers
    )


def test_a_partners_own_retake_does_not_clear_a_high_risk_screener(cast):
    start = timezone.now() + minutes(5)
    make_ready(cast, start)
    appointment = book(cast, MEDICINE, start, minutes=240)
    session = appointment.medicine_record
    high = _screener(cast, cast.partner_a, HIGH_RISK)
    retake = _screener(cast, cast.partner_a, NO_RISK)
    with pytest.raises(NotReadyError):
        medicine.medicine_session_start(session=session, by=cast.clinician)
    intake.questionnaire_acknowledge(response=high, user=cast.clinician)
    with pytest.raises(NotReadyError, match=r"2\. Screening"):
        medicine.medicine_session_start(session=session, by=cast.clinician)
    intake.questionnaire_acknowledge(response=retake, user=cast.clinician)
    assert medicine.medicine_session_start(session=session, by=cast.clinician).started_at


def test_a_high_risk_screener_during_the_session_stops_the_next_dose(cast):
    session = started_session(cast, Approach.DUAL_FULL)
    _screener(cast, cast.partner_b, HIGH_RISK)
    vitals(cast, session, cast.partner_b)
    with pytest.raises(DomainError, match="C-SSRS"):
        dose(cast, session, cast.partner_b, "50")


def test_booking_months_ahead_shows_the_screener_window_without_blocking(cast):
    when = _noon(cast, _today(cast) + datetime.timedelta(days=90))
    make_ready(cast, when)
    QuestionnaireResponse.objects.all().delete()  # no screener yet, as months ahead
    booking = readiness_check(couple=cast.couple, start=when)
    assert booking.ready
    notes = " ".join(booking.items[1].notes)
    assert "C-SSRS screener needed between" in notes
    appointment = book(cast, MEDICINE, when, minutes=240)
    with time_machine.travel(when, tick=False), pytest.raises(NotReadyError) as refused:
        medicine.medicine_session_start(session=appointment.medicine_record, by=cast.clinician)
    assert "C-SSRS" in " ".join(refused.value.readiness.unmet[0].problems)


# --- Overrides belong to their appointment ----------------------------------------------------
def _without_preparations(cast, when):
    make_ready(cast, when)
    Appointment.objects.filter(kind=Appointment.Kind.PREPARATION).delete()


def test_an_override_does_not_carry_from_a_cancelled_appointment_to_the_next(cast):
    when = timezone.now() + datetime.timedelta(days=3)
    _without_preparations(cast, when)
    services.readiness_override(
        couple=cast.couple,
        session_number=1,
        item=4,
        reason="Preparation done in a previous program.",
        by=cast.prescriber,
    )
    first = book(cast, MEDICINE, when, minutes=240)
    assert first.readiness_overrides.count() == 1
    services.appointment_cancel(appointment=first, reason="Unwell", by=cast.front_desk)
    with pytest.raises(NotReadyError) as refused:
        book(cast, MEDICINE, when + datetime.timedelta(days=1), minutes=240)
    assert [item.number for item in refused.value.readiness.unmet] == [4]


def test_an_override_written_before_booking_lapses_after_the_clinics_days(cast):
    when = timezone.now() + datetime.timedelta(days=30)
    _without_preparations(cast, when)
    services.readiness_override(
        couple=cast.couple,
        session_number=1,
        item=4,
        reason="Preparation done in a previous program.",
        by=cast.prescriber,
    )
    assert readiness_check(couple=cast.couple, start=when).ready
    with time_machine.travel(timezone.now() + datetime.timedelta(days=15)):
        assert not readiness_check(couple=cast.couple, start=when).ready


def test_an_override_written_for_an_appointment_stays_with_it(cast):
    when = timezone.now() + datetime.timedelta(days=3)
    make_ready(cast, when)
    appointment = book(cast, MEDICINE, when, minutes=240)
    Appointment.objects.filter(kind=Appointment.Kind.PREPARATION).update(
        status="cancelled", cancel_reason="x"
    )
    services.readiness_override(
        couple=cast.couple,
        session_number=1,
        item=4,
        reason="Preparation done in a previous program.",
        by=cast.prescriber,
        appointment=appointment,
    )
    with time_machine.travel(timezone.now() + datetime.timedelta(days=60)):
        readiness = readiness_check(couple=cast.couple, start=when, appointment=appointment)
    assert readiness.items[3].override is not None


def test_an_approved_plan_needs_a_prescriber(cast):
    plan = make_plan(cast, approved=False)
    with pytest.raises(DomainError, match="rule: can_approve_plan"):
        services.plan_approve(plan=plan, by=cast.clinician)
    plan.refresh_from_db()
    assert plan.approved_by is None
