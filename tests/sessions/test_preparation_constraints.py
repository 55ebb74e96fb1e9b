"""The database refuses, even from raw SQL, a ride-home confirmation without a name, a phone
or the promise not to drive, a blank checklist item or agenda item, and a second row for
the same partner or item."""

import pytest
from django.db import IntegrityError, connection, transaction

from tests.sessions.preparation_helpers import upcoming_session

INSERT_RIDE = """
    INSERT INTO clinic_sessions_ridehomeconfirmation
        (medicine_session_id, partner_id, will_not_drive, escort_name, escort_phone,
         escort_relationship, confirmed_by_id, confirmed_at)
    VALUES (%s, %s, %s, %s, %s, 'friend', %s, now())
"""
INSERT_TICK = """
    INSERT INTO clinic_sessions_checklisttick
        (medicine_session_id, item, done, partner_id, changed_at)
    VALUES (%s, %s, true, %s, now())
"""
INSERT_AGENDA = """
    INSERT INTO clinic_sessions_coupleagendaitem
        (couple_id, text, partner_id, added_at, withdrawn_at)
    VALUES (%s, %s, %s, now(), %s)
"""


def _execute(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _refused(sql: str, params: list, constraint: str) -> None:
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        _execute(sql, params)


def _ride(session, cast, *, promise=True, name="Robin Okoro", phone="+1 415 555 0101"):
    return [session.pk, cast.partner_a.pk, promise, name, phone, cast.partner_a.user.pk]


@pytest.mark.parametrize(
    "changes,constraint",
    [
        ({"name": ""}, "ride_home_names_escort_and_phone"),
        ({"name": "   "}, "ride_home_names_escort_and_phone"),
        ({"phone": ""}, "ride_home_names_escort_and_phone"),
        ({"phone": " \t"}, "ride_home_names_escort_and_phone"),
        ({"promise": False}, "ride_home_promises_no_driving"),
    ],
)
def test_a_confirmation_needs_a_name_a_phone_and_the_promise(changes, constraint, cast):
    session = upcoming_session(cast)
    _refused(INSERT_RIDE, _ride(session, cast, **changes), constraint)


def test_a_partner_has_one_confirmation_per_session(cast):
    session = upcoming_session(cast)
    _execute(INSERT_RIDE, _ride(session, cast))
    _refused(INSERT_RIDE, _ride(session, cast), "ride_home_once_per_partner")


def test_a_checklist_item_is_named_and_ticked_once_per_session(cast):
    session = upcoming_session(cast)
    _refused(INSERT_TICK, [session.pk, "  ", cast.partner_a.pk], "checklist_tick_names_item")
    _execute(INSERT_TICK, [session.pk, "Blanket", cast.partner_a.pk])
    _refused(
        INSERT_TICK, [session.pk, "Blanket", cast.partner_b.pk], "checklist_tick_once_per_item"
    )


def test_an_agenda_item_has_text_and_is_withdrawn_after_it_was_added(cast):
    couple, partner = cast.couple.pk, cast.partner_a.pk
    _refused(INSERT_AGENDA, [couple, " ", partner, None], "agenda_item_has_text")
    _refused(
        INSERT_AGENDA,
        [couple, "Money", partner, "2000-01-01T00:00:00Z"],
        "agenda_item_withdrawn_after_added",
    )
    _execute(INSERT_AGENDA, [couple, "Money", partner, None])
