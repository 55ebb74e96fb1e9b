"""A questionnaire from the partner's side: patient wording, the summary to check before
submitting, a change from the summary, C-SSRS questions not asked, results in plain words."""

import importlib
import re

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from intake import instruments, services
from intake.models import QuestionnaireResponse, ScreeningSettings
from tests.intake.factories import QuestionnaireResponseFactory
from tests.intake.test_questionnaires import answers_post, fill_url

NOT_ASKED = "Not asked (skipped after question 2 was no)"
SLUGS = [code.lower() for code in instruments.INSTRUMENTS]


def detail_url(response) -> str:
    return reverse("intake:questionnaire_detail", kwargs={"response_id": response.pk})


def submitted(cast, code: str, answers: list) -> QuestionnaireResponse:
    return services.questionnaire_submit(
        partner=cast.partner_a, user=cast.partner_a.user, code=code, answers=answers
    )


# --- Wording on the partner's pages ----------------------------------------------------------
@pytest.mark.parametrize("slug", SLUGS)
def test_the_form_has_no_paper_or_interviewer_instructions_and_cites_its_source(
    slug, cast, client_for
):
    page = client_for(cast.user("partner_a")).get(fill_url(cast.partner_a, slug)).content.decode()
    lowered = page.lower()
    assert "circle" not in lowered
    assert "ask questions" not in lowered and "go directly to question" not in lowered
    form = instruments.INSTRUMENTS[slug.upper()]
    assert "Source:" in page and form.source.split(".")[0] in page


def test_the_pcl5_form_asks_to_select_an_answer_about_the_past_month(cast, client_for):
    page = client_for(cast.user("partner_a")).get(fill_url(cast.partner_a, "pcl-5"))
    assert "select one of the answers" in page.content.decode()
    assert "in the past month" in page.content.decode()


def test_each_question_is_a_fieldset_with_its_legend_and_scripts_come_from_static(cast, client_for):
    page = client_for(cast.user("partner_a")).get(fill_url(cast.partner_a, "phq-9"))
    text = page.content.decode()
    assert text.count("<fieldset") == 9 and text.count('<legend class="questionnaire-legend"') == 9
    assert "/static/js/questionnaire.js" in text
    assert "<script>" not in text and "onclick" not in text  # the CSP allows no inline script


# --- The summary and changes -----------------------------------------------------------------
def test_check_shows_every_answer_on_a_summary_and_saves_nothing(cast, client_for):
    page = client_for(cast.user("partner_a")).post(
        fill_url(cast.partner_a, "gad-7"), answers_post([0, 1, 2, 3, 0, 1, 2], step="check")
    )
    text = page.content.decode()
    assert page.status_code == 200 and "Check your answers" in text
    for label in ("Not at all", "Several days", "More than half the days", "Nearly every day"):
        assert label in text
    assert text.count('value="change"') == 7 and 'value="submit"' in text
    assert '<input type="hidden" name="item_4" value="3">' in text
    assert not QuestionnaireResponse.objects.exists()


def test_a_cssrs_summary_shows_3_to_5_as_not_asked_without_a_change_button(cast, client_for):
    page = client_for(cast.user("partner_a")).post(
        fill_url(cast.partner_a, "c-ssrs"), answers_post([1, 0, 1, 1, 1, 0], step="check")
    )
    text = page.content.decode()
    assert text.count(NOT_ASKED) == 3
    assert text.count('value="change"') == 3  # questions 1, 2 and 6
    assert 'name="item_3"' not in text  # an answer to a question not asked is not carried


def test_change_goes_back_to_the_form_with_every_answer_kept_and_no_errors(cast, client_for):
    page = client_for(cast.user("partner_a")).post(
        fill_url(cast.partner_a, "gad-7"), answers_post([0, 1, 2, 3, 0, 1, 2], step="change")
    )
    text = page.content.decode()
    assert "Check my answers" in text and text.count(" checked") == 7
    assert "data-has-error" not in text and "need your attention" not in text
    assert re.search(r'name="item_4" value="3"[^>]* checked', text)
    assert not QuestionnaireResponse.objects.exists()


def test_a_check_with_a_question_missing_keeps_the_rest_and_names_the_question(cast, client_for):
    page = client_for(cast.user("partner_a")).post(
        fill_url(cast.partner_a, "gad-7"), answers_post([0, 1, None, 3, 0, 1, 2], step="check")
    )
    text = page.content.decode()
    assert "Choose one answer for this question." in text and text.count(" checked") == 6
    assert 'id="question-3" data-question="3" data-has-error' in text


def test_submit_after_a_change_saves_the_changed_answer(cast, client_for):
    client = client_for(cast.user("partner_a"))
    client.post(fill_url(cast.partner_a, "gad-7"), answers_post([0] * 7, step="change"))
    client.post(fill_url(cast.partner_a, "gad-7"), answers_post([0, 0, 0, 3, 0, 0, 0]))
    assert QuestionnaireResponse.objects.get().answers == [0, 0, 0, 3, 0, 0, 0]


