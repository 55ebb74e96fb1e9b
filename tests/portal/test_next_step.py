"""The next-step function alone: a snapshot in, one step out (no database)."""

import zoneinfo
from datetime import UTC, datetime, timedelta

from intake.models import Partner
from integration import due
from portal.next_step import PROVIDERS, NextStep, next_step
from portal.selectors import AppointmentRow, Snapshot

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # a Tuesday; 10:00 in New York
ZONE = zoneinfo.ZoneInfo("America/New_York")


def item(kind, ref=None, **extra) -> due.DueItem:
    return due.DueItem(
        partner_id=1, kind=kind, ref=ref or kind, label=f"Do the {kind}", link=f"/{kind}/", **extra
    )


def appointment(kind="preparation", *, days=2, hour=15, label="Preparation session"):
    start = NOW.replace(hour=hour) + timedelta(days=days)
    return AppointmentRow(
        pk=7, kind=kind, kind_label=label, start=start, end=start + timedelta(hours=1),
        room="Cedar room", status_label="Booked", ics_link="/appointments/7/ics/",
    )  # fmt: skip


def snapshot(due_items=(), upcoming=(), **extra) -> Snapshot:
    return Snapshot(
        partner=Partner(pk=1, timezone="America/New_York"),
        now=NOW,
        zone=ZONE,
        due=list(due_items),
        upcoming=list(upcoming),
        **extra,
    )


def test_the_consent_comes_before_everything_else():
    items = [item(due.INTAKE), item(due.CHECKIN), item(due.CONSENT)]
    step = next_step(snapshot(items, [appointment(days=0)]))
    assert (step.key, step.link) == ("consent", "/consent/")


def test_an_unfinished_intake_names_its_step():
    intake = item(due.INTAKE, detail="Step 4 of 8", step_number=4, step_count=8)
    step = next_step(snapshot([intake, item(due.QUESTIONNAIRE)]))
    assert (step.key, step.detail, step.action) == ("intake", "Step 4 of 8", "Continue")


def test_an_intake_not_started_says_start():
    intake = item(due.INTAKE, detail="Step 1 of 8", step_number=1, step_count=8)
    assert next_step(snapshot([intake])).action == "Start"


def test_a_questionnaire_due_this_week_names_the_day():
    friday = NOW + timedelta(days=3)
    reason = "Before your session"
    step = next_step(snapshot([item(due.QUESTIONNAIRE, due_by=friday, detail=reason)]))
    assert step.key == "questionnaire" and step.detail == "Before your session. By Friday."


def test_a_questionnaire_due_later_names_the_date():
    later = NOW + timedelta(days=12)
    step = next_step(snapshot([item(due.QUESTIONNAIRE, due_by=later)]))
    assert step.detail == "By 13 December."


def test_a_check_in_comes_after_questionnaires():
    step = next_step(snapshot([item(due.CHECKIN), item(due.QUESTIONNAIRE)]))
    assert step.key == "questionnaire"
    assert next_step(snapshot([item(due.CHECKIN)])).key == "checkin"


def test_a_session_soon_is_shown_in_the_partners_zone_with_what_to_bring():
    medicine = appointment("medicine", days=2, label="Medicine session")  # Thu 15:00 UTC
    step = next_step(
        snapshot(upcoming=[medicine], preparation_lines=["Bring socks"], ride_home="Pat")
    )
    assert step.key == "appointment"
    assert step.title == "Medicine session Thursday 10:00 at Cedar room"
    assert step.notes == [
        "Bring socks",
        "Pat takes you home; you may not drive until the next day.",
    ]
    assert step.link == "/appointments/7/ics/"


def test_a_medicine_session_without_a_ride_home_asks_for_one():
    step = next_step(snapshot(upcoming=[appointment("medicine", label="Medicine session")]))
    assert step.notes == [
        "Arrange for someone to take you home: you may not drive until the next day."
    ]


def test_a_session_tomorrow_says_tomorrow():
    step = next_step(snapshot(upcoming=[appointment(days=1)]))
    assert step.title == "Preparation session tomorrow 10:00 at Cedar room"


def test_a_session_weeks_away_is_what_happens_next_not_a_step():
    step = next_step(snapshot(upcoming=[appointment(days=20)]))
    assert step.key == "nothing"
    assert step.detail == "Your next appointment: Preparation session, 21 December 10:00."
    assert not step.action


def test_with_nothing_booked_the_care_team_will_be_in_touch():
    step = next_step(snapshot())
    assert step.key == "nothing" and "will be in touch" in step.detail


def test_another_provider_is_one_function_in_the_list():
    def ride_home_step(shot: Snapshot) -> NextStep | None:
        return NextStep(key="ride_home", title="Confirm your ride home")

    providers = [PROVIDERS[0], ride_home_step, *PROVIDERS[1:]]
    assert next_step(snapshot([item(due.INTAKE)]), providers).key == "ride_home"
    assert next_step(snapshot([item(due.CONSENT)]), providers).key == "consent"
