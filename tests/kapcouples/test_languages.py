"""The partner chooses the language of their pages; staff pages stay in English."""

import zoneinfo

import pytest
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse

from intake import services
from kapcouples import languages, policy
from kapcouples.models import AccessLog
from tests.conftest import sign_in
from tests.intake.factories import IntakeFormFactory


def choose(client: Client, language: str, next_path: str = "/portal/"):
    return client.post(reverse("language_choose"), {"language": language, "next": next_path})


def language_cookie(response) -> str | None:
    cookie = response.cookies.get(settings.LANGUAGE_COOKIE_NAME)
    return cookie.value if cookie else None


def html_lang(response) -> str:
    head = response.content.decode()[:200]
    return head.split('<html lang="', 1)[1].split('"', 1)[0]


def intake_page(partner) -> str:
    return reverse("intake:intake_overview", kwargs={"partner_id": partner.pk})


def test_it_keeps_a_partners_choice_across_requests_and_sessions(cast, client_for):
    client = client_for(cast.partner_a.user)
    response = choose(client, "es", next_path=intake_page(cast.partner_a))
    assert response.status_code == 302
    assert response["Location"] == intake_page(cast.partner_a)
    cast.partner_a.refresh_from_db()
    assert cast.partner_a.language == "es"
    for _ in range(2):
        page = client.get(intake_page(cast.partner_a))
        assert html_lang(page) == "es"
        assert "Mi formulario de admisión" in page.content.decode()
    # Signed in again on another device (no cookie from the switch): still Spanish.
    elsewhere = client_for(cast.partner_a.user)
    assert html_lang(elsewhere.get(intake_page(cast.partner_a))) == "es"


def test_it_keeps_the_earlier_choice_in_the_partners_history(cast, client_for):
    client = client_for(cast.partner_a.user)
    choose(client, "es")
    choose(client, "en")
    kept = list(cast.partner_a.history.order_by("history_date").values_list("language", flat=True))
    assert kept[-2:] == ["es", "en"]


def test_the_other_partner_keeps_their_own_language(cast, client_for):
    choose(client_for(cast.partner_a.user), "es")
    other = client_for(cast.partner_b.user)
    page = other.get(intake_page(cast.partner_b), HTTP_ACCEPT_LANGUAGE="en")
    assert html_lang(page) == "en"
    assert "My intake form" in page.content.decode()
    cast.partner_b.refresh_from_db()
    assert cast.partner_b.language == "en"


def test_a_partners_choice_wins_over_the_browser(cast, client_for):
    client = client_for(cast.partner_a.user)
    page = client.get(intake_page(cast.partner_a), HTTP_ACCEPT_LANGUAGE="es")
    assert html_lang(page) == "en"  # the stored choice (the default) wins


@pytest.mark.parametrize("staff", ["clinician", "front_desk", "clinic_admin"])
def test_staff_pages_stay_english_whatever_the_browser_asks(staff, cast, client_for):
    client = client_for(cast.user(staff))
    page = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="es", follow=True)
    assert page.status_code == 200
    assert html_lang(page) == "en"
    assert 'id="language-choice"' not in page.content.decode()


def test_staff_cannot_switch_their_pages_to_another_language(cast, client_for):
    client = client_for(cast.clinician)
    before = AccessLog.objects.filter(user=cast.clinician, action=AccessLog.Action.DENIED).count()
    response = choose(client, "es")
    assert response.status_code == 403
    after = AccessLog.objects.filter(user=cast.clinician, action=AccessLog.Action.DENIED).count()
    assert after == before + 1
    assert language_cookie(response) is None


def test_signed_out_pages_follow_the_browser(client):
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9,en;q=0.5")
    assert html_lang(page) == "es"
    assert "Iniciar sesión" in page.content.decode()
    assert html_lang(client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US")) == "en"


def test_the_switch_on_signed_out_pages_wins_over_the_browser_and_is_remembered(client):
    response = choose(client, "en", next_path=reverse("password_reset"))
    assert response["Location"] == reverse("password_reset")
    assert language_cookie(response) == "en"
    page = client.get(reverse("password_reset"), HTTP_ACCEPT_LANGUAGE="es")
    assert html_lang(page) == "en"
    choose(client, "es")
    assert "Restablezca su contraseña" in client.get(reverse("password_reset")).content.decode()


def test_the_switch_refuses_a_language_not_offered_and_changes_nothing(cast, client_for):
    response = choose(client_for(cast.partner_a.user), "fr")
    assert response.status_code == 400
    assert language_cookie(response) is None
    cast.partner_a.refresh_from_db()
    assert cast.partner_a.language == "en"


def test_the_switch_goes_back_only_to_a_page_of_this_site(cast, client_for):
    response = choose(client_for(cast.partner_a.user), "es", next_path="https://evil.example/")
    assert response["Location"] == reverse("home")


def test_the_switch_takes_posts_only(client):
    assert client.get(reverse("language_choose")).status_code == 405


def test_the_switch_needs_the_csrf_token(cast):
    client = sign_in(Client(enforce_csrf_checks=True), cast.partner_a.user)
    assert choose(client, "es").status_code == 403
    cast.partner_a.refresh_from_db()
    assert cast.partner_a.language == "en"


def test_a_partner_cannot_choose_the_other_partners_language(cast):
    with pytest.raises(policy.NotAllowed, match="can_choose_language"):
        languages.partner_language_set(
            user=cast.partner_a.user, partner=cast.partner_b, language="es"
        )
    cast.partner_b.refresh_from_db()
    assert cast.partner_b.language == "en"


def test_the_service_refuses_a_language_not_offered(cast):
    with pytest.raises(languages.DomainError):
        languages.partner_language_set(
            user=cast.partner_a.user, partner=cast.partner_a, language="fr"
        )


def test_the_database_refuses_a_language_not_offered(cast):
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE intake_partner SET language = 'fr' WHERE id = %s", [cast.partner_a.pk]
        )


def test_a_partners_times_stay_in_their_own_zone_in_spanish(cast, client_for):
    cast.partner_a.timezone = "America/Chicago"
    cast.partner_a.language = "es"
    cast.partner_a.save()
    intake = IntakeFormFactory(partner=cast.partner_a, submitted=True)
    page = client_for(cast.partner_a.user).get(intake_page(cast.partner_a)).content.decode()
    local = intake.submitted_at.astimezone(zoneinfo.ZoneInfo("America/Chicago"))
    assert f"Enviada el {local:%Y-%m-%d %H:%M}" in page


def test_a_partner_who_accepts_the_invitation_in_spanish_keeps_spanish(cast, client):
    user = cast.partner_a.user
    user.set_unusable_password()
    user.save()
    _, token = services.invitation_send(partner=cast.partner_a, sent_by=cast.front_desk)
    url = reverse("intake:invitation_accept", kwargs={"token": token})
    assert html_lang(client.get(url, HTTP_ACCEPT_LANGUAGE="es")) == "es"
    password = "a-long-enough-passphrase-91"
    form = {"password1": password, "password2": password}
    response = client.post(url, form, HTTP_ACCEPT_LANGUAGE="es", follow=True)
    assert html_lang(response) == "es"
    cast.partner_a.refresh_from_db()
    assert cast.partner_a.language == "es"
    assert "Su contraseña está guardada" in response.content.decode()
