"""The caseload: who sees which couples, what each row says, and its filters and pages."""

import datetime
import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from intake import services
from intake.models import ContraindicationReview, Couple, QuestionnaireResponse
from integration import alerts
from integration.models import Alert
from kapcouples.models import AccessLog
from sessions.models import Appointment
from sessions.readiness import readiness_check
from tests.factories import ClinicFactory, CoupleFactory, PartnerFactory
from tests.intake.factories import QuestionnaireResponseFactory, ReviewFactory, complete_answers
from tests.sessions.factories import book, held, local, make_plan, make_ready, tomorrow
from workspace.caseload import ScoreChange, score_changes

Code = QuestionnaireResponse.Code
URL = reverse("care_dashboard")


def _page(client, query: str = "") -> str:
    response = client.get(URL + query)
    assert response.status_code == 200
    return response.content.decode()


def _couple_ids(page: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-testid="caseload-row" data-couple="(\d+)"', page)]


def _row(page: str, couple) -> str:
    match = re.search(rf'data-couple="{couple.pk}">(.*?)</tr>', page, re.S)
    assert match, f"no row for couple {couple.pk}"
    return match.group(1)


def _raise(couple, key: str, *, urgent: bool = False) -> Alert:
    return alerts.alert_raise(
        couple=couple,
        kind=Alert.Kind.SUICIDE_RISK if urgent else Alert.Kind.MISSING_INTEGRATION,
        message=f"Alert {key}",
        dedupe_key=key,
        urgent=urgent,
    )


def _score(partner, code, total, days_ago):
    return QuestionnaireResponseFactory(
        partner=partner,
        code=code,
        total=total,
        band="x",
        answers=[0],
        completed_at=timezone.now() - datetime.timedelta(days=days_ago),
    )


# --- Who sees what ----------------------------------------------------------------------------
def test_it_lists_a_clinicians_care_team_couples_and_no_others(cast, client_for):
    elsewhere = CoupleFactory(clinic=cast.other_clinic)
    not_mine = CoupleFactory(clinic=cast.clinic)
    page = _page(client_for(cast.clinician))
    assert sorted(_couple_ids(page)) == sorted([cast.couple.pk, cast.other_couple.pk])
    assert elsewhere.pk not in _couple_ids(page) and not_mine.pk not in _couple_ids(page)
    assert _couple_ids(_page(client_for(cast.prescriber))) == [cast.couple.pk]
    assert _couple_ids(_page(client_for(cast.clinician_outside))) == []
    assert _couple_ids(_page(client_for(cast.other_clinic_clinician))) == []


def test_it_lists_every_couple_of_the_clinic_to_its_admin_without_clinical_columns(
    cast, client_for
):
    not_mine = CoupleFactory(clinic=cast.clinic)
    CoupleFactory(clinic=cast.other_clinic)
    _score(cast.partner_a, Code.PHQ9, 12, 3)
    _raise(cast.couple, "urgent", urgent=True)
    page = _page(client_for(cast.clinic_admin))
    assert sorted(_couple_ids(page)) == sorted([cast.couple.pk, cast.other_couple.pk, not_mine.pk])
    assert "PHQ-9" not in page and "Next medicine session" not in page
    assert "Alert urgent" not in page  # the count only, never the content
    assert "1 urgent" in _row(page, cast.couple)
    assert not AccessLog.objects.filter(user=cast.clinic_admin, action="read").exists()


@pytest.mark.parametrize("who", ["front_desk", "partner_a"])
def test_front_desk_and_partners_are_refused(cast, client_for, who):
    response = client_for(cast.user(who)).get(URL)
    assert response.status_code == 403
    assert AccessLog.objects.filter(user=cast.user(who), action="denied").exists()


def test_a_clinicians_visit_is_audited_as_a_read(cast, client_for):
    _page(client_for(cast.clinician))
    assert AccessLog.objects.filter(user=cast.clinician, action="read", path=URL).count() == 1


# --- Filters, search, sort, pages ---------------------------------------------------------------
def test_it_filters_by_phase_alert_and_name(cast, client_for):
    cast.other_couple.status = Couple.Status.ACTIVE
    cast.other_couple.save()
    _raise(cast.couple, "one")
    client = client_for(cast.clinician)
    assert _couple_ids(_page(client, "?phase=active")) == [cast.other_couple.pk]
    assert _couple_ids(_page(client, "?has_alert=1")) == [cast.couple.pk]
    assert _couple_ids(_page(client, "?q=Bobbie")) == [cast.couple.pk]
    assert _couple_ids(_page(client, "?q=nobody-is-called-this")) == []
    assert "No couple matches these filters." in _page(client, "?q=nobody-is-called-this")
    assert len(_couple_ids(_page(client, "?phase=nonsense"))) == 2  # an unknown phase is ignored


def test_a_resolved_alert_no_longer_counts(cast, client_for):
    alert = _raise(cast.couple, "one")
    alerts.alert_resolve(alert=alert, note="Called them back.", by=cast.clinician)
    client = client_for(cast.clinician)
    assert _couple_ids(_page(client, "?has_alert=1")) == []
    assert "None" in re.search(
        r'data-testid="alerts">(.*?)</td>', _row(_page(client), cast.couple)
    ).group(1)


def test_it_sorts_by_name_next_appointment_and_urgency(cast, client_for):
    cast.other_partner.last_name = "Aaronson"
    cast.other_partner.save()
    cast.partner_a.last_name = "Zimmer"
    cast.partner_a.save()
    client = client_for(cast.clinician)
    assert _couple_ids(_page(client, "?sort=name")) == [cast.other_couple.pk, cast.couple.pk]
    book(cast, Appointment.Kind.ASSESSMENT, local(cast, tomorrow(cast), 10))
    assert _couple_ids(_page(client, "?sort=next")) == [cast.couple.pk, cast.other_couple.pk]
    _raise(cast.couple, "routine")
    _raise(cast.other_couple, "urgent", urgent=True)
    assert _couple_ids(_page(client, "?sort=alerts")) == [cast.other_couple.pk, cast.couple.pk]


def test_pages_hold_25_couples_and_keep_the_filters_in_their_links(cast, client_for):
    for _ in range(26):
        PartnerFactory(couple=CoupleFactory(clinic=cast.clinic, primary_clinician=cast.clinician))
    client = client_for(cast.clinician)
    first = _page(client, "?phase=assessment&sort=name")
    assert len(_couple_ids(first)) == 25
    assert "?phase=assessment&amp;sort=name&amp;page=2" in first
    second = _page(client, "?phase=assessment&sort=name&page=2")
    assert len(_couple_ids(second)) == 3
    assert not set(_couple_ids(first)) & set(_couple_ids(second))


# --- What a row says --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("code", "baseline", "latest", "shown", "direction"),
    [
        (Code.PHQ9, 18, 12, "↓ 6 since baseline", "improved"),
        (Code.GAD7, 5, 9, "↑ 4 since baseline", "worse"),
        (Code.PCL5, 40, 40, "no change since baseline", "unchanged"),
        (Code.CSI4, 10, 15, "↑ 5 since baseline", "improved"),
        (Code.CSI4, 15, 11, "↓ 4 since baseline", "worse"),
    ],
)
def test_a_score_change_is_latest_minus_baseline_with_lower_better_except_csi(
    code, baseline, latest, shown, direction
):
    change = ScoreChange(code, latest, baseline, higher_is_better=code == Code.CSI4)
    assert change.change == latest - baseline
    assert change.since_baseline == shown
    assert change.direction == direction


