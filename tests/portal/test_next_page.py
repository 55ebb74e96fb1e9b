"""Every partner form ends on "what happens next", with the next step."""

import pytest
from django.urls import reverse

from intake.models import ConsentText
from portal.done import DONE, next_url
from tests.intake.factories import complete_answers
from tests.integration.test_views import checkin_for
from tests.portal import helpers

NEXT = reverse("portal:next")


@pytest.mark.parametrize("key", list(DONE))
def test_each_known_form_says_what_was_received_and_what_happens_next(key, cast, client_for):
    page = client_for(cast.partner_a.user).get(next_url(key)).content.decode()
    assert str(DONE[key].received) in page and "What happens next:" in page
    assert "Your next step" in page


def test_an_unknown_key_is_ignored_not_echoed(cast, client_for):
    response = client_for(cast.partner_a.user).get(NEXT, {"done": "<script>x</script>"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "<script>x</script>" not in page and "&lt;script" not in page
    assert "Your next step" in page


def test_submitting_the_intake_ends_on_what_happens_next(cast, client_for):
    helpers.save_steps(cast.partner_a, 8)
    client = client_for(cast.partner_a.user)
    response = client.post(reverse("intake:intake_submit", args=[cast.partner_a.pk]))
    assert response["Location"] == next_url("intake")


def test_signing_the_consent_ends_on_what_happens_next(cast, client_for):
    text = helpers.publish_consent(cast)
    data = {"consent_text_id": text.pk, "typed_name": cast.partner_a.full_name, "agree": "on"}
    response = client_for(cast.partner_a.user).post(
        reverse("intake:consent_sign", args=[cast.partner_a.pk]), data
    )
    assert response.status_code == 302, response.context["form"].errors
    assert response["Location"] == next_url("consent")
    assert ConsentText.objects.get().signatures.count() == 1


def test_answering_a_check_in_ends_on_what_happens_next(cast, client_for):
    checkin = checkin_for(cast, cast.partner_a)
    response = client_for(cast.partner_a.user).post(
        reverse("integration:checkin_answer", args=[checkin.pk]), {"connection": "6"}
    )
    assert response["Location"] == next_url("checkin")


def test_saving_the_intentions_ends_on_what_happens_next(cast, client_for):
    response = client_for(cast.partner_a.user).post(
        reverse("intake:intentions_edit", args=[cast.couple.pk]),
        {"intentions": "Listen first", "themes": "", "revision": 0},
    )
    assert response["Location"] == next_url("intentions")


def test_editing_contact_details_ends_on_what_happens_next_for_the_partner_only(cast, client_for):
    url = reverse("intake:partner_contact_edit", args=[cast.partner_a.pk])
    data = {"phone": "555 0100 100", "preferred_channel": "email", "timezone": "UTC"}
    assert client_for(cast.partner_a.user).post(url, data)["Location"] == next_url("profile")
    staff = client_for(cast.clinician).post(url, data)
    assert staff["Location"] == reverse("intake:partner_detail", args=[cast.partner_a.pk])


def test_the_page_after_the_intake_leads_to_the_next_thing_to_do(cast, client_for):
    helpers.publish_consent(cast)
    helpers.submit_intake(cast.partner_a)
    page = client_for(cast.partner_a.user).get(next_url("intake")).content.decode()
    assert "Thank you: your intake form is submitted." in page
    assert "Read and sign the consent form" in page  # the card's step
    assert complete_answers()["goals"]["goals"] not in page  # the page repeats no answer
