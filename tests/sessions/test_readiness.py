"""The readiness gate: every item, and which items a prescriber may override."""

import datetime

import pytest
from django.utils import timezone

from intake.models import Prescription, QuestionnaireResponse
from kapcouples.services import DomainError
from sessions import services
from sessions.models import Appointment, Approach, ReadinessOverride, TreatmentPlan
from sessions.readiness import START, readiness_check
from tests.sessions.factories import book, held, local, make_ready, tomorrow

MED = Appointment.Kind.MEDICINE


def _when(cast) -> datetime.datetime:
    return local(cast, tomorrow(cast) + datetime.timedelta(days=3), 10)


def _unmet(cast, when, **kwargs) -> dict[int, str]:
    readiness = readiness_check(couple=cast.couple, start=when, **kwargs)
    return {item.number: " ".join(item.problems) for item in readiness.items if not item.met}


def test_a_fully_prepared_couple_is_ready_and_can_book(cast):
    when = _when(cast)
    make_ready(cast, when)
    assert _unmet(cast, when) == {}
    appointment = book(cast, MED, when, minutes=240)
    assert appointment.medicine_record.approach == Approach.DUAL_FULL


def test_item_1_needs_an_approved_plan(cast):
    when = _when(cast)
    make_ready(cast, when)
    TreatmentPlan.objects.update(status=TreatmentPlan.Status.DRAFT)
    assert "must approve it" in _unmet(cast, when)[1]
    with pytest.raises(services.NotReadyError) as error:
        book(cast, MED, when)
    assert "1. Treatment plan approved" in str(error.value)
    assert not Appointment.objects.filter(kind=MED).exists()


def test_item_1_needs_a_plan_at_all(cast):
    assert "no treatment plan" in _unmet(cast, _when(cast))[1]


def test_item_1_needs_a_completed_assessment(cast):
    when = _when(cast)
    make_ready(cast, when)
    Appointment.objects.filter(kind=Appointment.Kind.ASSESSMENT).update(
        status=Appointment.Status.NO_SHOW
    )
    assert "No assessment appointment is completed" in _unmet(cast, when)[1]


@pytest.mark.parametrize(
    "breakage,expected",
    [
        ("intake", "has not submitted the intake form"),
        ("review", "no current contraindication review"),
        ("prescription", "no active sublingual"),
        ("route", "no active sublingual"),
        ("consent", "has not signed the clinic's current consent"),
        ("cssrs_missing", "needs a C-SSRS screener completed between"),
        ("cssrs_high", "shows high risk"),
        ("cssrs_moderate", "shows moderate risk"),
    ],
)
def test_item_2_checks_each_dosing_partner_screening_at_the_start(cast, breakage, expected):
    when = _when(cast)
    make_ready(cast, when)
    partner = cast.partner_b
    _break(partner, breakage)
    problems = _unmet(cast, when, purpose=START)
    assert set(problems) == {2}
    assert expected in problems[2]
    assert problems[2].startswith("Bobbie")


@pytest.mark.parametrize(
    "breakage,note",
    [
        ("cssrs_missing", "Bobbie: C-SSRS screener needed between"),
        ("cssrs_high", "At the start: Bobbie's C-SSRS screener of"),
        ("cssrs_moderate", "At the start: Bobbie's C-SSRS screener of"),
    ],
)
def test_the_cssrs_does_not_block_booking_but_the_checklist_says_what_the_start_needs(
    cast, breakage, note
):
    when = _when(cast)
    make_ready(cast, when)
    _break(cast.partner_b, breakage)
    readiness = readiness_check(couple=cast.couple, start=when)
    assert readiness.ready
    assert any(n.startswith(note) for n in readiness.items[1].notes)
    assert any("Alexa: C-SSRS screener done in its window" in n for n in readiness.items[1].notes)


def _cssrs(partner):
    return QuestionnaireResponse.objects.filter(
        partner=partner, code=QuestionnaireResponse.Code.CSSRS
    )


def _break(partner, breakage: str) -> None:
    cssrs = QuestionnaireResponse.objects.filter(
        partner=partner, code=QuestionnaireResponse.Code.CSSRS
    )
    if breakage == "intake":
        partner.intake_forms.update(status="draft")
    elif breakage == "review":
        partner.reviews.update(invalidated_at=timezone.now())
    elif breakage == "prescription":
        Prescription.objects.filter(partner=partner).update(status=Prescription.Status.CANCELLED)
    elif breakage == "route":
        Prescription.objects.filter(partner=partner).update(route=Prescription.Route.INTRANASAL)
    elif breakage == "consent":
        partner.consents.all().delete()
    elif breakage == "cssrs_missing":
        cssrs.update(completed_at=timezone.now() - datetime.timedelta(days=90))
    elif breakage == "cssrs_high":
        cssrs.update(band="high")
    elif breakage == "cssrs_moderate":
        cssrs.update(band="moderate", acknowledged_at=None)


def test_item_2_accepts_an_acknowledged_moderate_cssrs(cast):
    when = _when(cast)
    make_ready(cast, when)
    QuestionnaireResponse.objects.filter(
        partner=cast.partner_b, code=QuestionnaireResponse.Code.CSSRS
    ).update(band="moderate", acknowledged_at=timezone.now(), acknowledged_by=cast.clinician)
    assert _unmet(cast, when) == {}


def test_item_2_in_a_solo_session_only_checks_the_dosing_partner(cast):
    when = _when(cast)
    make_ready(cast, when, Approach.SOLO)
    Prescription.objects.filter(partner=cast.partner_b).update(status="cancelled")
    assert _unmet(cast, when) == {}


