"""Pages: booking, calendars, the session record's privacy, feeds and .ics files."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from kapcouples.models import AccessLog
from sessions import services
from sessions.models import (
    Appointment,
    Approach,
    CalendarFeed,
    DoseAdministration,
    ProtocolSettings,
    ReadinessOverride,
    TreatmentPlan,
    VitalSigns,
)
from tests.sessions.factories import book, local, make_plan, room, started_session, tomorrow

PREP = Appointment.Kind.PREPARATION


def _booking_data(cast, day, hh_mm, where, **extra):
    data = {
        "kind": PREP,
        "date": day.isoformat(),
        "start_time": hh_mm,
        "duration": "60",
        "room": str(where.pk),
        "clinicians": [str(cast.clinician.pk)],
    }
    return data | extra


def test_front_desk_books_an_appointment_from_the_couple(cast, client_for):
    day, cedar = tomorrow(cast), room(cast)
    url = reverse("clinic_sessions:appointment_new", kwargs={"couple_id": cast.couple.pk})
    response = client_for(cast.front_desk).post(url, _booking_data(cast, day, "09:00", cedar))
    appointment = Appointment.objects.get()
    assert response.status_code == 302
    assert appointment.start == local(cast, day, 9)
    assert appointment.booked_by == cast.front_desk


def test_a_conflict_names_the_appointment_and_keeps_the_form(cast, client_for):
    day, cedar = tomorrow(cast), room(cast)
    taken = book(cast, PREP, local(cast, day, 9, 30), couple=cast.other_couple)
    url = reverse("clinic_sessions:appointment_new", kwargs={"couple_id": cast.couple.pk})
    data = _booking_data(cast, day, "10:00", cedar, clinicians=[str(cast.prescriber.pk)])
    response = client_for(cast.front_desk).post(url, data)
    page = response.content.decode()
    assert response.status_code == 200
    assert f"Preparation #{taken.pk}" in page
    assert "09:30–10:30 in Cedar" in page
    assert 'value="10:00"' in page
    assert f'value="{day.isoformat()}"' in page
    assert Appointment.objects.count() == 1


def test_check_first_shows_conflicts_and_readiness_without_saving(cast, client_for):
    day, cedar = tomorrow(cast), room(cast)
    url = reverse("clinic_sessions:appointment_new", kwargs={"couple_id": cast.couple.pk})
    data = _booking_data(cast, day, "10:00", cedar, kind=Appointment.Kind.MEDICINE, check="1")
    page = client_for(cast.front_desk).post(url, data).content.decode()
    assert "No conflict" in page
    assert "Not ready" in page
    assert "1. Treatment plan approved and active" in page
    assert not Appointment.objects.exists()


def test_a_time_the_clocks_skip_is_refused_next_to_the_field(cast, client_for):
    # America/New_York springs forward at 02:00 on 8 March 2026.
    cast.clinic.timezone = "America/New_York"
    cast.clinic.save()
    url = reverse("clinic_sessions:appointment_new", kwargs={"couple_id": cast.couple.pk})
    data = _booking_data(cast, datetime.date(2026, 3, 8), "02:30", room(cast))
    page = client_for(cast.front_desk).post(url, data).content.decode()
    assert "does not exist on 08 Mar 2026" in page
    assert not Appointment.objects.exists()


def test_front_desk_sees_times_and_statuses_on_the_calendar(cast, client_for):
    day = tomorrow(cast)
    appointment = book(cast, PREP, local(cast, day, 9, 30))
    url = reverse("clinic_sessions:calendar_day") + f"?date={day.isoformat()}"
    page = client_for(cast.front_desk).get(url).content.decode()
    assert "09:30–10:30" in page
    assert "Booked" in page
    assert f"appointment-{appointment.pk}" in page


def test_the_week_calendar_by_clinician_lists_the_clinicians_bookings(cast, client_for):
    day = tomorrow(cast)
    book(cast, PREP, local(cast, day, 15))
    url = reverse("clinic_sessions:calendar_week") + f"?date={day.isoformat()}&by=clinician"
    page = client_for(cast.clinician).get(url).content.decode()
    assert "Casey Clinician" in page
    assert "15:00–16:00" in page


def test_the_calendar_is_right_across_the_autumn_clock_change(cast, client_for):
    # 1 November 2026 in New York has 25 hours; 23:30 local is 04:30 UTC next day.
    day = datetime.date(2026, 11, 1)
    past = {"backdated_reason": "A day the test fixes, maybe past"}
    book(cast, PREP, local(cast, day, 23, 30), minutes=30, **past)
    book(cast, PREP, local(cast, day, 1, 30), minutes=30, couple=cast.other_couple, **past)
    url = reverse("clinic_sessions:calendar_day") + f"?date={day.isoformat()}"
    page = client_for(cast.front_desk).get(url).content.decode()
    assert "23:30–00:00" in page
    assert "01:30–02:00" in page
    next_day = client_for(cast.front_desk).get(url.replace("01", "02", 1)).content.decode()
    assert "23:30" not in next_day


def test_the_calendar_makes_a_fixed_number_of_queries(
    cast, client_for, django_assert_max_num_queries
):
    day = tomorrow(cast)
    for hour in range(8, 16):
        book(cast, PREP, local(cast, day, hour), couple=cast.other_couple if hour % 2 else None)
    client = client_for(cast.front_desk)
    url = reverse("clinic_sessions:calendar_week") + f"?date={day.isoformat()}"
    with django_assert_max_num_queries(20):
        assert client.get(url).status_code == 200


def test_next_free_slot_skips_busy_times(cast, client_for):
    day = tomorrow(cast)
    cedar = room(cast)
    book(cast, PREP, local(cast, day, 8), minutes=90, couple=cast.other_couple)
    url = reverse("clinic_sessions:next_free_slot")
    query = f"?room={cedar.pk}&duration=60&after={day.isoformat()}&couple={cast.couple.pk}"
    page = client_for(cast.front_desk).get(url + query).content.decode()
    assert "09:30" in page
    assert "Book it" in page


def test_front_desk_cannot_open_the_session_record_or_write_vitals(cast, client_for):
    session = started_session(cast)
    client = client_for(cast.front_desk)
    record = reverse("clinic_sessions:session_record", kwargs={"session_id": session.pk})
    vitals = reverse("clinic_sessions:vitals_add", kwargs={"session_id": session.pk})
    dose = reverse("clinic_sessions:dose_add", kwargs={"session_id": session.pk})
    assert client.get(record).status_code in (403, 404)
    data = {"vitals-partner": cast.partner_a.pk, "vitals-moment": "pre_dose"}
    data |= {"vitals-systolic": 120, "vitals-diastolic": 80, "vitals-heart_rate": 70}
    assert client.post(vitals, data | {"vitals-spo2": 98}).status_code in (403, 404)
    assert client.post(dose, {"dose-partner": cast.partner_a.pk, "dose-mg": "10"}).status_code in (
        403,
        404,
    )
    assert not VitalSigns.objects.exists()
    assert not DoseAdministration.objects.exists()
    assert AccessLog.objects.filter(user=cast.front_desk, action="denied").count() == 3


@pytest.mark.parametrize("user_name", ["clinician_outside", "other_clinic_clinician", "partner_a"])
def test_others_cannot_open_the_session_record(cast, client_for, user_name):
    session = started_session(cast)
    url = reverse("clinic_sessions:session_record", kwargs={"session_id": session.pk})
    assert client_for(cast.user(user_name)).get(url).status_code in (403, 404)


def test_the_care_team_records_vitals_and_a_dose_over_the_cap_is_refused_keeping_input(
    cast, client_for
):
    session = started_session(cast, Approach.DUAL_HALF, dose=Decimal("100"))
    client = client_for(cast.clinician)
    record = reverse("clinic_sessions:session_record", kwargs={"session_id": session.pk})
    page = client.get(record).content.decode()
    assert "limit today <strong>50.00 mg</strong>" in page
    assert AccessLog.objects.filter(user=cast.clinician, action="read").exists()
    vitals = {"vitals-partner": cast.partner_a.pk, "vitals-moment": "pre_dose"}
    vitals |= {"vitals-systolic": 125, "vitals-diastolic": 82, "vitals-heart_rate": 70}
    url = reverse("clinic_sessions:vitals_add", kwargs={"session_id": session.pk})
    assert client.post(url, vitals | {"vitals-spo2": 98}).status_code == 302
    url = reverse("clinic_sessions:dose_add", kwargs={"session_id": session.pk})
    response = client.post(url, {"dose-partner": cast.partner_a.pk, "dose-mg": "60"})
    assert response.status_code == 400
    assert "above Alexa&#x27;s limit of 50.00 mg" in response.content.decode()
    assert 'value="60"' in response.content.decode()
    assert not DoseAdministration.objects.exists()


def test_a_bad_vitals_entry_is_shown_next_to_the_field(cast, client_for):
    session = started_session(cast)
    url = reverse("clinic_sessions:vitals_add", kwargs={"session_id": session.pk})
    data = {"vitals-partner": cast.partner_a.pk, "vitals-moment": "pre_dose"}
    data |= {"vitals-systolic": 80, "vitals-diastolic": 95, "vitals-heart_rate": "abc"}
    response = client_for(cast.clinician).post(url, data | {"vitals-spo2": 98})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Diastolic must be lower than systolic" in page
    assert "Enter a whole number" in page
    assert not VitalSigns.objects.exists()


def test_a_clinician_writes_the_plan_and_a_prescriber_approves_it(cast, client_for):
    client = client_for(cast.clinician)
    url = reverse("clinic_sessions:plan_edit", kwargs={"couple_id": cast.couple.pk})
    data = {
        "goals": "Repair after an affair.",
        "approach": Approach.SOLO,
        "dosing_partner": cast.partner_a.pk,
        "support_role": "sitter",
        "support_role_agreed": "on",
        "route": "sublingual",
        "planned_medicine_sessions": 3,
        "relational_intention": "<b>Trust</b>",
    }
    assert client.post(url, data).status_code == 302
    approve = reverse("clinic_sessions:plan_approve", kwargs={"couple_id": cast.couple.pk})
    assert client.post(approve).status_code == 403
    assert TreatmentPlan.objects.get().status == TreatmentPlan.Status.DRAFT
    client_for(cast.prescriber).post(approve)
    plan = TreatmentPlan.objects.get()
    assert plan.status == TreatmentPlan.Status.ACTIVE
    assert plan.approved_by == cast.prescriber
    assert "&lt;b&gt;Trust&lt;/b&gt;" in client.get(url).content.decode()


def test_a_solo_plan_without_a_dosing_partner_is_refused_next_to_the_field(cast, client_for):
    url = reverse("clinic_sessions:plan_edit", kwargs={"couple_id": cast.couple.pk})
    data = {"goals": "x", "approach": Approach.SOLO, "route": "sublingual"}
    response = client_for(cast.clinician).post(url, data | {"planned_medicine_sessions": 2})
    assert "A solo plan names the partner who doses." in response.content.decode()
    assert not TreatmentPlan.objects.exists()


def test_front_desk_cannot_open_the_plan(cast, client_for):
    url = reverse("clinic_sessions:plan_edit", kwargs={"couple_id": cast.couple.pk})
    response = client_for(cast.front_desk).post(url, {"goals": "x", "approach": "dual_full"})
    assert response.status_code == 403
    assert not TreatmentPlan.objects.exists()


def test_the_couple_page_shows_front_desk_the_checklist_without_clinical_detail(cast, client_for):
    make_plan(cast, approved=False)
    url = reverse("intake:couple_detail", kwargs={"couple_id": cast.couple.pk})
    desk = client_for(cast.front_desk).get(url).content.decode()
    care = client_for(cast.clinician).get(url).content.decode()
    for page in (desk, care):
        assert "Screening complete for every dosing partner" in page
        assert "Phase:" in page
    assert "has not submitted the intake form" not in desk
    assert "has not submitted the intake form" in care
    assert "Write the plan" not in desk and "Open the plan" in care


def test_a_prescriber_overrides_item_4_with_a_reason(cast, client_for):
    url = reverse("clinic_sessions:readiness_override", kwargs={"couple_id": cast.couple.pk})
    response = client_for(cast.prescriber).post(url, {"item": 4, "reason": "Prior program."})
    assert response.status_code == 302
    assert ReadinessOverride.objects.get().prescriber == cast.prescriber


def test_a_clinician_cannot_override_readiness(cast, client_for):
    url = reverse("clinic_sessions:readiness_override", kwargs={"couple_id": cast.couple.pk})
    response = client_for(cast.clinician).post(url, {"item": 4, "reason": "x"})
    assert response.status_code == 403
    assert not ReadinessOverride.objects.exists()


def test_the_clinic_admin_edits_the_protocol_and_bad_values_are_refused(cast, client_for):
    client = client_for(cast.clinic_admin)
    url = reverse("clinic_sessions:protocol_edit")
    page = client.get(url).content.decode()
    assert 'value="160"' in page
    data = {
        "preparation_sessions": 4,
        "max_medicine_sessions": 8,
        "integration_within_hours": 72,
        "caution_systolic": 140,
        "caution_diastolic": 90,
        "hold_systolic": 130,
        "hold_diastolic": 100,
        "min_monitoring_minutes": 120,
        "reading_valid_minutes": 15,
        "hold_repeat_minutes": 10,
        "spo2_floor": 92,
        "post_dose_reading_from_minutes": 30,
        "post_dose_reading_until_minutes": 50,
        "override_valid_days": 14,
        "setting_checklist": "Eye shades",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "The hold threshold must be above caution." in response.content.decode()
    assert ProtocolSettings.objects.get(clinic=cast.clinic).preparation_sessions == 2
    data |= {"preparation_sessions": 3, "hold_systolic": 170}
    assert client.post(url, data).status_code == 302
    assert ProtocolSettings.objects.get(clinic=cast.clinic).preparation_sessions == 3


def test_the_appointment_ics_is_a_calendar_file(cast, client_for):
    appointment = book(cast, PREP, local(cast, tomorrow(cast), 9))
    url = reverse("clinic_sessions:appointment_ics", kwargs={"appointment_id": appointment.pk})
    response = client_for(cast.partner_a.user).get(url)
    body = response.content.decode()
    assert response["Content-Type"].startswith("text/calendar")
    assert "BEGIN:VEVENT" in body
    assert f"UID:appointment-{appointment.pk}@kapcouples" in body
    assert client_for(cast.other_partner.user).get(url).status_code == 404


def test_the_feed_shows_initials_and_stops_when_revoked(cast, client_for):
    book(cast, PREP, local(cast, tomorrow(cast), 9))
    client = client_for(cast.clinician)
    client.post(reverse("clinic_sessions:feed_manage"), {"action": "renew"})
    feed = CalendarFeed.objects.get(revoked_at__isnull=True)
    url = reverse("clinic_sessions:feed", kwargs={"feed_token": feed.token})
    body = client_for(cast.front_desk).get(url).content.decode()  # any caller: token is the key
    assert "SUMMARY:Preparation – A." in body
    assert cast.partner_a.last_name not in body
    client.post(reverse("clinic_sessions:feed_manage"), {"action": "revoke"})
    from django.test import Client

    assert Client().get(url).status_code == 404


def test_a_wrong_feed_token_is_not_found(client, db):
    url = reverse("clinic_sessions:feed", kwargs={"feed_token": "not-a-token"})
    assert client.get(url).status_code == 404


def test_check_in_and_no_show_from_the_appointment_page(cast, client_for):
    appointment = book(cast, PREP, timezone.now() - datetime.timedelta(minutes=5))
    client = client_for(cast.front_desk)
    url = reverse("clinic_sessions:appointment_no_show", kwargs={"appointment_id": appointment.pk})
    assert client.post(url).status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.NO_SHOW


def test_cancel_needs_a_reason_on_the_form(cast, client_for):
    appointment = book(cast, PREP, local(cast, tomorrow(cast), 9))
    url = reverse("clinic_sessions:appointment_cancel", kwargs={"appointment_id": appointment.pk})
    client = client_for(cast.front_desk)
    assert "This field is required" in client.post(url, {"reason": ""}).content.decode()
    assert client.post(url, {"reason": "Unwell"}).status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED


def test_reschedule_form_moves_the_appointment(cast, client_for):
    day, cedar = tomorrow(cast), room(cast)
    appointment = book(cast, PREP, local(cast, day, 9))
    url = reverse(
        "clinic_sessions:appointment_reschedule", kwargs={"appointment_id": appointment.pk}
    )
    data = _booking_data(cast, day, "13:00", cedar)
    data.pop("kind")
    assert client_for(cast.front_desk).post(url, data).status_code == 302
    appointment.refresh_from_db()
    assert appointment.start == local(cast, day, 13)


def test_the_portal_lists_the_couples_appointments(cast, client_for):
    book(cast, PREP, local(cast, tomorrow(cast), 9))
    page = client_for(cast.partner_b.user).get(reverse("portal")).content.decode()
    assert "Your appointments" in page
    assert "Preparation" in page


def test_a_started_session_is_the_medicine_phase(cast):
    from sessions.selectors import Phase, couple_phase

    started_session(cast)
    assert couple_phase(cast.couple) == Phase.MEDICINE
    assert services.couple_initials(cast.couple).startswith("A.")
