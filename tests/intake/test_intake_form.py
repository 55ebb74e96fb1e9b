"""The partner's multi-step intake: drafts, validation, submission, amendments."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from intake.forms import INTAKE_STEPS
from intake.models import ContraindicationReview, IntakeForm
from tests.conftest import sign_in
from tests.intake.factories import ReviewFactory

STEP_DATA = {
    "about": {
        "date_of_birth": "1985-04-30",
        "pronouns": "she/her",
        "phone": "555 0100 123",
        "address": "12 Orchard Lane",
        "occupation": "Teacher",
    },
    "emergency": {
        "emergency_contact_name": "Morgan Reed",
        "emergency_contact_relationship": "Sister",
        "emergency_contact_phone": "555 0100 999",
    },
    "medical": {
        **{
            key: "no"
            for key in INTAKE_STEPS["medical"]().fields
            if key not in ("other_conditions", "allergies")
        },
        "hypertension": "yes",
        "other_conditions": "Knee surgery 2015",
        "allergies": "Penicillin",
    },
    "medications": {"medications": "Sertraline 50 mg daily\nIbuprofen as needed"},
    "experience": {"prior_ketamine": "never", "prior_psychedelics": "once", "details": ""},
    "mental_health": {
        "diagnoses": "Depression",
        "current_treatment": "Weekly therapy",
        "hospitalisations": "no",
        "details": "",
    },
    "goals": {"goals": "Trust each other again"},
    "transport": {
        "transport_mode": "driven",
        "driver_name": "Morgan Reed",
        "driver_phone": "555 0100 999",
    },
}


RADIO_FIELDS = {"hypertension", "prior_ketamine", "transport_mode"}


def step_url(partner, step: str) -> str:
    return reverse("intake:intake_step", kwargs={"partner_id": partner.pk, "step": step})


def fill(client, partner, steps) -> None:
    for step in steps:
        response = client.post(step_url(partner, step), STEP_DATA[step])
        assert response.status_code == 302, response.content.decode()[:3000]


def submit(client, partner):
    return client.post(reverse("intake:intake_submit", kwargs={"partner_id": partner.pk}))


def test_each_step_saves_a_draft_and_moves_on(cast, client_for):
    client = client_for(cast.user("partner_a"))
    response = client.post(step_url(cast.partner_a, "about"), STEP_DATA["about"])
    assert response["Location"] == step_url(cast.partner_a, "emergency")
    draft = IntakeForm.objects.get(partner=cast.partner_a)
    assert draft.status == "draft" and draft.answers["about"]["address"] == "12 Orchard Lane"


def test_a_draft_survives_logout_and_every_answer_is_there_again(cast, client_for):
    client = client_for(cast.user("partner_a"))
    half = list(INTAKE_STEPS)[:4]
    fill(client, cast.partner_a, half)
    later = timezone.now() + datetime.timedelta(minutes=31)
    with time_machine.travel(later):
        expired = client.get(step_url(cast.partner_a, "about"))
        assert expired.status_code == 302 and "/login/" in expired["Location"]
        client = sign_in(client, cast.user("partner_a"))
        pages = {step: client.get(step_url(cast.partner_a, step)).content.decode() for step in half}
    assert "12 Orchard Lane" in pages["about"] and 'value="1985-04-30"' in pages["about"]
    assert 'value="Morgan Reed"' in pages["emergency"]
    assert 'value="yes"' in pages["medical"] and "Penicillin" in pages["medical"]
    assert "Sertraline 50 mg daily\nIbuprofen as needed" in pages["medications"]


def test_a_step_posted_after_the_session_timed_out_is_kept_for_after_sign_in(cast, client_for):
    client = client_for(cast.user("partner_a"))
    client.get(reverse("portal"))
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=31)):
        response = client.post(step_url(cast.partner_a, "goals"), {"goals": "Typed before timeout"})
        assert "/login/" in response["Location"]
        client = sign_in(client, cast.user("partner_a"))
        page = client.get(step_url(cast.partner_a, "goals")).content.decode()
    assert "Typed before timeout" in page


@pytest.mark.parametrize(
    "step,field,value,message",
    [
        ("about", "date_of_birth", "", "Enter your date of birth."),
        ("about", "date_of_birth", "31/31/1980", "Enter your date of birth as a date"),
        ("about", "date_of_birth", "2015-01-01", "must be 18 or older"),
        ("about", "phone", "12", "7 to 15 digits"),
        ("about", "address", "x" * 10_000, "Keep this under 2,000 characters"),
        ("medical", "hypertension", "maybe", "Answer yes or no."),
        ("medical", "hypertension", "", "Answer yes or no."),
        ("experience", "prior_ketamine", "9999", "Select a valid choice"),
        ("transport", "transport_mode", "drive_myself", "Select a valid choice"),
        ("goals", "goals", "", "Please answer this question."),
    ],
)
def test_bad_values_come_back_with_a_message_and_keep_what_was_typed(
    step, field, value, message, cast, client_for
):
    data = {**STEP_DATA[step], field: value}
    response = client_for(cast.user("partner_a")).post(step_url(cast.partner_a, step), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    others = [v for k, v in data.items() if k != field and isinstance(v, str) and len(v) > 4]
    assert all(other in page for other in others)
    if field not in RADIO_FIELDS:
        assert value in page  # what was typed, even when wrong, is shown again
    assert not IntakeForm.objects.filter(partner=cast.partner_a).exists()


def test_medicines_must_be_listed_or_none_ticked(cast, client_for):
    response = client_for(cast.user("partner_a")).post(
        step_url(cast.partner_a, "medications"), {"medications": ""}
    )
    assert "tick “I take no medicines”" in response.content.decode()


def test_markup_typed_by_a_partner_is_shown_escaped_to_clinicians(cast, client_for):
    client = client_for(cast.user("partner_a"))
    fill(client, cast.partner_a, INTAKE_STEPS)
    client.post(step_url(cast.partner_a, "goals"), {"goals": "<script>alert(1)</script><b>x</b>"})
    submit(client, cast.partner_a)
    url = reverse("intake:intake_overview", kwargs={"partner_id": cast.partner_a.pk})
    page = client_for(cast.clinician).get(url).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;x&lt;/b&gt;" in page
    assert "<script>alert(1)" not in page


def test_submitting_needs_every_step(cast, client_for):
    client = client_for(cast.user("partner_a"))
    fill(client, cast.partner_a, ["about"])
    submit(client, cast.partner_a)
    assert IntakeForm.objects.get(partner=cast.partner_a).status == "draft"


def test_a_submitted_intake_is_locked(cast, client_for):
    client = client_for(cast.user("partner_a"))
    fill(client, cast.partner_a, INTAKE_STEPS)
    submit(client, cast.partner_a)
    response = client.post(step_url(cast.partner_a, "goals"), {"goals": "Changed"})
    assert response.status_code == 302
    intake = IntakeForm.objects.get(partner=cast.partner_a)
    assert intake.status == "submitted" and intake.answers["goals"]["goals"] != "Changed"


def test_an_amendment_makes_a_new_version_and_keeps_the_old_one_readable(cast, client_for):
    client = client_for(cast.user("partner_a"))
    fill(client, cast.partner_a, INTAKE_STEPS)
    submit(client, cast.partner_a)
    client.post(reverse("intake:intake_amend", kwargs={"partner_id": cast.partner_a.pk}))
    client.post(step_url(cast.partner_a, "goals"), {"goals": "Amended goal"})
    submit(client, cast.partner_a)
    old, new = IntakeForm.objects.filter(partner=cast.partner_a).order_by("version")
    assert (old.status, new.status) == ("superseded", "submitted")
    url = reverse("intake:intake_version", kwargs={"intake_id": old.pk})
    page = client_for(cast.clinician).get(url).content.decode()
    assert "Trust each other again" in page and "Amended goal" not in page


def test_an_amended_intake_invalidates_its_review(cast, client_for):
    client = client_for(cast.user("partner_a"))
    fill(client, cast.partner_a, INTAKE_STEPS)
    submit(client, cast.partner_a)
    intake = IntakeForm.objects.get(partner=cast.partner_a)
    review = ReviewFactory(partner=cast.partner_a, intake=intake, reviewer=cast.prescriber)
    client.post(reverse("intake:intake_amend", kwargs={"partner_id": cast.partner_a.pk}))
    review.refresh_from_db()
    assert review.invalidated_at is None  # the submitted version is in force until then
    submit(client, cast.partner_a)
    review.refresh_from_db()
    assert review.invalidated_at is not None and "amended" in review.invalidated_reason.lower()
    assert not ContraindicationReview.objects.filter(invalidated_at__isnull=True).exists()


@pytest.mark.parametrize("viewer", ["partner_b", "other_partner", "clinician"])
def test_nobody_else_can_fill_in_a_partners_intake(viewer, cast, client_for):
    response = client_for(cast.user(viewer)).post(
        step_url(cast.partner_a, "goals"), STEP_DATA["goals"]
    )
    assert response.status_code in (403, 404)
    assert not IntakeForm.objects.exists()


def test_an_unfinished_step_saved_for_later_keeps_its_valid_answers_but_stays_to_do(
    cast, client_for
):
    client = client_for(cast.user("partner_a"))
    fill(client, cast.partner_a, [step for step in INTAKE_STEPS if step != "about"])
    half = {"address": "12 Orchard Lane", "phone": "55", "then": "stop"}
    response = client.post(step_url(cast.partner_a, "about"), half)
    assert response.status_code == 302
    draft = IntakeForm.objects.get(partner=cast.partner_a)
    assert draft.answers["about"]["address"] == "12 Orchard Lane"
    assert "phone" not in draft.answers["about"] and "about" not in draft.steps_saved
    submit(client, cast.partner_a)
    assert IntakeForm.objects.get(partner=cast.partner_a).status == "draft"
    page = client.get(step_url(cast.partner_a, "about")).content.decode()
    assert "12 Orchard Lane" in page


def test_autosave_keeps_the_valid_answers_typed_so_far(cast, client_for):
    client = client_for(cast.user("partner_a"))
    data = {"address": "Half typed address", "phone": "5", "then": "autosave"}
    response = client.post(step_url(cast.partner_a, "about"), data, HTTP_ACCEPT="application/json")
    assert response.status_code == 200 and response.json() == {"saved": True, "complete": False}
    draft = IntakeForm.objects.get(partner=cast.partner_a)
    assert draft.answers["about"] == {
        "address": "Half typed address",
        "pronouns": "",
        "occupation": "",
    }
    assert draft.steps_saved == []


def test_autosave_of_a_complete_step_counts_it_as_done(cast, client_for):
    client = client_for(cast.user("partner_a"))
    data = {**STEP_DATA["goals"], "then": "autosave"}
    assert client.post(step_url(cast.partner_a, "goals"), data).json()["complete"] is True
    assert IntakeForm.objects.get(partner=cast.partner_a).steps_saved == ["goals"]