def test_item_3_the_solo_support_partner_needs_intake_and_consent(cast):
    when = _when(cast)
    make_ready(cast, when, Approach.SOLO)
    cast.partner_b.consents.all().delete()
    cast.partner_b.intake_forms.update(status="draft")
    problems = _unmet(cast, when)
    assert set(problems) == {3}
    assert "intake form" in problems[3] and "current consent" in problems[3]


def test_item_4_counts_booked_preparations_for_booking_and_completed_for_starting(cast):
    when = _when(cast)
    make_ready(cast, when)
    Appointment.objects.filter(kind=Appointment.Kind.PREPARATION).update(
        status=Appointment.Status.BOOKED
    )
    assert _unmet(cast, when) == {}
    assert "0 of 2 preparation sessions completed" in _unmet(cast, when, purpose=START)[4]
    Appointment.objects.filter(kind=Appointment.Kind.PREPARATION).first().delete()
    assert "1 of 2 preparation sessions booked" in _unmet(cast, when)[4]


def test_item_4_only_counts_preparations_since_the_previous_medicine_session(cast):
    when = _when(cast)
    make_ready(cast, when)
    held(cast, MED, when - datetime.timedelta(days=2), minutes=240)
    held(cast, Appointment.Kind.INTEGRATION, when - datetime.timedelta(days=1))
    assert "0 of 2 preparation sessions booked" in _unmet(cast, when)[4]


def test_item_5_needs_the_previous_sessions_integration_completed(cast):
    when = _when(cast)
    make_ready(cast, when)
    held(cast, MED, when - datetime.timedelta(days=8), minutes=240)
    for days in (4, 3):
        held(cast, Appointment.Kind.PREPARATION, when - datetime.timedelta(days=days))
    assert "no completed integration session" in _unmet(cast, when)[5]
    held(cast, Appointment.Kind.INTEGRATION, when - datetime.timedelta(days=7))
    assert _unmet(cast, when) == {}


def test_item_6_stops_at_the_planned_number_of_sessions(cast):
    when = _when(cast)
    make_ready(cast, when)
    TreatmentPlan.objects.update(planned_medicine_sessions=1)
    held(cast, MED, when - datetime.timedelta(days=15), minutes=240)
    held(cast, Appointment.Kind.INTEGRATION, when - datetime.timedelta(days=14))
    assert "allows 1 medicine sessions and 1 are already booked" in _unmet(cast, when)[6]
    assert set(_unmet(cast, when)) == {6}


def _override(cast, item, *, by=None, reason="Clinical judgement after case review."):
    readiness = readiness_check(couple=cast.couple, start=_when(cast))
    return services.readiness_override(
        couple=cast.couple,
        session_number=readiness.session_number,
        item=item,
        reason=reason,
        by=by or cast.prescriber,
    )


def test_a_prescriber_override_of_item_4_lets_the_booking_through(cast):
    when = _when(cast)
    make_ready(cast, when)
    Appointment.objects.filter(kind=Appointment.Kind.PREPARATION).delete()
    with pytest.raises(services.NotReadyError):
        book(cast, MED, when, minutes=240)
    override = _override(cast, 4)
    readiness = readiness_check(couple=cast.couple, start=when)
    assert readiness.ready
    assert readiness.items[3].override == override
    book(cast, MED, when, minutes=240)
    assert override.history.count() == 1  # audited


@pytest.mark.parametrize("item", [1, 2, 3])
def test_items_1_to_3_cannot_be_overridden(cast, item):
    with pytest.raises(DomainError, match="items 1–3 must be met"):
        _override(cast, item)
    assert not ReadinessOverride.objects.exists()


def test_only_a_prescriber_on_the_care_team_may_override(cast):
    for user in (cast.clinician, cast.front_desk, cast.clinic_admin):
        with pytest.raises(DomainError, match="Only a prescriber"):
            _override(cast, 5, by=user)
    assert not ReadinessOverride.objects.exists()


def test_an_override_needs_a_written_reason(cast):
    with pytest.raises(DomainError, match="reason"):
        _override(cast, 6, reason="   ")
    assert not ReadinessOverride.objects.exists()


@pytest.mark.parametrize("item", [5, 6])
def test_overrides_of_items_5_and_6_satisfy_those_items(cast, item):
    when = _when(cast)
    make_ready(cast, when)
    TreatmentPlan.objects.update(planned_medicine_sessions=1)
    held(cast, MED, when - datetime.timedelta(days=15), minutes=240)
    for days in (4, 3):
        held(cast, Appointment.Kind.PREPARATION, when - datetime.timedelta(days=days))
    unmet_before = {i.number for i in readiness_check(couple=cast.couple, start=when).unmet}
    assert unmet_before == {5, 6}
    _override(cast, item)
    unmet_after = {i.number for i in readiness_check(couple=cast.couple, start=when).unmet}
    assert unmet_after == {5, 6} - {item}


def test_an_override_applies_to_one_session_number_only(cast):
    when = _when(cast)
    make_ready(cast, when)
    Appointment.objects.filter(kind=Appointment.Kind.PREPARATION).delete()
    services.readiness_override(
        couple=cast.couple,
        session_number=2,
        item=4,
        reason="For the second one.",
        by=cast.prescriber,
    )
    assert 4 in _unmet(cast, when)
    assert not readiness_check(couple=cast.couple, start=when).ready
