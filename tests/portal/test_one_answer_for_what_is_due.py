"""The next-step card, the due list and the reminders give one answer, in every state."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from integration import due
from integration.delivery import still_wanted
from portal.next_step import next_step
from portal.selectors import portal_snapshot
from sessions.models import Appointment
from tests.portal import helpers


def portal_text(client) -> str:
    html = client.get(reverse("portal")).content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def agreement(cast, client_for, partner, reminders):
    """What the three say for `partner` now; fails where they disagree."""
    partner.refresh_from_db()
    now = timezone.now()
    items = due.items_due(partner, now=now)
    step = next_step(portal_snapshot(partner, now=now))
    page = portal_text(client_for(partner.user))
    assert step.title in page
    for item in items:
        assert str(item.label) in page
    refs = {item.ref for item in items}
    for reminder in reminders:
        assert still_wanted(reminder) == (due.reminder_ref(reminder) in refs), reminder.kind
    if items:  # the card leads to the first thing on the list, never to something else
        assert step.link in {item.link for item in items}
    return step, refs


def test_just_invited_the_card_asks_for_the_consent_and_the_nudge_is_wanted(cast, client_for):
    text = helpers.publish_consent(cast)
    invitation = helpers.invite(cast, cast.partner_a)
    reminders = helpers.task_reminders(cast.partner_a, invitation=invitation)
    step, refs = agreement(cast, client_for, cast.partner_a, reminders)
    assert step.key == "consent" and {"consent", "intake"} <= refs
    assert {f"screening:{code}" for code in helpers.SCREENING_ANSWERS} <= refs
    assert text.pk  # published, so there is something to sign


def test_with_an_intake_draft_the_card_names_the_next_step_of_eight(cast, client_for):
    text = helpers.publish_consent(cast)
    helpers.sign_consent(cast.partner_a, text)
    invitation = helpers.invite(cast, cast.partner_a)
    helpers.save_steps(cast.partner_a, 3)
    reminders = helpers.task_reminders(cast.partner_a, invitation=invitation)
    step, refs = agreement(cast, client_for, cast.partner_a, reminders)
    assert step.key == "intake" and step.detail == "Step 4 of 8"
    assert "consent" not in refs and "intake" in refs


def test_with_the_intake_submitted_and_no_consent_the_nudge_is_no_longer_wanted(cast, client_for):
    helpers.publish_consent(cast)
    invitation = helpers.invite(cast, cast.partner_a)
    helpers.submit_intake(cast.partner_a)
    reminders = helpers.task_reminders(cast.partner_a, invitation=invitation)
    step, refs = agreement(cast, client_for, cast.partner_a, reminders)
    assert step.key == "consent" and "intake" not in refs
    assert not still_wanted(reminders[0])


def test_a_scheduled_questionnaire_is_the_next_step_until_it_is_answered(cast, client_for):
    text = helpers.publish_consent(cast)
    helpers.screened(cast, cast.partner_a, text)
    scheduled = helpers.scheduled_questionnaire(cast.partner_a, "PHQ-9")
    reminders = helpers.task_reminders(cast.partner_a, questionnaire=scheduled)
    step, refs = agreement(cast, client_for, cast.partner_a, reminders)
    assert step.key == "questionnaire" and refs == {f"questionnaire-due:{scheduled.pk}"}
    assert "By " in step.detail
    helpers.answer_screening(cast.partner_a, ["PHQ-9"])
    step, refs = agreement(cast, client_for, cast.partner_a, reminders)
    assert step.key == "nothing" and refs == set()


def test_an_instrument_both_scheduled_and_never_answered_is_listed_once(cast):
    scheduled = helpers.scheduled_questionnaire(cast.partner_a, "GAD-7")
    items = due.items_due(cast.partner_a, now=timezone.now())
    gad = [item for item in items if item.code == "GAD-7"]
    assert [item.ref for item in gad] == [f"questionnaire-due:{scheduled.pk}"]


def test_an_open_check_in_is_the_next_step_and_its_prompt_is_wanted(cast, client_for):
    text = helpers.publish_consent(cast)
    helpers.screened(cast, cast.partner_a, text)
    checkin = helpers.open_checkin(cast, cast.partner_a)
    reminders = helpers.task_reminders(cast.partner_a, checkin=checkin)
    step, refs = agreement(cast, client_for, cast.partner_a, reminders)
    assert step.key == "checkin" and refs == {f"checkin:{checkin.pk}"}


def test_everything_done_with_a_session_booked_the_card_shows_the_session(cast, client_for):
    text = helpers.publish_consent(cast)
    invitation = helpers.invite(cast, cast.partner_a)
    helpers.screened(cast, cast.partner_a, text)
    scheduled = helpers.scheduled_questionnaire(cast.partner_a, "GAD-7")
    checkin = helpers.open_checkin(cast, cast.partner_a)
    helpers.answer_screening(cast.partner_a, ["GAD-7"])
    checkin.answered_at, checkin.came_up = timezone.now(), "Calmer"
    checkin.save()
    helpers.upcoming(cast, Appointment.Kind.MEDICINE, days=2)
    reminders = helpers.task_reminders(
        cast.partner_a, invitation=invitation, questionnaire=scheduled, checkin=checkin
    )
    step, refs = agreement(cast, client_for, cast.partner_a, reminders)
    assert refs == set() and step.key == "appointment"
    assert "Cedar room" in step.title and "Medicine session" in step.title
    assert any("Pat Example takes you home" in note for note in step.notes)
    assert not any(still_wanted(reminder) for reminder in reminders)


@pytest.mark.parametrize("days,key", [(2, "appointment"), (20, "nothing")])
def test_an_appointment_is_the_next_step_only_when_it_is_soon(days, key, cast):
    text = helpers.publish_consent(cast)
    helpers.screened(cast, cast.partner_a, text)
    helpers.upcoming(cast, days=days)
    step = next_step(portal_snapshot(cast.partner_a, now=timezone.now()))
    assert step.key == key
    if key == "nothing":
        assert "Your next appointment: Preparation session" in step.detail