def test_a_partner_at_risk_goes_to_their_result_with_the_crisis_line_not_onward(cast, client_for):
    response = client_for(cast.user("partner_a")).post(
        fill_url(cast.partner_a, "phq-9"), answers_post([0] * 8 + [1])
    )
    assert response.url == detail_url(QuestionnaireResponse.objects.get())


# --- C-SSRS skip logic in the service and the database ---------------------------------------
@pytest.mark.parametrize("answers", [[0, 0, 0, 0, 0, 0], [1, 0, 1, None, None, 0]])
def test_the_service_refuses_answers_to_3_to_5_after_a_no_to_2(answers, cast):
    with pytest.raises(services.DomainError, match="not asked after a no to question 2"):
        submitted(cast, "C-SSRS", answers)
    assert not QuestionnaireResponse.objects.exists()


def test_the_service_keeps_questions_not_asked_as_null(cast):
    saved = submitted(cast, "C-SSRS", [1, 0, None, None, None, 1])
    saved.refresh_from_db()
    assert saved.answers == [1, 0, None, None, None, 1] and saved.band == "moderate"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT jsonb_typeof(answers -> 2), jsonb_typeof(answers -> 4) "
            "FROM intake_questionnaireresponse WHERE id = %s",
            [saved.pk],
        )
        assert cursor.fetchone() == ("null", "null")


def _raw_update(response, answers: str) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE intake_questionnaireresponse SET answers = %s::jsonb WHERE id = %s",
            [answers, response.pk],
        )


@pytest.mark.parametrize(
    "answers",
    [
        "[0, 0, 0, 0, 0, 0]",  # a skipped question stored as "No"
        "[0, 0, 1, null, null, 0]",  # an answer after a no to 2
        "[1, 1, null, 0, 0, 0]",  # a blank after a yes to 2
    ],
)
def test_the_database_refuses_a_cssrs_that_breaks_the_skip(answers, cast):
    response = QuestionnaireResponseFactory(partner=cast.partner_a)
    with pytest.raises(IntegrityError, match="questionnaire_cssrs_skip_after_no_to_2"):
        _raw_update(response, answers)


@pytest.mark.parametrize("answers", ["[0, 0, null, null, null, 2]", "[1, 1, 0, 1, 0, 0]"])
def test_the_database_accepts_a_cssrs_that_follows_the_skip(answers, cast):
    response = QuestionnaireResponseFactory(partner=cast.partner_a)
    _raw_update(response, answers)


def test_the_skip_rule_binds_only_the_cssrs(cast):
    response = QuestionnaireResponseFactory(
        partner=cast.partner_a, code="PHQ-9", answers=[0] * 9, band="minimal"
    )
    _raw_update(response, "[0, 0, 0, 0, 0, 0, 0, 0, 0]")


# --- "Not asked" wherever the answers are listed ---------------------------------------------
@pytest.mark.parametrize("viewer", ["partner_a", "clinician", "prescriber"])
def test_questions_not_asked_show_as_not_asked_never_as_no(viewer, cast, client_for):
    saved = submitted(cast, "C-SSRS", [1, 0, None, None, None, 0])
    text = client_for(cast.user(viewer)).get(detail_url(saved)).content.decode()
    assert text.count(NOT_ASKED) == 3
    assert text.count(">No<") == 2  # questions 2 and 6 only


# --- Results in plain words ------------------------------------------------------------------
@pytest.mark.parametrize(
    "code,answers,words",
    [
        ("PHQ-9", [1, 1, 1, 1, 1, 0, 0, 0, 0], "mild symptoms of depression"),
        ("GAD-7", [3, 3, 3, 3, 3, 0, 0], "severe symptoms of anxiety"),
        ("PCL-5", [0] * 20, "below the level that usually points to post-traumatic stress"),
        ("CSI-4", [3, 3, 3, 3], "your relationship feels hard for you at the moment"),
    ],
)
def test_a_partner_reads_their_own_result_in_plain_words(code, answers, words, cast, client_for):
    saved = submitted(cast, code, answers)
    text = client_for(cast.user("partner_a")).get(detail_url(saved)).content.decode()
    assert f"Your answers suggest {words}" in text or f"Your answers are {words}" in text
    assert "Total:" not in text and f"<strong>{saved.band}</strong>" not in text


def test_the_cssrs_result_is_never_put_in_words_or_bands_for_the_partner(cast, client_for):
    saved = submitted(cast, "C-SSRS", [1, 1, 1, 1, 0, 0])
    text = client_for(cast.user("partner_a")).get(detail_url(saved)).content.decode()
    assert "Your answers suggest" not in text and "high" not in text.lower().split("</nav>")[-1]
    assert "suicide_risk" not in text and "Flags" not in text and 'id="crisis-help"' in text


