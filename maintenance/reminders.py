"""Re-screening before a booster: each partner is asked for their PHQ-9, GAD-7 and C-SSRS
screener a clinic-set number of days before the booster is due.

An hourly sweep writes, for each couple whose booster comes due within that many days
and has none booked, a due questionnaire per partner and instrument (the portal lists it
as their next step) and a reminder of it in the outbox, as the clinic's questionnaire
schedule does. Keys name the plan, the due day, the instrument and the partner, so a
second run writes nothing and the next booster asks again.
"""

import datetime

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from intake.models import Couple, QuestionnaireResponse
from integration import followups
from integration.models import QuestionnaireDue
from integration.outbox import messaging_settings_for, reminders_schedule_many
from maintenance import selectors
from maintenance.models import MaintenanceSettings

CODES = (
    QuestionnaireResponse.Code.PHQ9,
    QuestionnaireResponse.Code.GAD7,
    QuestionnaireResponse.Code.CSSRS,
)
BATCH_SIZE = 500
# Stored on the due questionnaire and translated when the portal shows it.
REASON = "Before your next booster session"


def rescreen_reminders_sweep(*, now: datetime.datetime | None = None) -> int:
    """Write the re-screening questionnaires and reminders that have come due; how many
    questionnaires were written."""
    now = now or timezone.now()
    written = 0
    # In chunks, their partners prefetched a chunk at a time: memory stays bounded.
    for plan in _candidate_plans(now).iterator(chunk_size=BATCH_SIZE):
        due = selectors.BoosterDue(plan, selectors.next_booster_on(plan, plan.last_held), None)
        zone = plan.couple.clinic.zone
        opens_on = due.due_on - datetime.timedelta(days=plan.reminder_days)
        if now.astimezone(zone).date() >= opens_on:
            written += _ask_partners(due, now)
    return written


def _candidate_plans(now: datetime.datetime):
    """Approved plans of completed couples with no medicine session booked (one query);
    the clinic's reminder lead time comes with each."""
    lead = MaintenanceSettings.objects.filter(clinic_id=OuterRef("couple__clinic_id"))
    return (
        selectors.with_booster_facts(selectors.approved_plans(Couple.objects.all()))
        .filter(booked=False)
        .annotate(reminder_days=Subquery(lead.values("reminder_days_before")[:1]))
        .select_related("couple__clinic")
        .prefetch_related("couple__partners")
        .order_by("pk")
    )


@transaction.atomic
def _ask_partners(due: selectors.BoosterDue, now: datetime.datetime) -> int:
    zone = due.couple.clinic.zone
    due_at = datetime.datetime.combine(due.due_on, datetime.time(9), tzinfo=zone)
    wanted = {
        f"booster:{due.plan.pk}:{due.due_on:%Y-%m-%d}:{code}:{partner.pk}": (partner, code)
        for partner in due.couple.partners.all()
        for code in CODES
    }
    there = set(QuestionnaireDue.objects.filter(key__in=wanted).values_list("key", flat=True))
    made = QuestionnaireDue.objects.bulk_create(
        QuestionnaireDue(
            partner=partner, code=code, reason=REASON, opens_at=now, due_at=due_at, key=key
        )
        for key, (partner, code) in wanted.items()
        if key not in there
    )
    # One message per partner (about their first questionnaire), not one per instrument.
    first = list({row.partner_id: row for row in reversed(made)}.values())
    if first:
        reminders_schedule_many(
            clinic_id=due.couple.clinic_id,
            messages=followups.questionnaire_due_messages(first),
            messaging=messaging_settings_for(due.couple.clinic_id),
        )
    return len(made)
