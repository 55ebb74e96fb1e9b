"""ScreeningFacts: both partners' screening read once per kind, with the same answers as
the per-partner reads the services make at the moment of an act."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from intake.models import ContraindicationReview, IntakeForm, Prescription, ScreeningSettings
from intake.readiness import ScreeningFacts, active_prescription, screening_status
from intake.selectors import questionnaires_due, screening_summaries, screening_summary
from tests.intake.factories import (
    IntakeFormFactory,
    PrescriptionFactory,
    QuestionnaireResponseFactory,
    ReviewFactory,
    complete_answers,
    make_screened,
)

DAY = datetime.timedelta(days=1)


def _today(cast) -> datetime.date:
    return timezone.localdate(timezone=cast.clinic.zone)


@pytest.fixture
def screened(cast):
    """Partner A fully screened; partner B half-way (intake and an old C-SSRS only)."""
    make_screened(cast.partner_a, prescriber=cast.prescriber)
    IntakeFormFactory(partner=cast.partner_b, submitted=True, submitted_at=timezone.now())
    QuestionnaireResponseFactory(partner=cast.partner_b, completed_at=timezone.now() - 90 * DAY)
    return cast


# Partner A (make_screened today): prescription valid from yesterday for 90 days, review
# signed now for 180 days, consent signed, a C-SSRS "none" now; plus a 60 mg prescription
# from day 30 (later, so it wins once valid) and a cancelled one. Partner B: intake only,
# and a C-SSRS 90 days ago. Columns: intake, review, consent, prescription, C-SSRS band.
EXPECTED = {
    -400: ((True, False, True, None, None), (True, False, False, None, None)),
    -2: ((True, False, True, None, None), (True, False, False, None, None)),
    0: ((True, True, True, 100, "none"), (True, False, False, None, None)),
    5: ((True, True, True, 100, "none"), (True, False, False, None, None)),
    45: ((True, True, True, 60, None), (True, False, False, None, None)),
    120: ((True, True, True, None, None), (True, False, False, None, None)),
}


def _seen(status, route) -> tuple:
    prescription = status.prescription
    if prescription is not None:
        assert route in (None, prescription.route)
        prescription = int(prescription.single_dose_mg)
    return (
        status.intake_submitted,
        status.review_cleared,
        status.consent_current,
        prescription,
        status.cssrs_band,
    )


@pytest.mark.parametrize("offset", EXPECTED)
@pytest.mark.parametrize("route", [None, Prescription.Route.SUBLINGUAL, "intramuscular"])
def test_each_partners_status_on_any_day_from_one_read(screened, offset, route):
    cast = screened
    today = _today(cast)
    PrescriptionFactory(
        partner=cast.partner_a,
        valid_from=today + 30 * DAY,
        valid_until=today + 90 * DAY,
        single_dose_mg=Decimal("60"),
    )
    PrescriptionFactory(partner=cast.partner_a, valid_from=today, status="cancelled")
    on = today + offset * DAY
    facts = ScreeningFacts([cast.partner_a, cast.partner_b])
    for partner, expected in zip((cast.partner_a, cast.partner_b), EXPECTED[offset], strict=True):
        if route == "intramuscular":
            expected = (*expected[:3], None, expected[4])
        assert _seen(facts.status(partner, on=on, route=route), route) == expected
        alone = screening_status(partner, on=on, route=route)
        assert _seen(alone, route) == expected
        if route == "sublingual" and expected[3]:
            found = active_prescription(partner, on=on, route=route)
            assert found == facts.prescription(partner, on=on, route=route)


def test_the_latest_active_prescription_for_the_route_wins(cast):
    today = _today(cast)
    PrescriptionFactory(partner=cast.partner_a, valid_from=today - 5 * DAY)
    newest = PrescriptionFactory(partner=cast.partner_a, valid_from=today, single_dose_mg=80)
    PrescriptionFactory(partner=cast.partner_a, valid_from=today, route="intramuscular")
    facts = ScreeningFacts([cast.partner_a])
    assert facts.prescription(cast.partner_a, on=today, route="sublingual") == newest
    assert facts.prescription(cast.partner_a, on=today - DAY, route="sublingual") != newest
    assert facts.prescription(cast.partner_a, on=today + 400 * DAY, route=None) is None


def test_an_invalidated_review_and_a_later_refusal_are_seen_as_the_single_read_sees_them(cast):
    make_screened(cast.partner_a, prescriber=cast.prescriber)
    today = _today(cast)
    assert ScreeningFacts([cast.partner_a]).status(cast.partner_a, on=today).review_cleared
    ReviewFactory(
        partner=cast.partner_a,
        intake=IntakeForm.objects.get(partner=cast.partner_a, status="submitted"),
        reviewer=cast.prescriber,
        decision=ContraindicationReview.Decision.NOT_CLEARED,
        signed_at=timezone.now() + datetime.timedelta(minutes=1),
    )
    status = ScreeningFacts([cast.partner_a]).status(cast.partner_a, on=today)
    assert not status.review_cleared


def test_a_draft_amendment_reporting_an_absolute_contraindication_is_reported(cast):
    make_screened(cast.partner_a, prescriber=cast.prescriber)
    IntakeFormFactory(
        partner=cast.partner_a, version=2, answers=complete_answers(psychosis_or_mania=True)
    )
    facts = ScreeningFacts([cast.partner_a])
    assert facts.status(cast.partner_a, on=_today(cast)).draft_absolute == (
        "Psychosis or mania (now or in the past)",
    )


def test_the_cssrs_window_follows_the_clinics_setting(cast):
    QuestionnaireResponseFactory(partner=cast.partner_a, completed_at=timezone.now() - 10 * DAY)
    today = _today(cast)
    assert ScreeningFacts([cast.partner_a]).status(cast.partner_a, on=today).cssrs_band == "none"
    ScreeningSettings.objects.filter(clinic=cast.clinic).update(cssrs_valid_days=7)
    status = ScreeningFacts([cast.partner_a]).status(cast.partner_a, on=today)
    assert status.cssrs_band is None
    assert "C-SSRS" in status.cssrs_blocker


def test_each_kind_is_read_once_for_both_partners(screened):
    cast = screened
    ScreeningSettings.for_clinic(cast.clinic.pk)
    today = _today(cast)

    def reads(partners) -> int:
        facts = ScreeningFacts(partners)
        with CaptureQueriesContext(connection) as queries:
            for partner in partners:
                facts.status(partner, on=today, route="sublingual")
                facts.status(partner, on=today + 40 * DAY)
                questionnaires_due(partner, on=today, facts=facts)
        return len(queries)

    assert reads([cast.partner_a]) == reads([cast.partner_a, cast.partner_b]) == 6


def test_summaries_from_shared_facts_match_each_partners_own(screened):
    cast = screened
    together = screening_summaries(ScreeningFacts([cast.partner_a, cast.partner_b]))
    assert together == [screening_summary(cast.partner_a), screening_summary(cast.partner_b)]
    assert together[0].intake == "submitted"
    assert together[0].consent_signed and not together[1].consent_signed
    # B's only screener is out of its window: the C-SSRS is due again, so none is done
    assert together[1].questionnaires_done == 0