def test_the_care_team_still_sees_total_band_and_flags(cast, client_for):
    saved = submitted(cast, "PHQ-9", [0] * 8 + [2])
    text = client_for(cast.clinician).get(detail_url(saved)).content.decode()
    assert "Total: <strong>2</strong>" in text and "suicide risk" in text


def test_no_plain_words_when_the_clinic_does_not_show_partners_their_scores(cast, client_for):
    ScreeningSettings.for_clinic(cast.clinic.pk)
    ScreeningSettings.objects.filter(clinic=cast.clinic).update(partners_see_their_scores=False)
    saved = submitted(cast, "PHQ-9", [1, 1, 1, 1, 1, 0, 0, 0, 0])
    text = client_for(cast.user("partner_a")).get(detail_url(saved)).content.decode()
    assert "Your answers suggest" not in text and "Total:" not in text
    assert "Your care team reads them and will talk them through with you." in text


def test_the_partners_own_screening_list_shows_no_band_or_total(cast, client_for):
    submitted(cast, "C-SSRS", [1, 1, 1, 1, 0, 0])
    url = reverse("intake:partner_screening", kwargs={"partner_id": cast.partner_a.pk})
    text = client_for(cast.user("partner_a")).get(url).content.decode()
    assert ": high" not in text and "(4)" not in text
    assert ": high (4)" in client_for(cast.clinician).get(url).content.decode()


def test_the_other_partner_never_sees_a_partners_results(cast, client_for):
    saved = submitted(cast, "PHQ-9", [1, 1, 1, 1, 1, 0, 0, 0, 0])
    cssrs = submitted(cast, "C-SSRS", [1, 0, None, None, None, 0])
    client = client_for(cast.user("partner_b"))
    assert client.get(detail_url(saved)).status_code == 404
    assert client.get(detail_url(cssrs)).status_code == 404
    own = services.questionnaire_submit(
        partner=cast.partner_b, user=cast.partner_b.user, code="GAD-7", answers=[0] * 7
    )
    pages = [
        reverse("portal"),
        detail_url(own),
        reverse("intake:partner_screening", kwargs={"partner_id": cast.partner_b.pk}),
        fill_url(cast.partner_b, "phq-9"),
    ]
    for url in pages:
        text = client.get(url).content.decode()
        assert "symptoms of depression" not in text, url
        assert NOT_ASKED not in text, url


# --- Screeners stored before questions were marked not asked ---------------------------------
def _legacy(response, answers: str) -> None:
    """Store answers in the old shape, with the constraint lifted for this test only (the
    test's transaction rolls the DDL back)."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending checks block the ALTER
        cursor.execute(
            "ALTER TABLE intake_questionnaireresponse "
            "DROP CONSTRAINT IF EXISTS questionnaire_cssrs_skip_after_no_to_2"
        )
        cursor.execute(
            "UPDATE intake_questionnaireresponse SET answers = %s::jsonb WHERE id = %s",
            [answers, response.pk],
        )


def _migrate_skipped_questions() -> None:
    from django.apps import apps

    migration = importlib.import_module("intake.migrations.0008_cssrs_not_asked")
    migration.skipped_questions_not_asked(apps, None)


def test_the_migration_turns_old_skipped_nos_into_not_asked_and_keeps_the_rest(cast):
    skipped = QuestionnaireResponseFactory(partner=cast.partner_a)
    asked = QuestionnaireResponseFactory(partner=cast.partner_a)
    _legacy(skipped, "[1, 0, 0, 0, 0, 2]")
    _legacy(asked, "[1, 1, 0, 1, 0, 0]")
    _migrate_skipped_questions()
    skipped.refresh_from_db()
    asked.refresh_from_db()
    assert skipped.answers == [1, 0, None, None, None, 2]
    assert asked.answers == [1, 1, 0, 1, 0, 0]


def test_the_migration_never_rewrites_a_yes_given_after_a_no_to_2(cast):
    contradicting = QuestionnaireResponseFactory(partner=cast.partner_a)
    _legacy(contradicting, "[0, 0, 1, 0, 0, 0]")
    with pytest.raises(RuntimeError, match=f"need a clinician's decision.*{contradicting.pk}"):
        _migrate_skipped_questions()
    contradicting.refresh_from_db()
    assert contradicting.answers == [0, 0, 1, 0, 0, 0]


def test_answers_posted_without_a_step_are_checked_not_lost(cast, client_for):
    posted = answers_post([0, 1, 2, 3, 0, 1, 2])
    del posted["step"]
    page = client_for(cast.user("partner_a")).post(fill_url(cast.partner_a, "gad-7"), posted)
    assert "Check your answers" in page.content.decode()
    assert not QuestionnaireResponse.objects.exists()
