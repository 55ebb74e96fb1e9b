"""The couple's shared reflection: writing, sharing with the care team, the next-day prompt."""

from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from integration import reflection, services
from integration.models import ReflectionEntry, Reminder, SharedReflection
from kapcouples.policy import NotAllowed
from kapcouples.services import DomainError
from sessions import services as sessions_services
from tests.integration.helpers import completed_medicine_session, past_appointment


def open_reflection(cast, couple=None) -> SharedReflection:
    session = completed_medicine_session(cast, days_ago=2)
    if couple is not None:
        type(session).objects.filter(pk=session.pk).update(couple=couple)
    return SharedReflection.objects.create(couple=couple or cast.couple, medicine_session=session)


def write(reflection_row, partner, **values):
    return reflection.reflection_entry_save(
        reflection=reflection_row, by=partner.user, values=values
    )


# When the tests below mark the integration session held (15:00 in New York).
HELD_AT = datetime(2026, 12, 1, 20, 0, tzinfo=UTC)


def integration_held(cast, *, hours_ago: float = 1):
    """A checked-in integration appointment of a completed medicine session, begun
    `hours_ago` before `HELD_AT` whatever the day the tests run."""
    with time_machine.travel(HELD_AT, tick=False):
        session = completed_medicine_session(cast, days_ago=1)
        appointment = past_appointment(
            cast, "integration", days_ago=hours_ago / 24, status="checked_in"
        )
    type(appointment).objects.filter(pk=appointment.pk).update(medicine_session=session)
    appointment.refresh_from_db()
    return appointment


def prompts() -> dict[int, Reminder]:
    rows = Reminder.objects.filter(kind=Reminder.Kind.REFLECTION_PROMPT)
    return {row.partner_id: row for row in rows}


# --- Writing --------------------------------------------------------------------------------
def test_each_partner_writes_their_own_attributed_part(cast):
    shared = open_reflection(cast)
    write(shared, cast.partner_a, noticed="Bobbie laughed again")
    write(shared, cast.partner_b, agreement="Phones away at dinner")
    entries = {e.partner_id: e for e in shared.entries.all()}
    assert entries[cast.partner_a.pk].noticed == "Bobbie laughed again"
    assert entries[cast.partner_b.pk].agreement == "Phones away at dinner"
    assert entries[cast.partner_b.pk].noticed == ""


def test_a_change_keeps_the_earlier_wording_in_history_and_an_unchanged_save_adds_none(cast):
    shared = open_reflection(cast)
    entry = write(shared, cast.partner_a, noticed="First words")
    write(shared, cast.partner_a, noticed="Second words")
    write(shared, cast.partner_a, noticed="Second words")
    versions = list(entry.history.order_by("history_date").values_list("noticed", flat=True))
    assert versions == ["First words", "Second words"]


def test_an_empty_part_is_refused(cast):
    shared = open_reflection(cast)
    with pytest.raises(DomainError, match="at least one of the three prompts"):
        write(shared, cast.partner_a, noticed="  ", agreement="", practise="")
    assert not ReflectionEntry.objects.exists()


@pytest.mark.parametrize("who", ["other_partner", "clinician", "front_desk"])
def test_nobody_but_the_couple_writes_in_it_and_a_refusal_writes_nothing(cast, who):
    shared = open_reflection(cast)
    with pytest.raises(NotAllowed, match="rule: can_write_reflection"):
        reflection.reflection_entry_save(
            reflection=shared, by=cast.user(who), values={"noticed": "Intruding"}
        )
    assert not ReflectionEntry.objects.exists()


