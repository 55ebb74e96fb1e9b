"""A couple whose program is completed, with a maintenance plan and a booster ready."""

import datetime
from decimal import Decimal

from django.utils import timezone

from intake.models import QuestionnaireResponse
from maintenance import services
from sessions import medicine
from sessions.models import Appointment, Approach, MedicineSession, SupportRole
from tests.intake.factories import QuestionnaireResponseFactory, make_screened
from tests.sessions.factories import book, held, make_plan

Code = QuestionnaireResponse.Code
DAY = datetime.timedelta(days=1)


def completed_program(cast, *, ended: datetime.datetime, approach=Approach.DUAL_FULL, sessions=1):
    """The couple's program as history left it: assessment, preparations, `sessions`
    medicine sessions held (the last on `ended`) each with its integration, then completed."""
    plan = make_plan(cast, approach, sessions=sessions)
    held(cast, Appointment.Kind.ASSESSMENT, ended - 40 * DAY)
    for number in range(sessions):
        day = ended - (sessions - 1 - number) * 14 * DAY
        held(cast, Appointment.Kind.PREPARATION, day - 3 * DAY)
        held(cast, Appointment.Kind.PREPARATION, day - 2 * DAY)
        medicine_held(cast, day, plan)
        held(cast, Appointment.Kind.INTEGRATION, day + DAY)
    services.program_complete(couple=cast.couple, by=cast.clinician)
    cast.couple.refresh_from_db()
    return cast.couple


def medicine_held(cast, start, plan) -> Appointment:
    appointment = held(cast, Appointment.Kind.MEDICINE, start, minutes=240)
    MedicineSession.objects.create(
        appointment=appointment,
        couple=cast.couple,
        approach=plan.approach,
        dosing_partner_id=plan.dosing_partner_id,
        support_role=plan.support_role,
        route=plan.route,
        status=MedicineSession.Status.COMPLETED,
    )
    return appointment


def maintenance_plan(cast, on: datetime.date, *, approved=True, **values):
    """A maintenance plan whose review period holds day `on` (30 days before to 60 after)."""
    values = {
        "interval_weeks": 8,
        "boosters_per_review": 2,
        "approach": Approach.DUAL_FULL,
        "starts_on": on - 30 * DAY,
        "review_on": on + 60 * DAY,
    } | values
    if values["approach"] == Approach.SOLO:
        values.setdefault("dosing_partner", cast.partner_a)
        values.setdefault("support_role", SupportRole.SITTER)
    plan = services.maintenance_plan_save(couple=cast.couple, by=cast.clinician, values=values)
    if approved:
        plan = services.maintenance_plan_approve(plan=plan, by=cast.prescriber)
    return plan


def rescreen(partner, at: datetime.datetime, codes=(Code.PHQ9, Code.GAD7)) -> None:
    """The partner's re-screening questionnaires, completed at `at`, all minimal."""
    items = {Code.PHQ9: 9, Code.GAD7: 7}
    for code in codes:
        QuestionnaireResponseFactory(
            partner=partner,
            code=code,
            answers=[0] * items[code],
            total=0,
            band="minimal",
            completed_at=at,
        )


def booster_ready(
    cast,
    when: datetime.datetime,
    *,
    approach=Approach.DUAL_FULL,
    dose=Decimal("100"),
    rescreened=True,
    **plan_values,
):
    """Everything a booster at `when` needs: the program completed two months before, an
    approved maintenance plan, one preparation since, screening and re-screening current."""
    completed_program(cast, ended=when - 60 * DAY)
    on = when.astimezone(cast.clinic.zone).date()
    plan = maintenance_plan(cast, on, approach=approach, **plan_values)
    held(cast, Appointment.Kind.PREPARATION, when - 5 * DAY)
    for partner in (cast.partner_a, cast.partner_b):
        make_screened(partner, prescriber=cast.prescriber, dose_mg=dose, on=on)
        if rescreened:
            rescreen(partner, min(when, timezone.now()) - datetime.timedelta(hours=1))
    return plan


def started_booster(cast, *, approach=Approach.DUAL_FULL, dose=Decimal("100")):
    """A booster of today, started an hour ago (as `started_session`), everything current."""
    start = timezone.now() - datetime.timedelta(minutes=60)
    booster_ready(cast, start, approach=approach, dose=dose)
    appointment = book(
        cast,
        Appointment.Kind.MEDICINE,
        start,
        minutes=240,
        backdated_reason="A test's booster began an hour ago",
    )
    return medicine.medicine_session_start(
        session=appointment.medicine_record, by=cast.clinician, at=start
    )
