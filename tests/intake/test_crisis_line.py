"""A partner whose answers suggest a risk of suicide is shown, in plain words, whom to call
now; no page a partner sees shows the raw flag names."""

import pytest
from django.urls import reverse

from intake.models import DEFAULT_CRISIS_LINE, ScreeningSettings

CSSRS_HIGH = [1, 1, 0, 1, 0, 0]
CSSRS_MODERATE = [1, 1, 1, 0, 0, 0]
CSSRS_LOW = [1, 0, None, None, None, 0]
PHQ9_ITEM_9 = [0] * 8 + [1]
PCL5_PATTERN = [2] * 20
RAW_FLAGS = ("suicide_risk", "dsm5_pattern")


@pytest.fixture
def clinic_phone(cast) -> str:
    settings = ScreeningSettings.for_clinic(cast.clinic.pk)
    settings.clinic_phone = "+1 212 555 0199"
    settings.save()
    return settings.clinic_phone


def submit(client, partner, code: str, values: list[int]):
    url = reverse("intake:questionnaire_fill", kwargs={"partner_id": partner.pk, "code": code})
    data = {f"item_{n}": value for n, value in enumerate(values, start=1) if value is not None}
    return client.post(url, {**data, "step": "submit"}, follow=True)


def test_a_clinic_starts_with_988_as_its_crisis_line_and_no_phone(cast):
    settings = ScreeningSettings.for_clinic(cast.clinic.pk)
    assert settings.crisis_line == DEFAULT_CRISIS_LINE
    assert "988" in settings.crisis_line and settings.clinic_phone == ""


@pytest.mark.parametrize(
    "code,values",
    [("c-ssrs", CSSRS_HIGH), ("c-ssrs", CSSRS_MODERATE), ("phq-9", PHQ9_ITEM_9)],
)
def test_a_partner_at_risk_lands_on_a_page_with_the_clinics_phone_and_the_crisis_line(
    code, values, cast, client_for, clinic_phone
):
    response = submit(client_for(cast.user("partner_a")), cast.partner_a, code, values)
    page = response.content.decode()
    assert response.status_code == 200 and 'id="crisis-help"' in page
    assert clinic_phone in page
    assert "988 Suicide &amp; Crisis Lifeline (call or text 988, US)" in page
    assert not any(flag in page for flag in RAW_FLAGS)


def test_without_a_clinic_phone_the_page_names_the_clinic_and_the_crisis_line(cast, client_for):
    page = submit(
        client_for(cast.user("partner_a")), cast.partner_a, "c-ssrs", CSSRS_HIGH
    ).content.decode()
    assert f"Call your clinic, {cast.clinic.name}" in page and "call or text 988" in page


@pytest.mark.parametrize(
    "code,values",
    [("c-ssrs", CSSRS_LOW), ("gad-7", [3] * 7), ("pcl-5", PCL5_PATTERN)],
)
def test_results_without_a_suicide_risk_show_no_crisis_box(
    code, values, cast, client_for, clinic_phone
):
    page = submit(client_for(cast.user("partner_a")), cast.partner_a, code, values)
    assert 'id="crisis-help"' not in page.content.decode()


def partner_pages(cast) -> list[str]:
    screening = reverse("intake:partner_screening", kwargs={"partner_id": cast.partner_a.pk})
    details = [
        reverse("intake:questionnaire_detail", kwargs={"response_id": r.pk})
        for r in cast.partner_a.questionnaire_responses.all()
    ]
    return [screening, *details, reverse("portal")]


def test_no_page_the_partner_sees_shows_a_raw_flag_name(cast, client_for):
    client = client_for(cast.user("partner_a"))
    for code, values in [("phq-9", PHQ9_ITEM_9), ("pcl-5", PCL5_PATTERN), ("c-ssrs", CSSRS_HIGH)]:
        submit(client, cast.partner_a, code, values)
    for url in partner_pages(cast):
        page = client.get(url).content.decode()
        found = [flag for flag in RAW_FLAGS if flag in page]
        assert not found, f"{url} shows {found}"


def test_the_care_team_still_sees_the_flags_in_words(cast, client_for):
    submit(client_for(cast.user("partner_a")), cast.partner_a, "pcl-5", PCL5_PATTERN)
    url = reverse("intake:partner_screening", kwargs={"partner_id": cast.partner_a.pk})
    page = client_for(cast.clinician).get(url).content.decode()
    assert "meets the DSM-5 PTSD symptom pattern" in page
    assert 'id="crisis-help"' not in page
