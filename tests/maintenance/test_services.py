"""Completing a program and writing, approving and ending a maintenance plan: who may,
and what each refuses."""

import pytest

from intake.models import Couple
from kapcouples.policy import NotAllowed
from kapcouples.services import DomainError
from maintenance import services
from maintenance.models import MaintenancePlan
from sessions.models import TreatmentPlan
from tests.maintenance.helpers import DAY, completed_program, maintenance_plan
from tests.sessions.factories import local, make_plan, tomorrow


def _when(cast):
    return local(cast, tomorrow(cast), 10)


def test_completing_a_program_completes_the_treatment_plan_too(cast):
    completed_program(cast, ended=_when(cast) - 60 * DAY)
    assert cast.couple.status == Couple.Status.COMPLETED
    assert TreatmentPlan.objects.get(couple=cast.couple).status == TreatmentPlan.Status.COMPLETED
    assert cast.couple.history.first().status == Couple.Status.COMPLETED


def test_a_program_without_a_held_medicine_session_cannot_be_completed(cast):
    make_plan(cast)
    with pytest.raises(DomainError, match="No medicine session is completed"):
        services.program_complete(couple=cast.couple, by=cast.clinician)


@pytest.mark.parametrize("who", ["front_desk", "clinician_outside", "other_clinic_clinician"])
def test_only_the_care_team_completes_a_program(cast, who):
    with pytest.raises(NotAllowed, match="can_complete_program"):
        services.program_complete(couple=cast.couple, by=cast.user(who))
    cast.couple.refresh_from_db()
    assert cast.couple.status != Couple.Status.COMPLETED


def test_only_a_completed_couple_has_a_maintenance_plan(cast):
    with pytest.raises(DomainError, match="follows a completed program"):
        maintenance_plan(cast, _when(cast).date(), approved=False)
    assert not MaintenancePlan.objects.exists()


@pytest.mark.parametrize("who", ["clinician", "clinician_outside", "front_desk"])
def test_only_a_prescriber_on_the_care_team_approves(cast, who):
    completed_program(cast, ended=_when(cast) - 60 * DAY)
    plan = maintenance_plan(cast, _when(cast).date(), approved=False)
    with pytest.raises(NotAllowed, match="can_approve_maintenance_plan"):
        services.maintenance_plan_approve(plan=plan, by=cast.user(who))
    plan.refresh_from_db()
    assert plan.status == MaintenancePlan.Status.DRAFT


def test_editing_an_approved_plan_sends_it_back_for_approval(cast):
    completed_program(cast, ended=_when(cast) - 60 * DAY)
    plan = maintenance_plan(cast, _when(cast).date())
    assert plan.status == MaintenancePlan.Status.APPROVED and plan.approved_by == cast.prescriber
    edited = services.maintenance_plan_save(
        couple=cast.couple, by=cast.clinician, values={"interval_weeks": 12}
    )
    assert edited.pk == plan.pk
    assert edited.status == MaintenancePlan.Status.DRAFT and edited.approved_by is None
    assert plan.history.count() >= 3  # created, approved, edited: kept


def test_a_plan_past_its_review_date_is_not_approved_until_a_new_date_is_set(cast):
    completed_program(cast, ended=_when(cast) - 90 * DAY)
    today = _when(cast).date() - DAY
    plan = maintenance_plan(
        cast, today, approved=False, starts_on=today - 60 * DAY, review_on=today - DAY
    )
    with pytest.raises(DomainError, match="has passed"):
        services.maintenance_plan_approve(plan=plan, by=cast.prescriber)


def test_the_review_is_at_most_a_year_after_the_start(cast):
    completed_program(cast, ended=_when(cast) - 60 * DAY)
    day = _when(cast).date()
    plan = maintenance_plan(cast, day, approved=False, starts_on=day, review_on=day + 400 * DAY)
    with pytest.raises(DomainError, match="at most a year"):
        services.maintenance_plan_approve(plan=plan, by=cast.prescriber)


def test_a_solo_maintenance_plan_names_a_partner_of_this_couple(cast):
    completed_program(cast, ended=_when(cast) - 60 * DAY)
    with pytest.raises(DomainError, match="names which partner of this couple"):
        maintenance_plan(
            cast,
            _when(cast).date(),
            approved=False,
            approach="solo",
            dosing_partner=cast.other_partner,
        )


def test_ending_a_plan_keeps_it_and_needs_a_reason(cast):
    completed_program(cast, ended=_when(cast) - 60 * DAY)
    plan = maintenance_plan(cast, _when(cast).date())
    with pytest.raises(DomainError, match="Say why"):
        services.maintenance_plan_end(plan=plan, by=cast.clinician, reason=" ")
    ended = services.maintenance_plan_end(plan=plan, by=cast.clinician, reason="Doing well")
    assert ended.status == MaintenancePlan.Status.ENDED
    assert MaintenancePlan.objects.filter(pk=plan.pk).exists()