def test_scores_read_the_first_and_latest_of_each_series_breaking_ties_by_row(cast):
    """Two responses of one moment: the later row is the latest, the earlier the baseline,
    as everywhere else the series is ordered; other partners' rows never leak in."""
    one_moment = [_score(cast.partner_a, Code.PHQ9, total, 5) for total in (20, 14, 9)]
    QuestionnaireResponse.objects.filter(pk__in=[r.pk for r in one_moment]).update(
        completed_at=one_moment[0].completed_at
    )
    _score(cast.partner_a, Code.GAD7, 7, 1)
    _score(cast.partner_b, Code.PHQ9, 3, 1)
    found = score_changes([cast.partner_a])
    assert set(found) == {cast.partner_a.pk}
    phq = found[cast.partner_a.pk][Code.PHQ9]
    assert (phq.baseline, phq.latest) == (20, 9)
    gad = found[cast.partner_a.pk][Code.GAD7]
    assert (gad.baseline, gad.latest) == (7, 7)
    assert Code.PCL5 not in found[cast.partner_a.pk]


def test_the_row_shows_latest_scores_against_the_first_one(cast, client_for):
    _score(cast.partner_a, Code.PHQ9, 18, 60)
    _score(cast.partner_a, Code.PHQ9, 15, 30)
    _score(cast.partner_a, Code.PHQ9, 12, 1)
    _score(cast.partner_b, Code.CSI4, 10, 40)
    _score(cast.partner_b, Code.CSI4, 16, 2)
    _score(cast.partner_a, Code.CSI4, 14, 2)
    row = _row(_page(client_for(cast.clinician)), cast.couple)
    scores = re.search(r'data-testid="scores">(.*?)</td>', row, re.S).group(1)
    assert re.search(
        r"PHQ-9 <strong>12</strong>.*?↓ 6 since baseline.*?down 6 since baseline, improved", scores
    )
    assert 'GAD-7 <span class="text-body-secondary">not done' in scores
    csi = re.search(r'data-testid="csi4">(.*?)</td>', row, re.S).group(1)
    assert "Alexa:" in csi and "Bobbie:" in csi
    assert re.search(r"Bobbie:.*?<strong>16</strong>.*?up 6 since baseline, improved", csi)
    assert re.search(r"Alexa:.*?<strong>14</strong>.*?no change since baseline", csi)


