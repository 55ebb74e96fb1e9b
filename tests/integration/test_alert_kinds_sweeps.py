"""The hourly sweep's alerts: intakes not submitted in time, reviews and prescriptions
about to expire. Each raised once, routine, only for couples still in the program."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from intake.models import ContraindicationReview, Couple, Prescription
from integration import services, sweeps
from integration.models import Alert, MessagingSettings, Reminder
from integration.tasks import raise_due_alerts
from kapcouples.models import Role
from tests.factories import CoupleFactory, PartnerFactory, StaffFactory
from tests.intake.factories import (
    IntakeFormFactory,
    InvitationFactory,
    PrescriptionFactory,
    ReviewFactory,
)

# Noon in New York (the test clinics' zone), well away from any calendar edge.
INVITED = datetime(2026, 6, 1, 16, 0, tzinfo=UTC)
TODAY = date(2026, 6, 1)


def invite(partner, *, at=INVITED, **extra):
    with time_machine.travel(at, tick=False):
        return InvitationFactory(partner=partner, **extra)


def sweep_at(moment: datetime, **kwargs) -> int:
    with time_machine.travel(moment, tick=False):
        return services.alerts_sweep(**kwargs)


def clinic_settings(clinic, **values) -> MessagingSettings:
    found, _ = MessagingSettings.objects.update_or_create(clinic=clinic, defaults=values)
    return found


def alerts_of(kind) -> list[Alert]:
    return list(Alert.objects.filter(kind=kind).order_by("pk"))


# --- Intake not submitted -----------------------------------------------------------------
def test_an_intake_not_submitted_14_days_after_the_invitation_raises_one_routine_alert(cast):
    invite(cast.partner_a)
    assert sweep_at(INVITED + timedelta(days=14, seconds=-1)) == 0
    assert sweep_at(INVITED + timedelta(days=14)) == 1
    sweep_at(INVITED + timedelta(days=15))  # the next hour, the next day: still one
    (alert,) = alerts_of(Alert.Kind.INTAKE_OVERDUE)
    assert (alert.partner, alert.couple, alert.clinic) == (cast.partner_a, cast.couple, cast.clinic)
    assert alert.urgency == Alert.Urgency.ROUTINE
    assert alert.message == (
        "Alexa's intake is not submitted 14 days after their first invitation (1 Jun 2026). "
        "Check in with them, and that the invitation reached them."
    )
    assert alert.history.count() == 1  # kept from its first version
    assert not Reminder.objects.filter(kind=Reminder.Kind.URGENT_ALERT).exists()


def test_the_clock_runs_from_the_first_invitation_not_from_a_later_one(cast):
    invite(cast.partner_a)
    invite(cast.partner_a, at=INVITED + timedelta(days=8))  # the first one expired
    sweep_at(INVITED + timedelta(days=14))
    assert [a.partner for a in alerts_of(Alert.Kind.INTAKE_OVERDUE)] == [cast.partner_a]


def test_a_revoked_invitation_starts_no_clock(cast):
    invite(cast.partner_a, revoked_at=INVITED + timedelta(hours=1))
    invite(cast.partner_b, revoked_at=INVITED + timedelta(hours=1))
    invite(cast.partner_b, at=INVITED + timedelta(days=5))  # the right address this time
    sweep_at(INVITED + timedelta(days=18))
    assert alerts_of(Alert.Kind.INTAKE_OVERDUE) == []
    sweep_at(INVITED + timedelta(days=19))
    assert [a.partner for a in alerts_of(Alert.Kind.INTAKE_OVERDUE)] == [cast.partner_b]


@pytest.mark.parametrize("status", ["submitted", "superseded"])
def test_no_alert_for_an_intake_submitted_in_time(status, cast):
    invite(cast.partner_a)
    IntakeFormFactory(partner=cast.partner_a, submitted=True, status=status)
    IntakeFormFactory(partner=cast.partner_b)  # a draft is not submitted
    invite(cast.partner_b)
    sweep_at(INVITED + timedelta(days=20))
    assert [a.partner for a in alerts_of(Alert.Kind.INTAKE_OVERDUE)] == [cast.partner_b]


def test_an_alert_raised_stays_for_the_clinician_once_the_intake_comes_in(cast):
    invite(cast.partner_a)
    sweep_at(INVITED + timedelta(days=14))
    IntakeFormFactory(partner=cast.partner_a, submitted=True)
    sweep_at(INVITED + timedelta(days=15))
    (alert,) = alerts_of(Alert.Kind.INTAKE_OVERDUE)
    assert alert.resolved_at is None  # a named person resolves it, saying what was done


@pytest.mark.parametrize("status", [Couple.Status.COMPLETED, Couple.Status.WITHDRAWN])
def test_no_intake_alert_for_a_couple_that_finished_or_withdrew(status, cast):
    invite(cast.partner_a)
    Couple.objects.filter(pk=cast.couple.pk).update(status=status)
    sweep_at(INVITED + timedelta(days=20))
    assert alerts_of(Alert.Kind.INTAKE_OVERDUE) == []


def test_each_clinic_counts_its_own_days(cast):
    clinic_settings(cast.clinic, intake_overdue_alert_days=7)
    elsewhere = PartnerFactory(couple=CoupleFactory(clinic=cast.other_clinic))
    invite(cast.partner_a)
    invite(elsewhere)
    sweep_at(INVITED + timedelta(days=7))
    assert [a.partner for a in alerts_of(Alert.Kind.INTAKE_OVERDUE)] == [cast.partner_a]
    assert "not submitted 7 days after" in alerts_of(Alert.Kind.INTAKE_OVERDUE)[0].message
    sweep_at(INVITED + timedelta(days=14))
    assert [a.partner for a in alerts_of(Alert.Kind.INTAKE_OVERDUE)] == [cast.partner_a, elsewhere]


# --- A review or prescription about to expire ---------------------------------------------
def review(partner, *, expires_on: date, **extra) -> ContraindicationReview:
    return ReviewFactory(
        partner=partner,
        signed_at=INVITED - timedelta(days=170),
        expires_on=expires_on,
        reviewer=StaffFactory(clinic=partner.couple.clinic, role=Role.PRESCRIBER),
        **extra,
    )


def prescription(partner, *, ends_on: date, **extra) -> Prescription:
    return PrescriptionFactory(
        partner=partner, valid_from=ends_on - timedelta(days=90), valid_until=ends_on, **extra
    )


@pytest.mark.parametrize(
    "days_left,raised", [(-1, False), (0, True), (1, True), (14, True), (15, False)]
)
def test_a_review_expiring_within_14_days_of_the_clinics_today_raises_an_alert(
    days_left, raised, cast
):
    review(cast.partner_a, expires_on=TODAY + timedelta(days=days_left))
    sweep_at(INVITED)
    assert len(alerts_of(Alert.Kind.REVIEW_EXPIRING)) == int(raised)


def test_the_clinics_calendar_decides_the_day(cast):
    # 02:00 UTC on 2 June is still 1 June in New York: 15 days left there, none raised.
    review(cast.partner_a, expires_on=TODAY + timedelta(days=15))
    assert sweep_at(datetime(2026, 6, 2, 2, 0, tzinfo=UTC)) == 0
    assert sweep_at(datetime(2026, 6, 2, 5, 0, tzinfo=UTC)) == 1


def test_an_expiring_review_is_raised_once_with_a_routine_message(cast):
    expiring = review(cast.partner_a, expires_on=TODAY + timedelta(days=10))
    sweep_at(INVITED)
    sweep_at(INVITED + timedelta(days=1))
    (alert,) = alerts_of(Alert.Kind.REVIEW_EXPIRING)
    assert alert.dedupe_key == f"review:{expiring.pk}:expiring"
    assert (alert.partner, alert.urgency) == (cast.partner_a, Alert.Urgency.ROUTINE)
    assert alert.message == (
        "Alexa's contraindication review expires on 11 Jun 2026 (in 10 days). A new review "
        "is needed before any medicine session after that day."
    )


def test_no_review_alert_once_a_later_review_is_signed_or_for_one_no_longer_current(cast):
    first = review(cast.partner_a, expires_on=TODAY + timedelta(days=5))
    ReviewFactory(partner=cast.partner_a, intake=first.intake, signed_at=INVITED)
    review(
        cast.partner_b,
        expires_on=TODAY + timedelta(days=5),
        invalidated_at=INVITED - timedelta(days=2),
        invalidated_reason="Intake amended",
    )
    review(
        cast.other_partner,
        expires_on=TODAY + timedelta(days=5),
        decision=ContraindicationReview.Decision.NOT_CLEARED,
    )
    assert sweep_at(INVITED) == 0


@pytest.mark.parametrize("status", [Couple.Status.COMPLETED, Couple.Status.WITHDRAWN])
def test_no_expiry_alert_for_a_couple_that_finished_or_withdrew(status, cast):
    review(cast.partner_a, expires_on=TODAY + timedelta(days=5))
    prescription(cast.partner_b, ends_on=TODAY + timedelta(days=5))
    Couple.objects.filter(pk=cast.couple.pk).update(status=status)
    assert sweep_at(INVITED) == 0


def test_a_prescription_ending_within_14_days_raises_one_routine_alert(cast):
    ending = prescription(cast.partner_a, ends_on=TODAY + timedelta(days=14))
    prescription(cast.partner_b, ends_on=TODAY + timedelta(days=15))
    sweep_at(INVITED)
    sweep_at(INVITED + timedelta(hours=1))
    (alert,) = alerts_of(Alert.Kind.PRESCRIPTION_EXPIRING)
    assert alert.dedupe_key == f"prescription:{ending.pk}:expiring"
    assert (alert.partner, alert.urgency) == (cast.partner_a, Alert.Urgency.ROUTINE)
    assert alert.message == (
        "Alexa's prescription (sublingual (lozenge/troche)) ends on 15 Jun 2026 (in 14 days). "
        "Renew it if treatment continues."
    )


def test_no_prescription_alert_when_cancelled_or_already_renewed_for_the_route(cast):
    prescription(cast.partner_a, ends_on=TODAY + timedelta(days=3), status="cancelled")
    prescription(cast.partner_b, ends_on=TODAY + timedelta(days=3))
    prescription(cast.partner_b, ends_on=TODAY + timedelta(days=93))  # the renewal
    sweep_at(INVITED)
    assert alerts_of(Alert.Kind.PRESCRIPTION_EXPIRING) == []


def test_a_renewal_for_another_route_leaves_the_ending_one_alerted(cast):
    prescription(cast.partner_a, ends_on=TODAY + timedelta(days=3))
    prescription(cast.partner_a, ends_on=TODAY + timedelta(days=93), route="intranasal")
    sweep_at(INVITED)
    assert len(alerts_of(Alert.Kind.PRESCRIPTION_EXPIRING)) == 1


def test_each_clinic_counts_its_own_expiry_days(cast):
    clinic_settings(cast.other_clinic, expiry_alert_days=30)
    elsewhere = PartnerFactory(couple=CoupleFactory(clinic=cast.other_clinic))
    review(cast.partner_a, expires_on=TODAY + timedelta(days=25))
    review(elsewhere, expires_on=TODAY + timedelta(days=25))
    sweep_at(INVITED)
    assert [a.partner for a in alerts_of(Alert.Kind.REVIEW_EXPIRING)] == [elsewhere]


# --- The sweep: bounded batches, a fixed number of queries --------------------------------
def many_due(cast, couples: int) -> None:
    """`couples` couples: one partner invited long ago without an intake, the other with
    a review and a prescription about to expire (a review comes with a submitted intake)."""
    for _ in range(couples):
        couple = CoupleFactory(clinic=cast.clinic, primary_clinician=cast.clinician)
        invite(PartnerFactory(couple=couple, slot=1), at=INVITED - timedelta(days=20))
        screened = PartnerFactory(couple=couple, slot=2)
        review(screened, expires_on=TODAY + timedelta(days=3))
        prescription(screened, ends_on=TODAY + timedelta(days=3))


def queries_of_sweep(**kwargs) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        raised = sweep_at(INVITED, **kwargs)
    # Savepoints are the test's transaction showing through each batch's own.
    statements = [q["sql"] for q in queries if "SAVEPOINT" not in q["sql"]]
    return raised, len(statements)


def test_the_sweep_makes_the_same_queries_for_5_and_50_couples(cast):
    many_due(cast, 5)
    IntakeFormFactory(partner=cast.partner_a, submitted=True)
    invite(cast.partner_a, at=INVITED - timedelta(days=20))  # submitted: a candidate no more
    small = queries_of_sweep()
    many_due(cast, 45)  # 50 couples due now, 5 of them alerted already
    large = queries_of_sweep()
    assert (small[0], large[0]) == (3 * 5, 3 * 45)
    assert small[1] == large[1]


def test_the_sweep_pages_through_in_batches_of_a_fixed_number_of_queries(cast):
    many_due(cast, 10)
    raised, queries = queries_of_sweep(batch_size=4)
    assert raised == 30
    # Per sweep: the settings aggregate; per batch (3 of them): select, alerts, history.
    # A last full batch needs no extra page: 10 rows in pages of 4, 4, 2.
    assert queries == 3 * (1 + 3 * 3)
    assert Alert.objects.count() == 30 and queries_of_sweep(batch_size=4)[0] == 0


def test_the_beat_task_runs_the_sweep(cast, settings):
    invite(cast.partner_a)
    with time_machine.travel(INVITED + timedelta(days=14), tick=False):
        assert raise_due_alerts.run() == 1
    assert "integration.tasks.raise_due_alerts" in {
        entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }


def test_the_kinds_have_labels_for_the_inbox():
    labels = dict(Alert.Kind.choices)
    assert labels["intake_overdue"] == "Intake not submitted in time"
    assert labels["prescription_expiring"] == "Prescription about to expire"
    assert sweeps.OPEN_PROGRAM == ("enrolling", "assessment", "active")


# --- The settings' range is the database's too ---------------------------------------------
@pytest.mark.parametrize("column", ["intake_overdue_alert_days", "expiry_alert_days"])
@pytest.mark.parametrize("value", [0, 91])
def test_alert_days_outside_1_to_90_cannot_be_written_even_by_raw_sql(column, value, cast):
    settings_row = clinic_settings(cast.clinic)
    table = MessagingSettings._meta.db_table
    violation = pytest.raises(IntegrityError, match="messaging_alert_days_1_to_90")
    with violation, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {column} = %s WHERE id = %s", [value, settings_row.pk])
    settings_row.refresh_from_db()
    assert getattr(settings_row, column) == 14
