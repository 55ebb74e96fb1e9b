"""Who is due for a booster (and whose plan is due for review) on the care team's
dashboard, in a bounded number of queries; the re-screening reminder before a booster."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from intake.models import Couple
from integration.models import QuestionnaireDue, Reminder
from maintenance import reminders, selectors, services
from maintenance.models import MaintenanceSettings
from sessions.models import Appointment, Approach
from tests.factories import CoupleFactory, PartnerFactory
from tests.maintenance.helpers import DAY, completed_program, maintenance_plan
from tests.sessions.factories import local, tomorrow


def _today(cast) -> datetime.date:
    return timezone.localdate(timezone=cast.clinic.zone)


def _program_ended(cast, days_ago: int, **plan_values):
    """The program's last session `days_ago` days ago; an approved 8-weekly plan."""
    today = _today(cast)
    ended = local(cast, today - days_ago * DAY, 10)
    completed_program(cast, ended=ended)
    values = {"starts_on": today - (days_ago - 1) * DAY, "review_on": today + 90 * DAY}
    return maintenance_plan(cast, today, **(values | plan_values))


def _mine(cast):
    return Couple.objects.with_care_team_member(cast.clinician.pk)


def test_a_couple_is_due_an_interval_after_their_last_session(cast):
    _program_ended(cast, 50)  # due on day 56: within the 14 days ahead
    (due,) = selectors.boosters_due(_mine(cast), _today(cast))
    assert due.couple == cast.couple
    assert due.due_on == _today(cast) + 6 * DAY


def test_a_couple_due_later_than_two_weeks_is_not_listed_yet(cast):
    _program_ended(cast, 20)  # due in 36 days
    assert selectors.boosters_due(_mine(cast), _today(cast)) == []


def test_a_booked_booster_takes_the_couple_off_the_list(cast):
    _program_ended(cast, 50)
    Appointment.objects.create(
        clinic=cast.clinic,
        couple=cast.couple,
        kind=Appointment.Kind.MEDICINE,
        start=local(cast, tomorrow(cast), 10),
        end=local(cast, tomorrow(cast), 14),
        room=Appointment.objects.first().room,
        booked_by=cast.front_desk,
    )
    assert selectors.boosters_due(_mine(cast), _today(cast)) == []


def test_a_plan_whose_review_is_near_is_listed_for_review(cast):
    plan = _program_ended(cast, 20, review_on=_today(cast) + 10 * DAY)
    assert selectors.reviews_due(_mine(cast), _today(cast)) == [plan]


def test_the_dashboard_shows_both_lists_to_the_care_team(cast, client_for):
    _program_ended(cast, 50, review_on=_today(cast) + 10 * DAY)
    page = client_for(cast.clinician).get(reverse("care_dashboard"))
    text = page.content.decode()
    assert 'data-testid="boosters-due"' in text
    assert f"Booster due {(_today(cast) + 6 * DAY):%d %b %Y}" in text
    assert f"Review by {(_today(cast) + 10 * DAY):%d %b %Y}" in text


def test_front_desk_sees_no_maintenance_card(cast, client_for):
    _program_ended(cast, 50)
    page = client_for(cast.front_desk).get(reverse("care_dashboard"))
    assert 'data-testid="maintenance-due"' not in page.content.decode()


def _another_completed_couple(cast, n: int):
    """A second couple of the clinician's, program completed, plan approved."""
    couple = CoupleFactory(clinic=cast.clinic, primary_clinician=cast.clinician)
    couple.care_team.add(cast.prescriber)
    for slot in (1, 2):
        PartnerFactory(couple=couple, slot=slot)
    couple.status = couple.Status.COMPLETED
    couple.save()
    today = _today(cast)
    plan = services.maintenance_plan_save(
        couple=couple,
        by=cast.clinician,
        values={
            "approach": Approach.DUAL_FULL,
            "starts_on": today - n * DAY,
            "review_on": today + 5 * DAY,
        },
    )
    services.maintenance_plan_approve(plan=plan, by=cast.prescriber)


def test_the_lists_take_the_same_number_of_queries_for_more_couples(
    cast, django_assert_max_num_queries
):
    _program_ended(cast, 50)
    mine, today = _mine(cast), _today(cast)
    with django_assert_max_num_queries(4):
        assert len(selectors.boosters_due(mine, today)) == 1
        selectors.reviews_due(mine, today)
    for n in range(5):
        _another_completed_couple(cast, n)
    with django_assert_max_num_queries(4):
        due = selectors.boosters_due(mine, today)
        assert len(due) == 6
        assert all(d.couple.partners.all() for d in due)
        assert len(selectors.reviews_due(mine, today)) == 5


# --- The re-screening reminder -------------------------------------------------------------
def test_each_partner_is_asked_to_rescreen_before_the_booster_is_due(cast):
    _program_ended(cast, 50)  # due in 6 days; reminders go out 14 days before
    assert reminders.rescreen_reminders_sweep() == 6  # PHQ-9, GAD-7, C-SSRS for two partners
    codes = set(QuestionnaireDue.objects.values_list("code", flat=True))
    assert codes == {"PHQ-9", "GAD-7", "C-SSRS"}
    sent = Reminder.objects.filter(kind=Reminder.Kind.QUESTIONNAIRE_DUE)
    assert sorted(sent.values_list("partner_id", flat=True)) == sorted(
        [cast.partner_a.pk, cast.partner_b.pk]
    )
    assert reminders.rescreen_reminders_sweep() == 0  # a second run writes nothing
    assert sent.count() == 2


def test_no_reminder_before_the_clinics_lead_time(cast):
    _program_ended(cast, 20)  # due in 36 days
    assert reminders.rescreen_reminders_sweep() == 0
    MaintenanceSettings.objects.filter(clinic=cast.clinic).update(reminder_days_before=30)
    assert reminders.rescreen_reminders_sweep() == 0  # still 36 > 30
    assert not Reminder.objects.exists()


def test_the_partner_sees_the_rescreening_as_their_next_step(cast, client_for):
    _program_ended(cast, 50)
    reminders.rescreen_reminders_sweep()
    page = client_for(cast.partner_a.user).get(reverse("portal"))
    text = page.content.decode()
    assert 'data-testid="portal-booster"' in text
    due_on = _today(cast) + 6 * DAY
    assert f"due around {due_on:%B %Y}" in text
    assert "Before your next booster session" in text


def test_the_other_couples_partner_sees_no_booster(cast, client_for):
    _program_ended(cast, 50)
    page = client_for(cast.other_partner.user).get(reverse("portal"))
    assert 'data-testid="portal-booster"' not in page.content.decode()


@pytest.mark.parametrize("who", ["front_desk", "clinician_outside", "partner_a"])
def test_only_the_care_team_opens_the_maintenance_plan(cast, client_for, who):
    _program_ended(cast, 50)
    page = client_for(cast.user(who)).get(
        reverse("maintenance:plan_edit", kwargs={"couple_id": cast.couple.pk})
    )
    assert page.status_code in (403, 404)
