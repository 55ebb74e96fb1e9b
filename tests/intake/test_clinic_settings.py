"""The clinic admin edits screening settings and publishes consent texts in the app."""

import pytest
from django.urls import reverse

from intake.clinic_settings import screening_settings_update
from intake.models import ConsentText, Couple, ScreeningSettings
from kapcouples.models import AccessLog, Role
from kapcouples.policy import NotAllowed
from tests.factories import StaffFactory
from tests.intake.factories import ConsentTextFactory

SETTINGS_URL = reverse("intake:screening_settings_edit")
CONSENT_URL = reverse("intake:consent_text_edit")
WRONG_ACTORS = ("clinician", "prescriber", "front_desk", "partner_a", "other_admin")


@pytest.fixture
def other_admin(cast):
    return StaffFactory(clinic=cast.other_clinic, role=Role.CLINIC_ADMIN)


def settings_form(**changes) -> dict:
    values = {
        "invitation_valid_days": 7,
        "review_valid_days": 180,
        "cssrs_valid_days": 30,
        "break_glass_minutes": 60,
        "clinic_phone": "+1 555 0100",
        "crisis_line": "988 Suicide & Crisis Lifeline: call or text 988",
        "partners_see_their_scores": "on",
    }
    return {**values, **changes}


def test_it_saves_screening_settings_audited_with_the_history_kept(cast, client_for):
    client_for(cast.clinic_admin).post(
        SETTINGS_URL, settings_form(break_glass_minutes=30, crisis_line="Call 988 now")
    )
    saved = ScreeningSettings.for_clinic(cast.clinic.pk)
    assert (saved.break_glass_minutes, saved.crisis_line) == (30, "Call 988 now")
    assert saved.history.count() == 2
    entry = AccessLog.objects.get(action=AccessLog.Action.CHANGE, user=cast.clinic_admin)
    assert "break_glass_minutes" in entry.detail and "crisis_line" in entry.detail


def test_an_out_of_range_value_is_refused_beside_its_field_keeping_the_rest(cast, client_for):
    response = client_for(cast.clinic_admin).post(
        SETTINGS_URL, settings_form(invitation_valid_days=0, crisis_line="Call 988 now")
    )
    page = response.content.decode()
    assert 'id="error_1_id_invitation_valid_days"' in page
    assert "Call 988 now" in page
    assert ScreeningSettings.for_clinic(cast.clinic.pk).invitation_valid_days == 7


@pytest.mark.parametrize("who", WRONG_ACTORS)
def test_only_the_clinics_admin_changes_screening_settings(cast, who, other_admin):
    by = other_admin if who == "other_admin" else cast.user(who)
    with pytest.raises(NotAllowed):
        screening_settings_update(
            by=by, clinic_id=cast.clinic.pk, values={"break_glass_minutes": 5}
        )
    assert ScreeningSettings.for_clinic(cast.clinic.pk).break_glass_minutes == 60
    assert not AccessLog.objects.filter(action=AccessLog.Action.CHANGE).exists()


# --- Consent texts --------------------------------------------------------------------------
def test_the_preview_shows_the_text_as_partners_will_and_who_must_sign_again(cast, client_for):
    Couple.objects.filter(pk=cast.other_couple.pk).update(status=Couple.Status.COMPLETED)
    response = client_for(cast.clinic_admin).post(
        CONSENT_URL, {"title": "Consent v1", "body": "First line.\n\nRisks.", "step": "preview"}
    )
    page = response.content.decode()
    assert "<p>First line.</p>" in page and "Preview: version 1" in page
    assert "asks <strong>2 partners</strong>" in page  # not the completed couple's partner
    assert not ConsentText.objects.exists()


def test_going_back_from_the_preview_keeps_what_was_typed(cast, client_for):
    response = client_for(cast.clinic_admin).post(
        CONSENT_URL, {"title": "Consent v1", "body": "Typed body.", "step": "edit"}
    )
    assert "Typed body." in response.content.decode()
    assert not ConsentText.objects.exists()


def test_publishing_after_the_preview_makes_a_new_version_and_says_how_many_sign(cast, client_for):
    ConsentTextFactory(clinic=cast.clinic)
    response = client_for(cast.clinic_admin).post(
        CONSENT_URL, {"title": "Consent v2", "body": "New risks.", "step": "publish"}, follow=True
    )
    assert (
        "Version 2 published. 3 partner(s) will be asked to sign it." in response.content.decode()
    )
    assert ConsentText.objects.filter(clinic=cast.clinic).count() == 2


def test_earlier_versions_stay_readable(cast, client_for):
    first = ConsentTextFactory(clinic=cast.clinic, body="The first wording.")
    ConsentTextFactory(clinic=cast.clinic, body="The second wording.")
    client = client_for(cast.clinic_admin)
    listing = client.get(CONSENT_URL).content.decode()
    assert "Version 1" in listing and "Version 2" in listing
    url = reverse("intake:consent_text_version", kwargs={"version": first.version})
    assert "The first wording." in client.get(url).content.decode()


def test_another_clinics_versions_cannot_be_read(cast, client_for, other_admin):
    text = ConsentTextFactory(clinic=cast.clinic)
    url = reverse("intake:consent_text_version", kwargs={"version": text.version})
    assert client_for(other_admin).get(url).status_code == 404