def test_the_next_appointment_ignores_cancelled_and_past_ones(cast, client_for):
    from sessions import services

    held(cast, Appointment.Kind.ASSESSMENT, timezone.now() - datetime.timedelta(days=2))
    soon = book(cast, Appointment.Kind.PREPARATION, local(cast, tomorrow(cast), 9))
    services.appointment_cancel(appointment=soon, reason="Ill", by=cast.front_desk)
    later = local(cast, tomorrow(cast) + datetime.timedelta(days=3), 14)
    book(cast, Appointment.Kind.INTEGRATION, later)
    row = _row(_page(client_for(cast.clinician)), cast.couple)
    shown = re.search(r'data-testid="next-appointment">(.*?)</td>', row).group(1)
    assert shown == f"{later:%a} {later.day} {later:%b %Y}, 14:00 · Integration"
    other = _row(_page(client_for(cast.clinician)), cast.other_couple)
    assert "None booked" in other


def test_readiness_says_what_the_couple_page_checklist_says(cast, client_for):
    client = client_for(cast.clinician)
    row = _row(_page(client), cast.couple)
    unmet = readiness_check(couple=cast.couple, start=timezone.now()).unmet[0]
    assert f"{unmet.number}. {unmet.title}" in row and "Not ready" in row
    assert unmet.problems[0].replace("“", "&ldquo;")[:40] in row or unmet.problems[0][:40] in row
    when = local(cast, tomorrow(cast) + datetime.timedelta(days=2), 10)
    make_ready(cast, when)
    book(cast, Appointment.Kind.MEDICINE, when, minutes=240)
    assert 'text-bg-success">Ready' in _row(_page(client), cast.couple)


def test_readiness_names_an_overridable_item_once_screening_is_done(cast, client_for):
    when = local(cast, tomorrow(cast) + datetime.timedelta(days=2), 10)
    make_ready(cast, when)
    Appointment.objects.filter(couple=cast.couple, kind=Appointment.Kind.PREPARATION).update(
        status=Appointment.Status.CANCELLED, cancel_reason="Moved"
    )
    row = _row(_page(client_for(cast.clinician)), cast.couple)
    expected = readiness_check(couple=cast.couple, start=timezone.now()).unmet[0]
    assert expected.number == 4
    assert f"4. {expected.title}" in row


