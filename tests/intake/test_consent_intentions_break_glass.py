"""Consent signatures, the couple's shared intentions, and breaking the glass."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from intake.models import BreakGlassGrant, Consent, ConsentText, CoupleIntentions
from intake.readiness import ScreeningFacts
from kapcouples.models import AccessLog
from tests.intake.factories import ConsentTextFactory


def _consent_current(partner) -> bool:
    return ScreeningFacts([partner]).consent_current(partner)


def consent_url(partner) -> str:
    return reverse("intake:consent_sign", kwargs={"partner_id": partner.pk})


def sign(client, partner, text, name=None):
    data = {"consent_text_id": text.pk, "typed_name": name or partner.full_name, "agree": "on"}
    return client.post(consent_url(partner), data, REMOTE_ADDR="198.51.100.7")


def test_a_partner_signs_the_current_consent_with_their_typed_name(cast, client_for):
    text = ConsentTextFactory(clinic=cast.clinic)
    client = client_for(cast.user("partner_a"))
    response = sign(client, cast.partner_a, text, name=f"  {cast.partner_a.full_name.upper()} ")
    consent = Consent.objects.get()
    assert response.status_code == 302
    assert consent.consent_text == text and consent.ip_address == "198.51.100.7"
    assert consent.signed_at is not None and _consent_current(cast.partner_a)


def test_a_wrong_name_is_refused_next_to_the_field(cast, client_for):
    text = ConsentTextFactory(clinic=cast.clinic)
    response = sign(client_for(cast.user("partner_a")), cast.partner_a, text, name="Someone Else")
    assert response.status_code == 200
    assert f"exactly as “{cast.partner_a.full_name}”" in response.content.decode()
    assert not Consent.objects.exists()


def test_a_new_version_asks_for_a_new_signature(cast, client_for):
    text = ConsentTextFactory(clinic=cast.clinic)
    client = client_for(cast.user("partner_a"))
    sign(client, cast.partner_a, text)
    client_for(cast.clinic_admin).post(
        reverse("intake:consent_text_edit"),
        {"title": "Consent v2", "body": "New risks.", "step": "publish"},
    )
    assert ConsentText.objects.filter(clinic=cast.clinic).count() == 2
    assert not _consent_current(cast.partner_a)
    page = client.get(reverse("portal")).content.decode()
    assert "To sign" in page
    stale = sign(client, cast.partner_a, text)
    assert "consent text changed" in stale.content.decode()


def test_only_the_clinic_admin_publishes_consent(cast, client_for):
    for viewer in ("clinician", "front_desk", "partner_a"):
        client_for(cast.user(viewer)).post(
            reverse("intake:consent_text_edit"), {"title": "X", "body": "Y", "step": "publish"}
        )
    assert not ConsentText.objects.exists()


def test_a_partner_cannot_sign_for_the_other(cast, client_for):
    text = ConsentTextFactory(clinic=cast.clinic)
    response = sign(client_for(cast.user("partner_b")), cast.partner_a, text)
    assert response.status_code == 404 and not Consent.objects.exists()


# --- Intentions --------------------------------------------------------------------------
def intentions_url(cast) -> str:
    return reverse("intake:intentions_edit", kwargs={"couple_id": cast.couple.pk})


def test_both_partners_edit_the_shared_intentions(cast, client_for):
    url = intentions_url(cast)
    client_for(cast.user("partner_a")).post(url, {"intentions": "A wrote", "revision": 0})
    client_for(cast.user("partner_b")).post(url, {"intentions": "B rewrote", "revision": 1})
    saved = CoupleIntentions.objects.get()
    assert (saved.intentions, saved.revision, saved.updated_by) == (
        "B rewrote",
        2,
        cast.partner_b.user,
    )


def test_a_concurrent_edit_is_detected_and_shown_not_overwritten(cast, client_for):
    url = intentions_url(cast)
    client_a, client_b = client_for(cast.user("partner_a")), client_for(cast.user("partner_b"))
    client_a.get(url), client_b.get(url)  # both open the form at revision 0
    client_a.post(url, {"intentions": "A's words", "revision": 0})
    response = client_b.post(url, {"intentions": "B's words", "revision": 0})
    page = response.content.decode()
    assert response.status_code == 200
    assert "saved a change while you were editing" in page
    assert "A&#x27;s words" in page and "B&#x27;s words" in page  # theirs shown, mine kept
    assert CoupleIntentions.objects.get().intentions == "A's words"
    client_b.post(url, {"intentions": "Both our words", "revision": 1})
    assert CoupleIntentions.objects.get().intentions == "Both our words"


def test_the_care_team_reads_but_does_not_write_intentions(cast, client_for):
    client_for(cast.clinician).post(intentions_url(cast), {"intentions": "Staff", "revision": 0})
    assert not CoupleIntentions.objects.exists()


# --- Break the glass ---------------------------------------------------------------------
def couple_url(cast) -> str:
    return reverse("intake:couple_detail", kwargs={"couple_id": cast.couple.pk})


REASON = "Primary clinician unreachable; partner called in crisis."


def test_a_clinician_off_the_team_is_refused_until_they_break_the_glass(cast, client_for):
    client = client_for(cast.clinician_outside)
    assert client.get(couple_url(cast)).status_code == 403
    response = client.post(
        reverse("intake:break_glass"), {"couple": cast.couple.pk, "reason": REASON}
    )
    assert response.status_code == 302
    assert client.get(couple_url(cast)).status_code == 200
    private = reverse("intake:partner_detail", kwargs={"partner_id": cast.partner_a.pk})
    assert client.get(private).status_code == 200
    entry = AccessLog.objects.get(action=AccessLog.Action.BREAK_GLASS)
    assert entry.user == cast.clinician_outside and REASON in entry.detail


def test_the_grant_ends_after_its_time(cast, client_for):
    client = client_for(cast.clinician_outside)
    client.post(reverse("intake:break_glass"), {"couple": cast.couple.pk, "reason": REASON})
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=61)):
        client = client_for(cast.clinician_outside)
        assert client.get(couple_url(cast)).status_code == 403


def test_the_clinic_admin_sees_the_break_glass_in_the_audit_log(cast, client_for):
    client_for(cast.clinician_outside).post(
        reverse("intake:break_glass"), {"couple": cast.couple.pk, "reason": REASON}
    )
    page = client_for(cast.clinic_admin).get(reverse("audit_log") + "?action=break_glass")
    assert cast.clinician_outside.full_name in page.content.decode()


@pytest.mark.parametrize(
    "data,message",
    [({"reason": "because"}, "at least 15 characters"), ({"reason": ""}, "This field is required")],
)
def test_a_reason_is_required(data, message, cast, client_for):
    response = client_for(cast.clinician_outside).post(
        reverse("intake:break_glass"), {"couple": cast.couple.pk, **data}
    )
    assert response.status_code == 200 and message in response.content.decode()
    assert not BreakGlassGrant.objects.exists()


@pytest.mark.parametrize("viewer", ["other_clinic_clinician", "front_desk", "partner_b"])
def test_nobody_else_can_break_the_glass(viewer, cast, client_for):
    response = client_for(cast.user(viewer)).post(
        reverse("intake:break_glass"), {"couple": cast.couple.pk, "reason": REASON}
    )
    assert response.status_code in (200, 403)  # 200: the couple is not among the choices
    assert not BreakGlassGrant.objects.exists()
    private = reverse("intake:partner_detail", kwargs={"partner_id": cast.partner_a.pk})
    assert client_for(cast.user(viewer)).get(private).status_code in (403, 404)
