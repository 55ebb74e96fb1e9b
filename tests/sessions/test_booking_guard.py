"""Opening hours and the booking guard: a time in the past, outside opening hours or ending
on another day is booked only with a written reason, kept with the appointment."""

import datetime

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction

from integration.models import Reminder
from kapcouples.policy import NotAllowed
from kapcouples.services import DomainError
from sessions import services
from sessions.hours import opening_hours_for
from sessions.models import Appointment, OpeningHours
from tests.factories import ClinicFactory
from tests.sessions.factories import local, room

PREP = Appointment.Kind.PREPARATION
# A Wednesday 10:00 in New York, the cast's clinic zone.
NOW = datetime.datetime(2026, 6, 3, 14, 0, tzinfo=datetime.UTC)
WEDNESDAY = datetime.date(2026, 6, 3)
REASON = "Evening session agreed with both partners"


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def book(cast, start, *, minutes=60, **reasons):
    return services.appointment_book(
        couple=cast.couple,
        kind=PREP,
        start=start,
        end=start + datetime.timedelta(minutes=minutes),
        room=room(cast),
        clinicians=[cast.clinician],
        by=cast.front_desk,
        **reasons,
    )


def nothing_written() -> bool:
    return not Appointment.objects.exists() and not Reminder.objects.exists()


def test_a_new_clinic_is_open_seven_to_nine_every_day(db):
    hours = opening_hours_for(ClinicFactory().pk)
    assert sorted(hours) == list(range(7))
    assert {(h.opens, h.closes, h.is_closed) for h in hours.values()} == {
        (datetime.time(7), datetime.time(21), False)
    }


def test_a_booking_ten_days_in_the_past_is_refused_without_a_reason(cast, clock):
    with pytest.raises(services.ConfirmationNeeded, match="starts in the past") as refused:
        book(cast, local(cast, WEDNESDAY - datetime.timedelta(days=10), 10))
    assert refused.value.concerns.backdated and not refused.value.concerns.outside_hours
    assert nothing_written()


def test_a_backdated_booking_keeps_its_reason_and_tells_nobody(cast, clock):
    reason = "Entered after the paper diary was lost"
    appointment = book(
        cast, local(cast, WEDNESDAY - datetime.timedelta(days=10), 10), backdated_reason=reason
    )
    appointment.refresh_from_db()
    assert appointment.backdated_reason == reason and appointment.outside_hours_reason == ""
    assert not Reminder.objects.exists()


def test_a_walk_in_booked_as_they_arrive_is_not_backdated(cast, clock):
    appointment = book(cast, NOW - datetime.timedelta(minutes=10))
    assert appointment.backdated_reason == ""
    assert Reminder.objects.about(appointment).exists()


def test_a_booking_from_half_past_eleven_to_half_past_five_is_refused(cast, clock):
    with pytest.raises(services.ConfirmationNeeded, match="ends on another day"):
        book(cast, local(cast, WEDNESDAY, 23, 30), minutes=360)
    assert nothing_written()


def test_a_night_booking_with_its_reason_is_kept_and_confirmed_to_the_couple(cast, clock):
    appointment = book(
        cast, local(cast, WEDNESDAY, 23, 30), minutes=360, outside_hours_reason=REASON
    )
    appointment.refresh_from_db()
    assert appointment.outside_hours_reason == REASON and appointment.backdated_reason == ""
    kinds = set(Reminder.objects.about(appointment).values_list("kind", flat=True))
    assert Reminder.Kind.APPOINTMENT_CONFIRMATION in kinds


def test_a_booking_outside_the_days_hours_names_them(cast, clock):
    OpeningHours.objects.filter(clinic=cast.clinic, weekday=3).update(
        opens=datetime.time(9), closes=datetime.time(17)
    )
    thursday = WEDNESDAY + datetime.timedelta(days=1)
    with pytest.raises(
        services.ConfirmationNeeded, match="Thursdays the clinic is open 09:00–17:00"
    ):
        book(cast, local(cast, thursday, 16, 30))
    assert book(cast, local(cast, thursday, 16)).outside_hours_reason == ""


def test_a_booking_on_a_closed_day_says_so(cast, clock):
    OpeningHours.objects.filter(clinic=cast.clinic, weekday=6).update(is_closed=True)
    sunday = WEDNESDAY + datetime.timedelta(days=4)
    with pytest.raises(services.ConfirmationNeeded, match="closed on Sundays"):
        book(cast, local(cast, sunday, 10))


def test_an_end_at_midnight_is_still_the_same_day(cast, clock):
    OpeningHours.objects.filter(clinic=cast.clinic, weekday=2).update(
        closes=datetime.time(23, 59, 59, 999999)
    )
    assert book(cast, local(cast, WEDNESDAY, 23), minutes=60).outside_hours_reason == ""


def test_a_reason_of_a_few_characters_is_refused(cast, clock):
    with pytest.raises(DomainError, match="at least 10 characters"):
        book(cast, local(cast, WEDNESDAY, 22), outside_hours_reason="late")
    assert nothing_written()


