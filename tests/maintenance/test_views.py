"""The maintenance pages: the couple page's panel, writing, approving and ending a plan,
completing a program; bad input is shown next to its field and nothing typed is lost."""

from django.urls import reverse
from django.utils import timezone

from intake.models import Couple
from kapcouples.models import AccessLog
from maintenance.models import MaintenancePlan, MaintenanceSettings
from tests.maintenance.helpers import DAY, completed_program, maintenance_plan
from tests.sessions.factories import local, make_plan


def _today(cast):
    return timezone.localdate(timezone=cast.clinic.zone)


def _url(name, cast):
    return reverse(f"maintenance:{name}", kwargs={"couple_id": cast.couple.pk})


def _completed(cast):
    completed_program(cast, ended=local(cast, _today(cast) - 50 * DAY, 10))


def test_the_couple_page_offers_to_complete_the_program_then_a_maintenance_plan(cast, client_for):
    client = client_for(cast.clinician)
    page = client.get(reverse("intake:couple_detail", kwargs={"couple_id": cast.couple.pk}))
    assert "Complete the program" in page.content.decode()
    _completed(cast)
    page = client.get(reverse("intake:couple_detail", kwargs={"couple_id": cast.couple.pk}))
    assert "Write the maintenance plan" in page.content.decode()


def test_completing_a_program_from_the_page(cast, client_for):
    make_plan(cast)
    client = client_for(cast.clinician)
    refused = client.post(_url("program_complete", cast), follow=True)
    assert "No medicine session is completed" in refused.content.decode()
    cast.couple.refresh_from_db()
    assert cast.couple.status != Couple.Status.COMPLETED


def test_a_clinician_writes_the_plan_and_a_prescriber_approves_it(cast, client_for):
    _completed(cast)
    today = _today(cast)
    data = {
        "interval_weeks": 8,
        "boosters_per_review": 2,
        "approach": "dual_half",
        "route": "sublingual",
        "starts_on": today.isoformat(),
        "review_on": (today + 120 * DAY).isoformat(),
        "notes": "Every two months.",
    }
    saved = client_for(cast.clinician).post(_url("plan_edit", cast), data)
    assert saved.status_code == 302
    plan = MaintenancePlan.objects.get(couple=cast.couple)
    assert plan.status == MaintenancePlan.Status.DRAFT
    client_for(cast.prescriber).post(_url("plan_approve", cast))
    plan.refresh_from_db()
    assert plan.status == MaintenancePlan.Status.APPROVED
    assert plan.approved_by == cast.prescriber


def test_a_clinician_cannot_approve(cast, client_for):
    _completed(cast)
    maintenance_plan(cast, _today(cast), approved=False)
    answer = client_for(cast.clinician).post(_url("plan_approve", cast))
    assert answer.status_code == 403
    assert MaintenancePlan.objects.get().status == MaintenancePlan.Status.DRAFT


def test_a_review_before_the_start_is_shown_next_to_the_field_and_nothing_is_lost(cast, client_for):
    _completed(cast)
    today = _today(cast)
    data = {
        "interval_weeks": 30,
        "boosters_per_review": 2,
        "approach": "dual_full",
        "route": "sublingual",
        "starts_on": today.isoformat(),
        "review_on": (today - DAY).isoformat(),
        "notes": "Keep this note",
    }
    page = client_for(cast.clinician).post(_url("plan_edit", cast), data)
    text = page.content.decode()
    assert page.status_code == 200
    assert "The review date must be after the start." in text
    assert "less than or equal to 26" in text
    assert "Keep this note" in text
    assert not MaintenancePlan.objects.exists()


def test_ending_the_plan_from_its_page(cast, client_for):
    _completed(cast)
    maintenance_plan(cast, _today(cast))
    client_for(cast.clinician).post(_url("plan_end", cast), {"reason": "Couple doing well"})
    plan = MaintenancePlan.objects.get()
    assert plan.status == MaintenancePlan.Status.ENDED
    assert plan.ended_reason == "Couple doing well"


def test_the_couple_page_shows_the_booster_checklist_under_the_maintenance_plan(cast, client_for):
    _completed(cast)
    maintenance_plan(cast, _today(cast))
    page = client_for(cast.clinician).get(
        reverse("intake:couple_detail", kwargs={"couple_id": cast.couple.pk})
    )
    text = page.content.decode()
    assert "maintenance plan (boosters)" in text
    assert "Maintenance plan approved and in force" in text
    assert 'data-testid="booster-due"' in text


def test_the_clinic_admin_sets_the_booster_rules(cast, client_for):
    url = reverse("maintenance:settings_edit")
    client = client_for(cast.clinic_admin)
    data = {"rescreen_within_days": 10, "preparation_sessions": 2, "reminder_days_before": 7}
    assert client.post(url, data).status_code == 302
    rules = MaintenanceSettings.objects.get(clinic=cast.clinic)
    assert (rules.rescreen_within_days, rules.preparation_sessions) == (10, 2)
    assert AccessLog.objects.filter(
        user=cast.clinic_admin, detail__startswith="booster rules"
    ).exists()
    refused = client.post(url, data | {"rescreen_within_days": 60})
    assert "less than or equal to 30" in refused.content.decode()
    assert client_for(cast.clinician).get(url).status_code == 403