def _ready_and_booked(cast) -> Appointment:
    when = local(cast, tomorrow(cast) + datetime.timedelta(days=2), 10)
    make_ready(cast, when)
    return book(cast, Appointment.Kind.MEDICINE, when, minutes=240)


def _first_unmet(cast, appointment):
    checklist = readiness_check(
        couple=cast.couple, start=appointment.start, appointment=appointment
    )
    return checklist.unmet[0]


def test_an_amendment_reporting_an_absolute_item_stops_the_row_as_it_stops_the_checklist(
    cast, client_for
):
    appointment = _ready_and_booked(cast)
    services.intake_amend(partner=cast.partner_a, by=cast.partner_a.user)
    medical = complete_answers(psychosis_or_mania=True)["medical"]
    services.intake_save_step(
        partner=cast.partner_a, by=cast.partner_a.user, step="medical", answers=medical
    )
    row = _row(_page(client_for(cast.clinician)), cast.couple)
    unmet = _first_unmet(cast, appointment)
    assert "in an intake amendment" in unmet.problems[0]
    assert f"{unmet.number}. {unmet.title}" in row
    assert html.escape(unmet.problems[0]) in row


def test_a_refusal_signed_in_the_same_second_as_the_clearance_wins_on_both(cast, client_for):
    appointment = _ready_and_booked(cast)
    clearance = cast.partner_a.reviews.get()
    ReviewFactory(
        partner=cast.partner_a,
        intake=clearance.intake,
        decision=ContraindicationReview.Decision.NOT_CLEARED,
        reason="Blood pressure uncontrolled.",
        reviewer=clearance.reviewer,
        signed_at=clearance.signed_at,
        expires_on=clearance.expires_on,
    )
    row = _row(_page(client_for(cast.clinician)), cast.couple)
    unmet = _first_unmet(cast, appointment)
    assert "Not ready" in row and f"{unmet.number}. {unmet.title}" in row
    assert html.escape(unmet.problems[0]) in row


def test_a_plan_without_approval_is_the_first_unmet_item(cast, client_for):
    make_plan(cast, approved=False)
    row = _row(_page(client_for(cast.clinician)), cast.couple)
    assert "1. Treatment plan approved and active" in row
    assert "a prescriber must approve it" in row


def test_another_clinics_couple_is_not_found_by_search(cast, client_for):
    PartnerFactory(couple=CoupleFactory(clinic=ClinicFactory()), first_name="Bobbie")
    assert _couple_ids(_page(client_for(cast.clinician), "?q=Bobbie")) == [cast.couple.pk]


@pytest.mark.parametrize("who", ["clinician", "clinic_admin"])
def test_what_partners_typed_is_shown_as_text_in_their_row(cast, client_for, who):
    typed = '<b>Jo</b> & "Al"'
    cast.partner_a.first_name = typed
    cast.partner_a.save(update_fields=["first_name"])
    _score(cast.partner_a, Code.PHQ9, 12, 3)
    row = _row(_page(client_for(cast.user(who))), cast.couple)
    assert "<b>" not in row
    shown = "&lt;b&gt;Jo&lt;/b&gt; &amp; &quot;Al&quot;"
    assert shown in row
    if who == "clinician":  # the readiness problem and the scores name the partner too
        assert row.count(shown) >= 3


@pytest.mark.django_db
def test_questionnaire_responses_carry_one_index_per_partner_series_with_its_totals():
    """The series index (partner, instrument, latest first) serves every read by partner,
    and its included total lets the caseload read the scores from it alone."""
    from django.db import connection

    table = QuestionnaireResponse._meta.db_table
    with connection.cursor() as cursor:
        indexes = connection.introspection.get_constraints(cursor, table)
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'questionnaire_latest'")
        (definition,) = cursor.fetchone()
    by_partner = [
        i["columns"] for i in indexes.values() if i["index"] and i["columns"][0] == "partner_id"
    ]
    assert by_partner == [["partner_id", "code", "completed_at", "id", "total"]]
    assert "(partner_id, code, completed_at DESC, id DESC) INCLUDE (total)" in definition