# --- Sharing with the care team ---------------------------------------------------------------
def test_either_partner_shares_and_either_withdraws_each_recorded_with_who_and_when(cast):
    shared = open_reflection(cast)
    write(shared, cast.partner_a, noticed="Something")
    with time_machine.travel(datetime(2026, 12, 1, 15, 0, tzinfo=UTC), tick=False):
        reflection.reflection_sharing_set(reflection=shared, by=cast.partner_b.user, share=True)
    shared.refresh_from_db()
    assert shared.shared_with_care_team
    assert shared.sharing_changed_by == cast.partner_b.user
    assert shared.sharing_changed_at == datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
    reflection.reflection_sharing_set(reflection=shared, by=cast.partner_a.user, share=False)
    trail = shared.history.order_by("history_id").values_list(
        "shared_with_care_team", "sharing_changed_by"
    )
    assert list(trail)[-2:] == [(True, cast.partner_b.user.pk), (False, cast.partner_a.user.pk)]


def test_nothing_written_cannot_be_shared_and_sharing_twice_says_so(cast):
    shared = open_reflection(cast)
    with pytest.raises(DomainError, match="nothing to share yet"):
        reflection.reflection_sharing_set(reflection=shared, by=cast.partner_a.user, share=True)
    write(shared, cast.partner_a, noticed="Something")
    reflection.reflection_sharing_set(reflection=shared, by=cast.partner_a.user, share=True)
    with pytest.raises(DomainError, match="already shared"):
        reflection.reflection_sharing_set(reflection=shared, by=cast.partner_b.user, share=True)


@pytest.mark.parametrize("who", ["clinician", "other_partner"])
def test_the_care_team_and_other_couples_cannot_share_it(cast, who):
    shared = open_reflection(cast)
    write(shared, cast.partner_a, noticed="Something")
    with pytest.raises(NotAllowed, match="rule: can_share_reflection"):
        reflection.reflection_sharing_set(reflection=shared, by=cast.user(who), share=True)
    shared.refresh_from_db()
    assert not shared.shared_with_care_team


# --- The database's own rules -----------------------------------------------------------------
def raw(sql: str, params: list) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_the_database_refuses_an_entry_that_says_nothing(cast):
    shared = open_reflection(cast)
    sql = (
        "INSERT INTO integration_reflectionentry (reflection_id, partner_id, noticed, agreement,"
        " practise, written_at, updated_at) VALUES (%s, %s, '', '', '', now(), now())"
    )
    with pytest.raises(IntegrityError, match="reflection_entry_says_something"):
        raw(sql, [shared.pk, cast.partner_a.pk])


def test_the_database_refuses_a_second_entry_of_one_partner(cast):
    shared = open_reflection(cast)
    write(shared, cast.partner_a, noticed="Once")
    sql = (
        "INSERT INTO integration_reflectionentry (reflection_id, partner_id, noticed, agreement,"
        " practise, written_at, updated_at) VALUES (%s, %s, 'Twice', '', '', now(), now())"
    )
    with pytest.raises(IntegrityError, match="reflection_entry_once_per_partner"):
        raw(sql, [shared.pk, cast.partner_a.pk])


def test_the_database_refuses_sharing_that_names_nobody(cast):
    shared = open_reflection(cast)
    sql = "UPDATE integration_sharedreflection SET shared_with_care_team = true WHERE id = %s"
    with pytest.raises(IntegrityError, match="reflection_sharing_names_who_and_when"):
        raw(sql, [shared.pk])


# --- The prompt the day after the integration session -----------------------------------------
def test_completing_the_integration_session_prompts_both_partners_next_morning_their_time(cast):
    cast.partner_b.timezone = "Europe/Berlin"
    cast.partner_b.save()
    appointment = integration_held(cast)
    with time_machine.travel(HELD_AT, tick=False):
        sessions_services.appointment_complete(appointment=appointment, by=cast.clinician)
    shared = SharedReflection.objects.get(couple=cast.couple)
    sent = prompts()
    # 20:00 UTC is 15:00 in New York (1 Dec) and 21:00 in Berlin (1 Dec): 10:00 on 2 Dec.
    assert sent[cast.partner_a.pk].due_at == datetime(2026, 12, 2, 15, 0, tzinfo=UTC)
    assert sent[cast.partner_b.pk].due_at == datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    assert sent[cast.partner_a.pk].link_path == f"/reflections/{shared.pk}/"


