"""The demo shows screening at both stages; the portal and couple panels show the right tasks."""

import datetime

import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from intake import services
from intake.models import (
    ConsentText,
    ContraindicationReview,
    IntakeForm,
    Partner,
    Prescription,
    QuestionnaireResponse,
)
from intake.readiness import screening_status
from integration.models import Alert

SCREENING_MODELS = (IntakeForm, QuestionnaireResponse, ContraindicationReview, ConsentText)


def test_the_demo_has_one_couple_cleared_and_one_part_way_and_runs_twice(db):
    call_command("seed_demo", "--force")
    counts = [model.objects.count() for model in SCREENING_MODELS]
    rx_count = Prescription.objects.count()
    call_command("seed_demo", "--force")
    assert [model.objects.count() for model in SCREENING_MODELS] == counts
    assert Prescription.objects.count() == rx_count
    today = timezone.localdate()
    for email in ("alex@demo.kap", "sam@demo.kap"):
        status = screening_status(Partner.objects.get(email=email), on=today, route="sublingual")
        assert status.intake_submitted and status.review_cleared and status.consent_current
        assert status.prescription is not None and status.cssrs_band == "none"
    jordan = Partner.objects.get(email="jordan@demo.kap")
    assert jordan.intake_forms.get().status == "draft"
    riley = Partner.objects.get(email="riley@demo.kap")
    assert riley.questionnaire_responses.get().flags == ["suicide_risk"]
    assert Alert.objects.filter(partner=riley, kind="suicide_risk").exists()


def test_the_portal_lists_the_partners_tasks_and_drops_a_questionnaire_once_done(cast, client_for):
    client = client_for(cast.user("partner_a"))
    page = client.get(reverse("portal")).content.decode()
    assert "Questionnaire GAD-7" in page and "Intake form" in page
    assert "To sign" not in page  # the clinic has published no consent text yet
    services.questionnaire_submit(
        partner=cast.partner_a, user=cast.partner_a.user, code="GAD-7", answers=[0] * 7
    )
    assert "Questionnaire GAD-7" not in client.get(reverse("portal")).content.decode()


# Mid-day in the clinic's zone: validity counts in clinic dates, so a run near local
# midnight must not move the boundary under the test.
@time_machine.travel(datetime.datetime(2026, 11, 22, 17, tzinfo=datetime.UTC), tick=False)
def test_the_cssrs_is_due_again_once_its_validity_has_passed(cast, client_for):
    services.questionnaire_submit(
        partner=cast.partner_a,
        user=cast.partner_a.user,
        code="C-SSRS",
        answers=[0, 0, None, None, None, 0],
    )
    client = client_for(cast.user("partner_a"))
    assert "Questionnaire C-SSRS" not in client.get(reverse("portal")).content.decode()
    response = QuestionnaireResponse.objects.get()
    response.completed_at -= datetime.timedelta(days=31)
    response.save()
    assert "Questionnaire C-SSRS" in client.get(reverse("portal")).content.decode()


def test_front_desk_sees_the_invitation_and_intake_statuses(cast, client_for):
    user = cast.partner_a.user
    user.set_unusable_password()
    user.save()
    services.invitation_send(partner=cast.partner_a, sent_by=cast.front_desk)
    services.intake_save_step(
        partner=cast.partner_b, by=cast.partner_b.user, step="goals", answers={"goals": "x"}
    )
    url = reverse("intake:couple_detail", kwargs={"couple_id": cast.couple.pk})
    page = client_for(cast.front_desk).get(url).content.decode()
    assert "invited" in page and "Resend invitation" in page and "Revoke" in page
    assert 'data-label="Intake">draft</td>' in page
    assert "not reviewed" in page and "0 of 5 done" in page
