"""The session record page reads one sheet built from the rules the services enforce."""

from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from intake.models import Prescription
from sessions.models import AdverseEvent, Approach, Discharge, MedicineSession, VitalSigns
from tests.intake.factories import PrescriptionFactory
from tests.sessions.factories import started_session
from tests.sessions.record_helpers import (
    discharge,
    dosed_session,
    minutes,
    readings_for_discharge,
    vitals,
)


def _record(session) -> str:
    return reverse("clinic_sessions:session_record", kwargs={"session_id": session.pk})


def test_the_page_says_what_each_dosing_partner_still_needs_before_a_dose(cast, client_for):
    session = started_session(cast, Approach.DUAL_FULL)
    page = client_for(cast.clinician).get(_record(session)).content.decode()
    assert 'data-testid="now"' in page
    assert "Take Alexa&#x27;s vitals first" in page
    assert "Take Bobbie&#x27;s vitals first" in page


def test_after_a_dose_the_page_shows_the_post_dose_reading_and_discharge_times(cast, client_for):
    session, given = dosed_session(cast)
    page = client_for(cast.clinician).get(_record(session)).content.decode()
    zone = cast.clinic.zone
    opens = (given + minutes(30)).astimezone(zone)
    leave = (given + minutes(120)).astimezone(zone)
    assert f"post-dose reading is due between {opens:%H:%M}" in page
    assert f"discharge from {leave:%H:%M}" in page


def test_the_page_counts_the_minutes_since_each_partners_last_dose(cast, client_for):
    session, given = dosed_session(cast)
    with time_machine.travel(given + minutes(23), tick=False):
        page = client_for(cast.clinician).get(_record(session)).content.decode()
    at = given.astimezone(cast.clinic.zone)
    assert f'Last dose <time datetime="{at.isoformat()}"' in page
    assert f">23 min</time> ago, at {at:%H:%M}" in page
    assert "js/minutes-since" in page  # keeps the count going between loads


def test_no_dose_counter_once_the_partner_is_discharged(cast, client_for):
    session, given = dosed_session(cast)
    leave = given + minutes(125)
    readings_for_discharge(cast, session, cast.partner_a, given, leave)
    with time_machine.travel(leave, tick=False):
        discharge(cast, session, cast.partner_a, leave)
        page = client_for(cast.clinician).get(_record(session)).content.decode()
    assert 'data-testid="since-dose"' not in page


def test_only_a_prescriber_is_offered_the_hold_override(cast, client_for):
    session = started_session(cast)
    vitals(cast, session, cast.partner_a, 170, 95)
    assert "Override hold" not in client_for(cast.clinician).get(_record(session)).content.decode()
    assert "Override hold" in client_for(cast.prescriber).get(_record(session)).content.decode()


def test_a_clinician_posting_a_hold_override_gets_403_and_nothing_changes(cast, client_for):
    session = started_session(cast)
    reading = vitals(cast, session, cast.partner_a, 170, 95)
    url = reverse(
        "clinic_sessions:vitals_acknowledge",
        kwargs={"session_id": session.pk, "vitals_id": reading.pk},
    )
    response = client_for(cast.clinician).post(url, {"reason": "Looks fine to me."})
    assert response.status_code == 403
    reading.refresh_from_db()
    assert reading.acknowledged_by is None