def test_the_prompt_waits_for_the_end_of_the_clinics_quiet_hours(cast):
    messaging = services.messaging_settings_for(cast.clinic.pk)
    messaging.quiet_start, messaging.quiet_end = time(21, 0), time(11, 30)
    messaging.save()
    appointment = integration_held(cast)
    with time_machine.travel(HELD_AT, tick=False):
        sessions_services.appointment_complete(appointment=appointment, by=cast.clinician)
    prompt = prompts()[cast.partner_a.pk]
    assert prompt.due_at == datetime(2026, 12, 2, 15, 0, tzinfo=UTC)  # 10:00 New York
    assert prompt.next_attempt_at == datetime(2026, 12, 2, 16, 30, tzinfo=UTC)  # 11:30


def test_the_prompt_is_sent_the_next_day_with_a_link_and_no_words_of_the_reflection(cast):
    appointment = integration_held(cast)
    with time_machine.travel(HELD_AT, tick=False):
        sessions_services.appointment_complete(appointment=appointment, by=cast.clinician)
        assert services.reminders_deliver_due() == 0  # not on the day itself
    with time_machine.travel(datetime(2026, 12, 2, 15, 1, tzinfo=UTC), tick=False):
        assert services.reminders_deliver_due() == 2
    assert {tuple(m.to) for m in mail.outbox} == {
        (cast.partner_a.email,),
        (cast.partner_b.email,),
    }
    shared = SharedReflection.objects.get(couple=cast.couple)
    assert f"/reflections/{shared.pk}/" in mail.outbox[0].body
    assert all(r.status == Reminder.Status.SENT for r in prompts().values())


def test_a_partner_who_already_wrote_their_part_is_not_prompted(cast):
    appointment = integration_held(cast)
    shared = SharedReflection.objects.create(
        couple=cast.couple, medicine_session_id=appointment.medicine_session_id
    )
    write(shared, cast.partner_a, noticed="Written before the session was marked held")
    with time_machine.travel(HELD_AT, tick=False):
        sessions_services.appointment_complete(appointment=appointment, by=cast.clinician)
    assert set(prompts()) == {cast.partner_b.pk}


def test_writing_after_the_prompt_was_scheduled_cancels_it_so_it_is_never_sent(cast):
    appointment = integration_held(cast)
    with time_machine.travel(HELD_AT, tick=False):
        sessions_services.appointment_complete(appointment=appointment, by=cast.clinician)
    shared = SharedReflection.objects.get(couple=cast.couple)
    write(shared, cast.partner_a, practise="Listening without fixing")
    with time_machine.travel(datetime(2026, 12, 2, 15, 1, tzinfo=UTC), tick=False):
        assert services.reminders_deliver_due() == 1
    assert [m.to for m in mail.outbox] == [[cast.partner_b.email]]
    assert prompts()[cast.partner_a.pk].status == Reminder.Status.CANCELLED


def test_completing_another_kind_of_appointment_opens_no_reflection(cast):
    appointment = past_appointment(cast, "preparation", days_ago=0.05, status="checked_in")
    sessions_services.appointment_complete(appointment=appointment, by=cast.clinician)
    assert not SharedReflection.objects.exists()
    assert prompts() == {}


# --- The portal's invitation ------------------------------------------------------------------
def test_a_partner_is_invited_until_they_write_their_part_and_not_after_a_month(cast):
    shared = open_reflection(cast)
    now = timezone.now()
    assert reflection.reflection_invited(cast.partner_a, now) == shared
    assert reflection.reflection_invited(cast.other_partner, now) is None
    write(shared, cast.partner_a, noticed="Done")
    assert reflection.reflection_invited(cast.partner_a, now) is None
    assert reflection.reflection_invited(cast.partner_b, now) == shared
    assert reflection.reflection_invited(cast.partner_b, now + timedelta(days=31)) is None