def test_a_reason_given_where_none_is_needed_is_not_stored(cast, clock):
    appointment = book(cast, local(cast, WEDNESDAY, 11), outside_hours_reason=REASON)
    assert appointment.outside_hours_reason == ""


def test_someone_who_may_not_book_is_refused_before_the_time_is_judged(cast, clock):
    with pytest.raises(NotAllowed):
        services.appointment_book(
            couple=cast.couple,
            kind=PREP,
            start=local(cast, WEDNESDAY, 23),
            end=local(cast, WEDNESDAY, 23, 30),
            room=room(cast),
            clinicians=[cast.clinician],
            by=cast.partner_a.user,
            outside_hours_reason=REASON,
        )
    assert nothing_written()


def test_moving_an_appointment_into_the_past_needs_a_reason_and_calls_off_its_messages(cast, clock):
    appointment = book(cast, local(cast, WEDNESDAY + datetime.timedelta(days=2), 10))
    yesterday = local(cast, WEDNESDAY - datetime.timedelta(days=1), 10)
    move = {
        "appointment": appointment,
        "start": yesterday,
        "end": yesterday + datetime.timedelta(hours=1),
        "room": room(cast),
        "clinicians": [cast.clinician],
        "by": cast.front_desk,
    }
    with pytest.raises(services.ConfirmationNeeded, match="starts in the past"):
        services.appointment_reschedule(**move)
    appointment.refresh_from_db()
    assert appointment.start > NOW
    services.appointment_reschedule(**move, backdated_reason="It was held a day early")
    appointment.refresh_from_db()
    assert appointment.start == yesterday and appointment.backdated_reason
    assert not Reminder.objects.about(appointment).filter(status="pending").exists()


def test_moving_to_the_night_needs_a_reason(cast, clock):
    appointment = book(cast, local(cast, WEDNESDAY, 11))
    night = local(cast, WEDNESDAY, 22)
    with pytest.raises(services.ConfirmationNeeded, match="outside opening hours"):
        services.appointment_reschedule(
            appointment=appointment,
            start=night,
            end=night + datetime.timedelta(hours=1),
            room=room(cast),
            clinicians=[cast.clinician],
            by=cast.front_desk,
        )
    appointment.refresh_from_db()
    assert appointment.start == local(cast, WEDNESDAY, 11)


# --- The database's word ------------------------------------------------------------------
def execute(sql: str, params) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.parametrize("field", ["outside_hours_reason", "backdated_reason"])
def test_raw_sql_cannot_store_a_reason_of_a_few_characters(cast, clock, field):
    appointment = book(cast, local(cast, WEDNESDAY, 11))
    with pytest.raises(IntegrityError, match="appt_confirmation_reasons_meaningful"):
        execute(
            f"UPDATE {Appointment._meta.db_table} SET {field} = %s WHERE id = %s",
            ["late", appointment.pk],
        )


def test_raw_sql_cannot_close_before_opening_or_add_an_eighth_day(cast):
    table = OpeningHours._meta.db_table
    row = opening_hours_for(cast.clinic.pk)[0]
    with pytest.raises(IntegrityError, match="opening_closes_after_opens"):
        execute(f"UPDATE {table} SET closes = '06:00' WHERE id = %s", [row.pk])
    with pytest.raises(IntegrityError, match="opening_weekday_0_to_6"):
        execute(f"UPDATE {table} SET weekday = 7 WHERE id = %s", [row.pk])
    with pytest.raises(IntegrityError, match="opening_once_per_weekday"):
        execute(f"UPDATE {table} SET weekday = 1 WHERE id = %s", [row.pk])


# --- Setting the hours ----------------------------------------------------------------------
def _monday(opens=datetime.time(9), closes=datetime.time(17), is_closed=False) -> dict:
    return {0: {"opens": opens, "closes": closes, "is_closed": is_closed}}


def test_the_clinic_admin_sets_the_hours_and_the_history_keeps_the_old_ones(cast):
    services.opening_hours_update(clinic_id=cast.clinic.pk, values=_monday(), by=cast.clinic_admin)
    monday = opening_hours_for(cast.clinic.pk)[0]
    assert (monday.opens, monday.closes) == (datetime.time(9), datetime.time(17))
    assert [h.opens for h in monday.history.order_by("history_date")] == [
        datetime.time(7),
        datetime.time(9),
    ]


@pytest.mark.parametrize("who", ["front_desk", "clinician", "other_clinic_clinician"])
def test_only_the_clinics_admin_sets_its_hours(cast, who):
    with pytest.raises(NotAllowed, match="can_manage_clinic"):
        services.opening_hours_update(clinic_id=cast.clinic.pk, values=_monday(), by=cast.user(who))
    assert opening_hours_for(cast.clinic.pk)[0].opens == datetime.time(7)


def test_hours_closing_before_they_open_are_refused(cast):
    with pytest.raises(DomainError, match="close after it opens"):
        services.opening_hours_update(
            clinic_id=cast.clinic.pk,
            values=_monday(opens=datetime.time(18), closes=datetime.time(9)),
            by=cast.clinic_admin,
        )
    assert opening_hours_for(cast.clinic.pk)[0].opens == datetime.time(7)
