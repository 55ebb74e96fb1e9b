"""The prescriber's "waiting for you": each item appears when there is something to act on,
links to where to act, and goes once it is done."""

import datetime
import re

from django.urls import reverse
from django.utils import timezone

from intake import services as intake_services
from sessions import medicine
from sessions import services as session_services
from sessions.models import Appointment, VitalSigns
from tests.intake.factories import IntakeFormFactory, PrescriptionFactory, ReviewFactory
from tests.sessions.factories import book, local, make_ready, started_session, tomorrow

URL = reverse("care_dashboard")


def _list(client, testid: str) -> str:
    page = client.get(URL).content.decode()
    match = re.search(
        rf'data-testid="{testid}">(.*?)</div>\s*(?=<div class="col|</div>)', page, re.S
    )
    assert match, f"no {testid} list"
    return match.group(1)


def test_only_a_prescriber_sees_the_waiting_list(cast, client_for):
    assert 'data-testid="waiting"' in client_for(cast.prescriber).get(URL).content.decode()
    assert 'data-testid="waiting"' not in client_for(cast.clinician).get(URL).content.decode()
    assert 'data-testid="waiting"' not in client_for(cast.clinic_admin).get(URL).content.decode()


def test_a_submitted_intake_waits_for_a_review_until_one_is_signed(cast, client_for):
    intake = IntakeFormFactory(partner=cast.partner_a, submitted=True)
    client = client_for(cast.prescriber)
    shown = _list(client, "waiting-reviews")
    assert cast.partner_a.full_name in shown
    assert reverse("intake:review_create", kwargs={"partner_id": cast.partner_a.pk}) in shown
    ReviewFactory(partner=cast.partner_a, intake=intake, reviewer=cast.prescriber)
    assert cast.partner_a.full_name not in _list(client, "waiting-reviews")


def test_an_expired_review_waits_again(cast, client_for):
    long_ago = timezone.now() - datetime.timedelta(days=200)
    ReviewFactory(
        partner=cast.partner_a,
        reviewer=cast.prescriber,
        signed_at=long_ago,
        expires_on=timezone.localdate() - datetime.timedelta(days=20),
    )
    assert cast.partner_a.full_name in _list(client_for(cast.prescriber), "waiting-reviews")


def test_a_hold_reading_waits_for_a_decision_until_overridden(cast, client_for):
    session = started_session(cast)
    vitals = medicine.vitals_record(
        session=session,
        partner=cast.partner_a,
        moment=VitalSigns.Moment.PRE_DOSE,
        systolic=170,
        diastolic=95,
        heart_rate=80,
        spo2=98,
        by=cast.clinician,
    )
    assert vitals.level == VitalSigns.Level.HOLD
    client = client_for(cast.prescriber)
    shown = _list(client, "waiting-vitals")
    assert "Hold" in shown and "170/95" in shown
    assert reverse("clinic_sessions:session_record", kwargs={"session_id": session.pk}) in shown
    medicine.vitals_acknowledge(vitals=vitals, reason="Repeat taken, calm.", by=cast.prescriber)
    assert "170/95" not in _list(client, "waiting-vitals")


def test_a_prescription_ending_within_14_days_waits_until_cancelled(cast, client_for):
    today = timezone.localdate(timezone=cast.clinic.zone)
    ending = PrescriptionFactory(
        partner=cast.partner_b,
        prescriber=cast.prescriber,
        valid_until=today + datetime.timedelta(days=10),
    )
    PrescriptionFactory(
        partner=cast.partner_a,
        prescriber=cast.prescriber,
        valid_until=today + datetime.timedelta(days=40),
    )
    client = client_for(cast.prescriber)
    shown = _list(client, "waiting-prescriptions")
    assert cast.partner_b.full_name in shown and cast.partner_a.full_name not in shown
    intake_services.prescription_cancel(prescription=ending, by=cast.prescriber, reason="Paused")
    assert cast.partner_b.full_name not in _list(client, "waiting-prescriptions")


def test_a_session_held_back_by_an_overridable_item_waits_until_overridden(cast, client_for):
    when = local(cast, tomorrow(cast) + datetime.timedelta(days=3), 10)
    make_ready(cast, when)
    appointment = book(cast, Appointment.Kind.MEDICINE, when, minutes=240)
    client = client_for(cast.prescriber)
    assert "Nothing." in _list(client, "waiting-overrides")  # ready: nothing to override
    Appointment.objects.filter(couple=cast.couple, kind=Appointment.Kind.PREPARATION).update(
        status=Appointment.Status.CANCELLED, cancel_reason="Moved"
    )
    shown = _list(client, "waiting-overrides")
    assert "4. " in shown
    assert (
        reverse("clinic_sessions:readiness_override", kwargs={"couple_id": cast.couple.pk}) in shown
    )
    session_services.readiness_override(
        couple=cast.couple,
        session_number=1,
        item=4,
        reason="Prepared in the earlier program.",
        by=cast.prescriber,
        appointment=appointment,
    )
    assert "Nothing." in _list(client, "waiting-overrides")


def test_another_prescribers_couples_do_not_wait_for_me(cast, client_for):
    IntakeFormFactory(partner=cast.other_partner, submitted=True)  # not on my care team
    assert cast.other_partner.full_name not in _list(client_for(cast.prescriber), "waiting-reviews")
