"""Alerts a partner's own answers raise: a C-SSRS at moderate or high risk, and a check-in
with a low or falling connection, words of crisis, or a request to be contacted."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from intake import services as intake_services
from intake.models import QuestionnaireResponse
from integration import alerts, checkin_alerts, followups, services
from integration.models import Alert, CheckIn, Reminder
from kapcouples import policy
from kapcouples.services import DomainError
from tests.integration.helpers import completed_medicine_session
from tests.integration.test_urgent_alerts import CLINICAL

PRIVATE = "Since the session I keep thinking I want to die, and I told nobody"


# --- C-SSRS (scored by intake.instruments; DESIGN.md sections 4 and 5) --------------------
@pytest.mark.parametrize(
    "answers,band,urgency",
    [
        ([1, 1, 1, 0, 0, 0], "moderate", "routine"),  # method (question 3)
        ([1, 0, None, None, None, 1], "moderate", "routine"),  # behaviour over 3 months ago
        ([1, 1, 1, 1, 0, 0], "high", "urgent"),  # intent (question 4)
        ([1, 1, 1, 0, 1, 0], "high", "urgent"),  # plan (question 5)
        ([0, 0, None, None, None, 2], "high", "urgent"),  # behaviour in the past 3 months
    ],
)
def test_a_cssrs_at_moderate_risk_raises_a_routine_alert_and_at_high_an_urgent_one(
    answers, band, urgency, cast
):
    response = intake_services.questionnaire_submit(
        partner=cast.partner_a, user=cast.partner_a.user, code="C-SSRS", answers=answers
    )
    (alert,) = Alert.objects.all()
    assert response.band == band
    assert (alert.kind, alert.urgency, alert.partner) == ("suicide_risk", urgency, cast.partner_a)
    emailed = Reminder.objects.filter(kind=Reminder.Kind.URGENT_ALERT).count()
    assert emailed == (2 if urgency == "urgent" else 0)  # the clinician and the prescriber


@pytest.mark.parametrize("answers", [[1, 1, 0, 0, 0, 0], [0, 0, None, None, None, 0]])
def test_a_cssrs_at_low_or_no_risk_raises_no_alert(answers, cast):
    intake_services.questionnaire_submit(
        partner=cast.partner_a, user=cast.partner_a.user, code="C-SSRS", answers=answers
    )
    assert QuestionnaireResponse.objects.get().band in ("low", "none")
    assert not Alert.objects.exists()


# --- Check-ins -----------------------------------------------------------------------------
def open_checkin(cast, partner, *, day=1, session=None) -> CheckIn:
    session = session or completed_medicine_session(cast, days_ago=15)
    return CheckIn.objects.create(
        partner=partner,
        couple=partner.couple,
        medicine_session=session,
        day=day,
        due_at=session.completed_at + timedelta(days=day),
    )


def answer(checkin, *, by=None, **values) -> CheckIn:
    return followups.checkin_answer(
        checkin=checkin, by=by or checkin.partner.user, values={"practice": "Walks", **values}
    )


def kinds() -> list[tuple[str, str]]:
    return sorted(Alert.objects.values_list("kind", "urgency"))


@pytest.mark.parametrize("connection,raised", [(0, True), (3, True), (4, False), (10, False)])
def test_a_connection_of_3_or_less_raises_a_routine_alert(connection, raised, cast):
    answer(open_checkin(cast, cast.partner_a), connection=connection)
    assert kinds() == ([("checkin_low_connection", "routine")] if raised else [])


@pytest.mark.parametrize("before,now,raised", [(8, 4, True), (7, 4, False), (4, 8, False)])
def test_a_connection_fallen_by_4_or_more_since_the_last_check_in_raises_an_alert(
    before, now, raised, cast
):
    session = completed_medicine_session(cast, days_ago=15)
    answer(open_checkin(cast, cast.partner_a, day=1, session=session), connection=before)
    answer(open_checkin(cast, cast.partner_b, day=2, session=session), connection=0)  # not theirs
    later = answer(open_checkin(cast, cast.partner_a, day=3, session=session), connection=now)
    mine = Alert.objects.filter(partner=cast.partner_a)
    assert [a.message for a in mine] == (
        [f"Alexa's day 3 check-in: connection to their partner {now} of 10 (was {before})."]
        if raised
        else []
    )
    assert later.connection == now


def test_words_of_crisis_raise_an_urgent_alert_that_does_not_quote_the_partner(cast):
    answer(open_checkin(cast, cast.partner_a), came_up=PRIVATE, connection=7)
    (alert,) = Alert.objects.all()
    assert (alert.kind, alert.urgency) == ("checkin_crisis_words", "urgent")
    assert alert.message == (
        "Alexa's day 1 check-in has words of crisis or self-harm in a free-text answer. "
        "Read the check-in and contact Alexa today."
    )
    assert "die" not in alert.message and "nobody" not in alert.message


def test_the_urgent_email_of_a_check_in_says_nothing_clinical_or_private(cast):
    answer(open_checkin(cast, cast.partner_a), came_up=PRIVATE, contact_requested=True)
    services.reminders_deliver_due()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [cast.clinician.email, cast.prescriber.email] * 2
    )
    for message in mail.outbox:
        for part in (message.subject, message.body, message.alternatives[0][0]):
            assert not CLINICAL.search(part), part
            assert "die" not in part.lower().split() and "check-in" not in part.lower()


@pytest.mark.parametrize(
    "text",
    [
        "I thought about suicide",
        "SUICIDAL at night",
        "I want to kill myself",
        "some self harm again",
        "self-harm",
        "I can't go on like this",
        "I can’t go on like this",
        "I cant go on",
        "they'd be better off without me",
        "I might take an overdose",
    ],
)
def test_each_crisis_phrase_is_found_whatever_its_case_spacing_or_apostrophe(text):
    assert checkin_alerts.has_crisis_words(text)


@pytest.mark.parametrize(
    "text",
    [
        "I could go on and on about it",
        "A self-harmless joke",
        "We die-hard fans of the team",
        "I felt unharmed and calm myself",
        "",
    ],
)
def test_words_that_only_look_alike_are_not_crisis_words(text):
    assert not checkin_alerts.has_crisis_words(text)


def test_asking_to_be_contacted_raises_an_urgent_alert_and_counts_as_an_answer(cast):
    checkin = open_checkin(cast, cast.partner_a)
    followups.checkin_answer(
        checkin=checkin, by=cast.partner_a.user, values={"contact_requested": True}
    )
    (alert,) = Alert.objects.all()
    assert (alert.kind, alert.urgency) == ("checkin_contact_request", "urgent")
    assert alert.message == "Alexa's day 1 check-in: Alexa asks to be contacted by the care team."


def test_a_connection_of_0_alone_is_an_answer_and_an_empty_one_is_refused(cast):
    checkin = open_checkin(cast, cast.partner_a)
    empty = {"came_up": "", "connection": None, "contact_requested": False}
    with pytest.raises(DomainError, match="Answer at least one of the three questions"):
        followups.checkin_answer(checkin=checkin, by=cast.partner_a.user, values=empty)
    assert not Alert.objects.exists()
    followups.checkin_answer(checkin=checkin, by=cast.partner_a.user, values={"connection": 0})
    assert kinds() == [("checkin_low_connection", "routine")]


def test_a_check_in_answered_again_raises_each_alert_once(cast):
    checkin = open_checkin(cast, cast.partner_a)
    answer(checkin, came_up=PRIVATE, connection=1, contact_requested=True)
    answer(checkin, came_up=PRIVATE + ".", connection=2, contact_requested=True)
    assert kinds() == [
        ("checkin_contact_request", "urgent"),
        ("checkin_crisis_words", "urgent"),
        ("checkin_low_connection", "routine"),
    ]
    assert Reminder.objects.filter(kind=Reminder.Kind.URGENT_ALERT).count() == 4


def test_a_calm_check_in_raises_nothing(cast):
    answer(open_checkin(cast, cast.partner_a), came_up="Closer than in months.", connection=8)
    assert not Alert.objects.exists()


@pytest.mark.parametrize(
    "who", ["partner_b", "other_partner", "clinician", "front_desk", "other_clinic_clinician"]
)
def test_nobody_else_answers_a_check_in_or_raises_its_alerts(who, cast):
    checkin = open_checkin(cast, cast.partner_a)
    with pytest.raises(policy.NotAllowed, match="can_answer_checkin"):
        answer(checkin, by=cast.user(who), came_up=PRIVATE, connection=0, contact_requested=True)
    checkin.refresh_from_db()
    assert (checkin.answered_at, checkin.came_up, checkin.contact_requested) == (None, "", False)
    assert not Alert.objects.exists()
    assert not Reminder.objects.filter(kind=Reminder.Kind.URGENT_ALERT).exists()


def test_a_partner_cannot_raise_alerts_on_another_couple_through_the_page(cast, client_for):
    other_couples = open_checkin(cast, cast.other_partner)
    url = reverse("integration:checkin_answer", args=[other_couples.pk])
    data = {"came_up": PRIVATE, "connection": "0", "contact_requested": "on"}
    assert client_for(cast.partner_a.user).post(url, data).status_code == 404
    assert not Alert.objects.exists()


def test_the_page_has_the_contact_box_and_the_crisis_line_and_raises_the_alert(cast, client_for):
    checkin = open_checkin(cast, cast.partner_a)
    client = client_for(cast.partner_a.user)
    url = reverse("integration:checkin_answer", args=[checkin.pk])
    page = client.get(url).content.decode()
    assert "I&#x27;d like someone from the care team to contact me" in page
    assert "988" in page and 'id="crisis-help"' in page
    assert client.post(url, {"contact_requested": "on"}).status_code == 302
    assert kinds() == [("checkin_contact_request", "urgent")]
    checkin.refresh_from_db()
    assert checkin.contact_requested and checkin.answered_at <= timezone.now()


def test_an_empty_check_in_is_refused_next_to_the_form_and_raises_nothing(cast, client_for):
    checkin = open_checkin(cast, cast.partner_a)
    url = reverse("integration:checkin_answer", args=[checkin.pk])
    response = client_for(cast.partner_a.user).post(url, {})
    assert "Answer at least one of the three questions, or ask to be contacted." in (
        response.content.decode()
    )
    assert not Alert.objects.exists()


def test_the_new_kinds_reach_the_inbox_with_their_labels_and_resolve_with_a_note(cast, client_for):
    answer(open_checkin(cast, cast.partner_a), came_up=PRIVATE, connection=2)
    inbox = reverse("integration:alerts_inbox")
    page = client_for(cast.clinician).get(inbox).content.decode()
    assert "Check-in: words of crisis or self-harm" in page
    assert "Check-in: low or falling connection" in page
    assert "want to die" not in page  # the check-in itself is read on the couple page
    assert client_for(cast.clinician_outside).get(inbox).content.decode().count("Check-in:") == 0
    crisis = Alert.objects.get(kind=Alert.Kind.CHECKIN_CRISIS_WORDS)
    services.alert_acknowledge(alert=crisis, by=cast.clinician)
    alerts.alert_resolve(alert=crisis, by=cast.clinician, note="Called Alexa; safe, seen today.")
    page = client_for(cast.clinician).get(inbox).content.decode()
    assert "Check-in: words of crisis" not in page and "Check-in: low or falling" in page
