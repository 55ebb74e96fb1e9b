from datetime import UTC, datetime, time

import pytest

from integration import services
from integration.models import Reminder
from integration.quiet_hours import is_quiet, move_out_of_quiet_hours

NIGHT = {"start": time(21, 0), "end": time(8, 0)}


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    "local,quiet",
    [(time(20, 59), False), (time(21, 0), True), (time(2, 0), True), (time(8, 0), False)],
)
def test_it_knows_quiet_hours_that_wrap_past_midnight(local, quiet):
    assert is_quiet(local, time(21, 0), time(8, 0)) is quiet


def test_it_leaves_a_daytime_message_alone():
    due = utc(2026, 6, 1, 16, 0)  # 12:00 in New York
    assert move_out_of_quiet_hours(due, zone_name="America/New_York", **NIGHT) == due


def test_it_moves_a_late_evening_message_to_the_next_morning():
    due = utc(2026, 6, 2, 2, 0)  # 22:00 EDT on 1 June
    moved = move_out_of_quiet_hours(due, zone_name="America/New_York", **NIGHT)
    assert moved == utc(2026, 6, 2, 12, 0)  # 08:00 EDT


def test_it_ends_quiet_hours_at_8_local_on_the_night_the_clocks_spring_forward():
    # 8 March 2026, New York: 02:00 EST becomes 03:00 EDT. 23:30 EST the evening before.
    due = utc(2026, 3, 8, 4, 30)
    moved = move_out_of_quiet_hours(due, zone_name="America/New_York", **NIGHT)
    assert moved == utc(2026, 3, 8, 12, 0)  # 08:00 EDT is 12:00 UTC, not 13:00


def test_it_ends_quiet_hours_at_8_local_on_the_night_the_clocks_fall_back():
    # 1 November 2026, New York: 02:00 EDT becomes 01:00 EST. 01:30 (the second one).
    due = utc(2026, 11, 1, 6, 30)
    moved = move_out_of_quiet_hours(due, zone_name="America/New_York", **NIGHT)
    assert moved == utc(2026, 11, 1, 13, 0)  # 08:00 EST


def test_a_quiet_hours_end_inside_the_spring_gap_becomes_the_first_real_moment():
    due = utc(2026, 3, 8, 6, 0)  # 01:00 EST
    moved = move_out_of_quiet_hours(
        due, zone_name="America/New_York", start=time(0, 0), end=time(2, 30)
    )
    assert moved == utc(2026, 3, 8, 7, 30)  # 02:30 does not exist; 03:30 EDT


def test_quiet_hours_follow_each_partners_own_time_zone(cast):
    cast.partner_a.timezone = "Europe/London"
    cast.partner_a.save()
    due = utc(2026, 3, 29, 21, 30)  # London: 22:30 BST (clocks went forward that morning)
    common = {"clinic_id": cast.clinic.pk, "kind": Reminder.Kind.CHECKIN_PROMPT, "due_at": due}
    london = services.reminder_schedule(partner=cast.partner_a, idempotency_key="a", **common)
    new_york = services.reminder_schedule(partner=cast.partner_b, idempotency_key="b", **common)
    assert london.next_attempt_at == utc(2026, 3, 30, 7, 0)  # 08:00 BST
    assert new_york.next_attempt_at == due  # 17:30 EDT: not quiet
    assert london.due_at == due  # the asked-for time is kept for the record