def test_a_refused_escort_is_shown_next_to_its_field_and_the_typing_is_kept(cast, client_for):
    session, _ = dosed_session(cast)
    now = timezone.now()
    # The page discharges "now": put the dose far enough back for the rules to allow it.
    session.doses.update(given_at=now - minutes(130))
    session.vitals.update(taken_at=now - minutes(131))
    readings_for_discharge(cast, session, cast.partner_a, now - minutes(130), now)
    url = reverse("clinic_sessions:discharge_add", kwargs={"session_id": session.pk})
    data = {
        "discharge-partner": cast.partner_a.pk,
        "discharge-escort_partner": "",
        "discharge-escort_name": cast.partner_a.first_name.upper(),
        "discharge-escort_phone": "555 123 4567",
        "discharge-escort_relationship": "partner",
    }
    response = client_for(cast.clinician).post(url, data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "received the medicine today" in page
    assert 'id="error_1_id_discharge-escort_name"' in page
    assert 'value="555 123 4567"' in page
    assert not Discharge.objects.exists()
    data["discharge-escort_name"] = "Jordan Rivers"
    assert client_for(cast.clinician).post(url, data).status_code == 302
    assert Discharge.objects.get().escort_name == "Jordan Rivers"


@pytest.mark.parametrize("user_name", ["front_desk", "clinician_outside", "partner_b"])
def test_wrong_people_cannot_record_a_discharge_through_the_page(cast, client_for, user_name):
    session, _ = dosed_session(cast)
    url = reverse("clinic_sessions:discharge_add", kwargs={"session_id": session.pk})
    data = {"discharge-partner": cast.partner_a.pk, "discharge-escort_name": "Jordan Rivers"}
    response = client_for(cast.user(user_name)).post(url, data)
    assert response.status_code in (403, 404)
    assert not Discharge.objects.exists()
    assert VitalSigns.objects.count() == 1


def test_a_solo_session_suggests_reversed_roles_when_the_sitter_holds_a_prescription(
    cast, client_for
):
    session = started_session(cast, Approach.SOLO)
    page = client_for(cast.clinician).get(_record(session)).content.decode()
    assert "roles reversed (Bobbie doses, Alexa is the sitter)" in page
    Prescription.objects.filter(partner=cast.partner_b).update(status="cancelled")
    page = client_for(cast.clinician).get(_record(session)).content.decode()
    assert "roles reversed" not in page


def test_the_cap_follows_the_latest_active_prescription_of_each_partner(cast, client_for):
    session = started_session(cast, Approach.DUAL_HALF)
    today = timezone.localdate(timezone=cast.clinic.zone)
    PrescriptionFactory(partner=cast.partner_b, single_dose_mg=Decimal("90"), valid_from=today)
    page = client_for(cast.clinician).get(_record(session)).content.decode()
    assert "Alexa: prescribed 100.00 mg" in page
    assert "Bobbie: prescribed 90.00 mg" in page
    assert "limit today <strong>45.00 mg</strong>" in page


def test_a_finished_sessions_record_reads_everything_in_a_few_queries(
    cast, client_for, django_assert_max_num_queries
):
    session, _ = dosed_session(cast)
    AdverseEvent.objects.create(
        medicine_session=session,
        partner=cast.partner_a,
        kind=AdverseEvent.Kind.NAUSEA,
        severity=AdverseEvent.Severity.MILD,
        action="Rested.",
        occurred_at=timezone.now(),
        recorded_by=cast.clinician,
    )
    MedicineSession.objects.filter(pk=session.pk).update(status=MedicineSession.Status.COMPLETED)
    client = client_for(cast.clinician)
    client.get(_record(session))  # the first request settles sessions and settings rows
    with django_assert_max_num_queries(13):  # 11, the navigation's alert and unread-message counts
        page = client.get(_record(session)).content.decode()
    assert "Alexa · <strong>80.00 mg</strong>" in page
    assert "Alexa · Nausea" in page


@pytest.mark.parametrize("keeps_stock", [False, True])
def test_every_recording_form_offers_the_partners_to_choose(cast, client_for, keeps_stock):
    from tests.stock.helpers import receive

    session = started_session(cast)
    if keeps_stock:
        receive(cast, "500", lot_number="K-1")

    page = client_for(cast.clinician).get(
        reverse("clinic_sessions:session_record", kwargs={"session_id": session.pk})
    )

    for prefix in ("vitals", "dose"):
        select = page.content.decode().split(f'name="{prefix}-partner"')[1].split("</select>")[0]
        assert f'value="{cast.partner_a.pk}"' in select and f'value="{cast.partner_b.pk}"' in select
