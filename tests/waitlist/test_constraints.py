"""The waitlist's one-row invariants are held by the database too (raw SQL bypasses Django)."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from tests.waitlist.helpers import cancelled_slot, no_quiet_hours, second_couple, wait
from waitlist import services
from waitlist.models import WaitlistEntry

pytestmark = pytest.mark.django_db


def _refused(sql: str, params: list) -> None:
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


ENTRY = """INSERT INTO waitlist_waitlistentry (clinic_id, couple_id, kind, weekdays,
    times_of_day, earliest_date, note, status, created_by_id, created_at, booked_appointment_id)
    VALUES (%s, %s, %s, %s, %s, CURRENT_DATE, '', %s, %s, now(), NULL)"""


def _entry_row(cast, *, kind="preparation", weekdays=1, times=1, status="waiting") -> list:
    return [cast.clinic.pk, cast.couple.pk, kind, weekdays, times, status, cast.front_desk.pk]


def test_a_second_open_entry_of_one_kind_is_refused(cast):
    wait(cast)
    _refused(ENTRY, _entry_row(cast))
    _refused(ENTRY, _entry_row(cast, status="offered"))


def test_an_entry_with_no_day_or_no_time_or_impossible_bits_is_refused(cast):
    _refused(ENTRY, _entry_row(cast, weekdays=0))
    _refused(ENTRY, _entry_row(cast, weekdays=128))
    _refused(ENTRY, _entry_row(cast, times=0))
    _refused(ENTRY, _entry_row(cast, times=8))


def test_a_booked_entry_names_its_appointment_and_a_withdrawn_one_who_and_when(cast):
    _refused(ENTRY, _entry_row(cast, status="booked"))
    _refused(ENTRY, _entry_row(cast, status="withdrawn"))


def _offer(cast):
    no_quiet_hours(cast)
    slot = cancelled_slot(cast)
    entries = [wait(cast), wait(cast, couple=second_couple(cast))]
    return services.offer_send(appointment=slot, entries=entries, by=cast.front_desk)


def test_a_second_open_offer_of_one_cancelled_appointment_is_refused(cast):
    offer = _offer(cast)
    _refused(
        """INSERT INTO waitlist_slotoffer (clinic_id, cancelled_appointment_id, kind, start, "end",
           room_id, outside_hours_reason, offered_by_id, offered_at, status)
           SELECT clinic_id, cancelled_appointment_id, kind, start, "end", room_id, '',
           offered_by_id, now(), 'open' FROM waitlist_slotoffer WHERE id = %s""",
        [offer.pk],
    )


def test_a_taken_offer_names_its_booking_and_a_closed_one_its_time(cast):
    offer = _offer(cast)
    _refused("UPDATE waitlist_slotoffer SET status = 'taken' WHERE id = %s", [offer.pk])
    _refused(
        "UPDATE waitlist_slotoffer SET status = 'withdrawn', closed_at = NULL WHERE id = %s",
        [offer.pk],
    )
    _refused('UPDATE waitlist_slotoffer SET "end" = start WHERE id = %s', [offer.pk])


def test_two_accepted_answers_to_one_offer_are_refused(cast):
    offer = _offer(cast)
    first, second = offer.recipients.order_by("pk")
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            """UPDATE waitlist_offerrecipient SET outcome = 'accepted', answered_at = %s,
               answered_by_id = %s WHERE id = %s""",
            [now, cast.partner_a.user.pk, first.pk],
        )
    _refused(
        """UPDATE waitlist_offerrecipient SET outcome = 'accepted', answered_at = %s,
           answered_by_id = %s WHERE id = %s""",
        [now, cast.partner_a.user.pk, second.pk],
    )


def test_an_answer_names_who_and_when_and_a_couple_is_offered_a_time_once(cast):
    offer = _offer(cast)
    first = offer.recipients.order_by("pk").first()
    _refused("UPDATE waitlist_offerrecipient SET outcome = 'declined' WHERE id = %s", [first.pk])
    _refused(
        """INSERT INTO waitlist_offerrecipient (offer_id, entry_id, offered_by_id, sent_at,
           outcome) VALUES (%s, %s, %s, now(), 'pending')""",
        [offer.pk, first.entry_id, cast.front_desk.pk],
    )
    assert WaitlistEntry.objects.count() == 2
