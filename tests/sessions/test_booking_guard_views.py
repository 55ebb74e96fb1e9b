"""The booking form asks to confirm a time in the past or outside opening hours next to the
time, keeping what was typed; the clinic admin's opening-hours page."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from integration.models import Reminder
from sessions.hours import opening_hours_for
from sessions.models import Appointment
from tests.factories import ClinicFactory
from tests.sessions.factories import book, local, room
from tests.sessions.test_booking_guard import NOW, WEDNESDAY
from tests.sessions.test_views import _booking_data

HOURS_URL = reverse("clinic_sessions:opening_hours_edit")


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def new_url(cast) -> str:
    return reverse("clinic_sessions:appointment_new", kwargs={"couple_id": cast.couple.pk})


def test_a_night_booking_is_asked_about_next_to_the_time_keeping_the_typing(
    cast, client_for, clock
):
    data = _booking_data(cast, WEDNESDAY, "22:30", room(cast))
    response = client_for(cast.front_desk).post(new_url(cast), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "outside opening hours: on Wednesdays the clinic is open 07:00–21:00" in page
    assert 'type="checkbox" name="confirm_outside_hours"' in page
    assert 'name="outside_hours_reason"' in page and 'value="22:30"' in page
    assert 'name="confirm_backdated"' in page and 'type="hidden" name="confirm_backdated"' in page
    assert not Appointment.objects.exists()


def test_ticking_the_box_with_a_reason_books_it_and_keeps_the_reason(cast, client_for, clock):
    data = _booking_data(
        cast,
        WEDNESDAY,
        "22:30",
        room(cast),
        confirm_outside_hours="on",
        outside_hours_reason="Only time both partners can come",
    )
    assert client_for(cast.front_desk).post(new_url(cast), data).status_code == 302
    assert Appointment.objects.get().outside_hours_reason == "Only time both partners can come"


def test_a_ticked_box_without_a_real_reason_is_refused_next_to_the_reason(cast, client_for, clock):
    data = _booking_data(
        cast, WEDNESDAY, "22:30", room(cast), confirm_outside_hours="on", outside_hours_reason="x"
    )
    page = client_for(cast.front_desk).post(new_url(cast), data).content.decode()
    assert "Say why in at least 10 characters" in page
    assert '<span id="error_1_id_outside_hours_reason"><strong>Say why' in page
    assert 'name="outside_hours_reason" value="x"' in page
    assert not Appointment.objects.exists()


def test_a_past_booking_is_recorded_only_when_confirmed_and_sends_nothing(cast, client_for, clock):
    past = WEDNESDAY - datetime.timedelta(days=10)
    client = client_for(cast.front_desk)
    page = client.post(new_url(cast), _booking_data(cast, past, "10:00", room(cast)))
    assert "starts in the past" in page.content.decode()
    assert not Appointment.objects.exists()
    data = _booking_data(
        cast,
        past,
        "10:00",
        room(cast),
        confirm_backdated="on",
        backdated_reason="Entered from the paper diary",
    )
    assert client.post(new_url(cast), data).status_code == 302
    assert Appointment.objects.get().backdated_reason == "Entered from the paper diary"
    assert not Reminder.objects.exists()


def test_moving_an_appointment_to_the_night_asks_for_a_reason(cast, client_for, clock):
    appointment = book(cast, Appointment.Kind.PREPARATION, local(cast, WEDNESDAY, 11))
    url = reverse("clinic_sessions:appointment_reschedule", args=[appointment.pk])
    data = _booking_data(cast, WEDNESDAY, "22:00", room(cast))
    page = client_for(cast.front_desk).post(url, data).content.decode()
    assert "outside opening hours" in page
    appointment.refresh_from_db()
    assert appointment.start == local(cast, WEDNESDAY, 11)


# --- The opening-hours page ------------------------------------------------------------------
def _hours_data(**changes) -> dict:
    data = {}
    for day in range(7):
        data |= {f"{day}_opens": "07:00", f"{day}_closes": "21:00"}
    return data | changes


def test_the_clinic_admin_sets_the_hours(cast, client_for):
    client = client_for(cast.clinic_admin)
    assert "Wednesday" in client.get(HOURS_URL).content.decode()
    data = _hours_data(**{"0_opens": "09:00", "0_closes": "17:30", "6_is_closed": "on"})
    assert client.post(HOURS_URL, data).status_code == 302
    hours = opening_hours_for(cast.clinic.pk)
    assert (hours[0].opens, hours[0].closes) == (datetime.time(9), datetime.time(17, 30))
    assert hours[6].is_closed and not hours[5].is_closed


def test_closing_before_opening_is_shown_next_to_the_day_keeping_the_typing(cast, client_for):
    data = _hours_data(**{"2_opens": "18:00", "2_closes": "08:00"})
    response = client_for(cast.clinic_admin).post(HOURS_URL, data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "The clinic must close after it opens." in page and 'value="18:00"' in page
    assert opening_hours_for(cast.clinic.pk)[2].opens == datetime.time(7)


@pytest.mark.parametrize("who", ["front_desk", "clinician", "partner_a", "other_clinic_clinician"])
def test_only_the_clinic_admin_opens_the_hours_page(cast, client_for, who):
    response = client_for(cast.user(who)).post(HOURS_URL, _hours_data(**{"0_opens": "10:00"}))
    assert response.status_code == 403
    assert opening_hours_for(cast.clinic.pk)[0].opens == datetime.time(7)


def test_the_hours_page_makes_a_fixed_number_of_queries(
    cast, client_for, django_assert_max_num_queries
):
    client = client_for(cast.clinic_admin)
    with django_assert_max_num_queries(30) as few:
        client.get(HOURS_URL)
    for _ in range(10):  # other clinics' hours
        opening_hours_for(ClinicFactory().pk)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(HOURS_URL)


def test_the_appointment_page_shows_why_it_was_booked_outside_hours(cast, client_for, clock):
    reason = "Only time both partners can come"
    appointment = book(
        cast,
        Appointment.Kind.PREPARATION,
        local(cast, WEDNESDAY, 22),
        outside_hours_reason=reason,
    )
    url = reverse("clinic_sessions:appointment_detail", args=[appointment.pk])
    page = client_for(cast.front_desk).get(url).content.decode()
    assert f'data-testid="outside-hours-reason">{reason}<' in page
    assert 'data-testid="backdated-reason"' not in page


def test_check_first_names_a_night_time_without_saving(cast, client_for, clock):
    data = _booking_data(cast, WEDNESDAY, "22:30", room(cast), check="1")
    page = client_for(cast.front_desk).post(new_url(cast), data).content.decode()
    assert "No conflict" in page and "outside opening hours" in page
    assert 'type="checkbox" name="confirm_outside_hours"' in page
    assert not Appointment.objects.exists()
