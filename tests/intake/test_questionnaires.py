"""Questionnaires through the pages: filled in, checked on a summary, submitted; scored by
intake.instruments, flags raise alerts."""

import pytest
from django.urls import reverse

from intake import instruments
from intake.models import QuestionnaireResponse
from integration.models import Alert


def fill_url(partner, code: str) -> str:
    return reverse("intake:questionnaire_fill", kwargs={"partner_id": partner.pk, "code": code})


def answers_post(values: list, step: str = "submit") -> dict:
    """The answers as posted, skipping None (a question left blank or not asked)."""
    posted = {f"item_{n}": value for n, value in enumerate(values, start=1) if value is not None}
    return {**posted, "step": step}


def test_the_form_shows_the_items_verbatim_from_the_instrument(cast, client_for):
    page = client_for(cast.user("partner_a")).get(fill_url(cast.partner_a, "phq-9")).content
    for item in instruments.INSTRUMENTS["PHQ-9"].items:
        assert item.text.replace("'", "&#x27;").encode() in page


def test_a_completed_questionnaire_is_scored_and_kept(cast, client_for):
    response = client_for(cast.user("partner_a")).post(
        fill_url(cast.partner_a, "gad-7"), answers_post([3, 3, 3, 3, 3, 0, 0])
    )
    saved = QuestionnaireResponse.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("portal:next") + "?done=questionnaire"
    assert (saved.code, saved.total, saved.band) == ("GAD-7", 15, "severe")
    assert saved.completed_by == cast.partner_a.user


def test_phq9_item_9_above_zero_raises_an_urgent_suicide_risk_alert_sent_to_the_team(
    cast, client_for
):
    from integration.models import Reminder

    client_for(cast.user("partner_a")).post(
        fill_url(cast.partner_a, "phq-9"), answers_post([0] * 8 + [1])
    )
    alert = Alert.objects.get()
    assert alert.kind == "suicide_risk" and alert.partner == cast.partner_a
    assert alert.urgency == "urgent"
    sent_to = Reminder.objects.filter(kind=Reminder.Kind.URGENT_ALERT)
    assert {r.staff_user for r in sent_to} == {cast.clinician, cast.prescriber}


def test_a_high_cssrs_raises_an_urgent_alert(cast, client_for):
    client_for(cast.user("partner_a")).post(
        fill_url(cast.partner_a, "c-ssrs"), answers_post([1, 1, 0, 1, 0, 0])
    )
    alert = Alert.objects.get()
    assert (alert.kind, alert.urgency) == ("suicide_risk", "urgent")


def test_a_moderate_cssrs_raises_a_routine_alert_and_can_be_acknowledged(cast, client_for):
    client_for(cast.user("partner_a")).post(
        fill_url(cast.partner_a, "c-ssrs"), answers_post([1, 1, 1, 0, 0, 0])
    )
    saved = QuestionnaireResponse.objects.get()
    assert saved.band == "moderate" and Alert.objects.get().urgency == "routine"
    url = reverse("intake:questionnaire_acknowledge", kwargs={"response_id": saved.pk})
    client_for(cast.clinician).post(url)
    saved.refresh_from_db()
    assert saved.acknowledged_by == cast.clinician


def test_a_pcl5_in_the_dsm5_pattern_raises_a_ptsd_alert(cast, client_for):
    client_for(cast.user("partner_a")).post(
        fill_url(cast.partner_a, "pcl-5"), answers_post([2] * 20)
    )
    assert Alert.objects.get().kind == "ptsd_pattern"


def test_no_flag_raises_no_alert(cast, client_for):
    client_for(cast.user("partner_a")).post(
        fill_url(cast.partner_a, "csi-4"), answers_post([3, 3, 3, 3])
    )
    assert QuestionnaireResponse.objects.get().band == "distressed"
    assert not Alert.objects.exists()


@pytest.mark.parametrize(
    "values,message",
    [
        ([0] * 8, "Choose one answer for this question."),
        ([0] * 8 + [4], "Choose one of the answers shown."),
        ([0] * 8 + ["<b>3</b>"], "Choose one of the answers shown."),
        ([0] * 8 + ["x" * 10_000], "Choose one of the answers shown."),
    ],
)
def test_bad_answers_come_back_with_a_message_and_nothing_is_saved(
    values, message, cast, client_for
):
    response = client_for(cast.user("partner_a")).post(
        fill_url(cast.partner_a, "phq-9"), answers_post(values)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert response.content.decode().count(" checked") >= 8  # the other answers are kept
    assert not QuestionnaireResponse.objects.exists()


def test_an_unknown_questionnaire_is_not_found(cast, client_for):
    assert (
        client_for(cast.user("partner_a")).get(fill_url(cast.partner_a, "bdi")).status_code == 404
    )


@pytest.mark.parametrize("viewer", ["partner_b", "clinician", "front_desk"])
def test_nobody_answers_for_a_partner(viewer, cast, client_for):
    response = client_for(cast.user(viewer)).post(
        fill_url(cast.partner_a, "phq-9"), answers_post([0] * 9)
    )
    assert response.status_code in (403, 404)
    assert not QuestionnaireResponse.objects.exists()


def test_front_desk_cannot_acknowledge_a_result(cast, client_for):
    client_for(cast.user("partner_a")).post(
        fill_url(cast.partner_a, "c-ssrs"), answers_post([1, 1, 1, 0, 0, 0])
    )
    saved = QuestionnaireResponse.objects.get()
    url = reverse("intake:questionnaire_acknowledge", kwargs={"response_id": saved.pk})
    assert client_for(cast.front_desk).post(url).status_code == 403
    saved.refresh_from_db()
    assert saved.acknowledged_at is None


def test_the_cssrs_stores_questions_3_to_5_as_not_asked_after_a_no_to_2(cast, client_for):
    client_for(cast.user("partner_a")).post(
        fill_url(cast.partner_a, "c-ssrs"), answers_post([1, 0, None, None, None, 0])
    )
    saved = QuestionnaireResponse.objects.get()
    assert (saved.answers, saved.band, saved.total) == ([1, 0, None, None, None, 0], "low", 1)


def test_answers_posted_to_3_to_5_after_a_no_to_2_are_dropped_as_not_asked(cast, client_for):
    # Without JavaScript all six questions are on the page; a no to 2 means 3-5 were not
    # for this partner, and the summary they confirmed showed them as not asked.
    client_for(cast.user("partner_a")).post(
        fill_url(cast.partner_a, "c-ssrs"), answers_post([0, 0, 1, 0, 1, 0])
    )
    assert QuestionnaireResponse.objects.get().answers == [0, 0, None, None, None, 0]


def test_the_cssrs_needs_questions_3_to_5_after_a_yes_to_2(cast, client_for):
    response = client_for(cast.user("partner_a")).post(
        fill_url(cast.partner_a, "c-ssrs"), answers_post([1, 1, None, None, None, 0])
    )
    page = response.content.decode()
    assert page.count("You answered yes to question 2: please answer this one too.") == 3
    assert page.count(" checked") == 3  # questions 1, 2 and 6 stay answered
    assert not QuestionnaireResponse.objects.exists()


def test_after_a_yes_to_2_the_answers_to_3_to_5_are_kept(cast, client_for):
    client_for(cast.user("partner_a")).post(
        fill_url(cast.partner_a, "c-ssrs"), answers_post([1, 1, 0, 0, 1, 0])
    )
    saved = QuestionnaireResponse.objects.get()
    assert (saved.answers, saved.band) == ([1, 1, 0, 0, 1, 0], "high")
