"""After the medicine session: check-ins, integration notes and the questionnaire schedule.

The event hooks in `integration.hooks` call the scheduling functions here inside
the event's transaction; the partner and clinician pages call the write services.
"""

import zoneinfo
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone

from integration.checkin_alerts import checkin_alerts_raise
from integration.models import (
    CheckIn,
    IntegrationNote,
    MessagingSettings,
    QuestionnaireDue,
    Reminder,
)
from integration.outbox import (
    Message,
    messaging_settings_for,
    reminder_schedule,
    reminders_cancel_about,
    reminders_move_about,
    reminders_schedule_many,
)
from kapcouples import policy
from kapcouples.services import DomainError

NOTE_FIELDS = ("insights", "relational_themes", "agreements", "next_steps")


# --- Check-ins ----------------------------------------------------------------------------
def checkins_schedule(*, medicine_session: Any, days: list[int]) -> list[CheckIn]:
    """One check-in per partner per prompt day after the session, each with its reminder."""
    completed = medicine_session.completed_at or timezone.now()
    made = []
    for partner in medicine_session.couple.partners.all():
        for day in days:
            checkin, _ = CheckIn.objects.get_or_create(
                partner=partner,
                medicine_session=medicine_session,
                day=day,
                defaults={"couple": medicine_session.couple, "due_at": completed + timedelta(day)},
            )
            reminder_schedule(
                clinic_id=medicine_session.couple.clinic_id,
                partner=partner,
                kind=Reminder.Kind.CHECKIN_PROMPT,
                about=checkin,
                due_at=checkin.due_at,
                idempotency_key=f"checkin:{checkin.pk}:prompt",
                link_path=reverse("integration:checkin_answer", args=[checkin.pk]),
            )
            made.append(checkin)
    return made


@transaction.atomic
def checkin_answer(*, checkin: CheckIn, by, values: dict) -> CheckIn:
    """Save a partner's answers and, per answer, whether the other partner may read it;
    raise the care-team alerts the answers call for (`integration.checkin_alerts`)."""
    checkin = CheckIn.objects.select_for_update().select_related("partner").get(pk=checkin.pk)
    policy.ensure(policy.can_answer_checkin, by, checkin, to="answer it")
    if checkin.due_at > timezone.now():
        raise DomainError(f"This check-in opens on {_opening_day(checkin):%d %B}; come back then.")
    if not _has_an_answer(values):
        raise DomainError(
            "Answer at least one of the three questions, or ask to be contacted, before saving."
        )
    checkin.came_up = (values.get("came_up") or "").strip()
    checkin.practice = (values.get("practice") or "").strip()
    checkin.connection = values.get("connection")
    checkin.contact_requested = bool(values.get("contact_requested"))
    for flag in CheckIn.SHARE_FIELDS.values():
        setattr(checkin, flag, bool(values.get(flag)))
    checkin.answered_at = timezone.now()
    checkin.full_clean()
    checkin.save()
    checkin_alerts_raise(checkin)
    return checkin


def _opening_day(checkin: CheckIn) -> date:
    """The day a check-in opens, in the answering partner's own calendar."""
    return timezone.localdate(checkin.due_at, zoneinfo.ZoneInfo(checkin.partner.timezone))


def _has_an_answer(values: dict) -> bool:
    # A connection of 0 is an answer; an unticked box is not.
    written = any(values.get(field) for field in ("came_up", "practice", "contact_requested"))
    return written or values.get("connection") is not None


# --- Integration notes --------------------------------------------------------------------
def _require_integration(appointment) -> None:
    if appointment.kind != "integration":
        raise DomainError("Integration notes belong to integration appointments only.")


def _ensure_note_writer(user, couple, verb: str) -> None:
    policy.ensure(policy.can_write_integration_note, user, couple, to=f"{verb} an integration note")


@transaction.atomic
def integration_note_save(*, appointment, author, values: dict) -> IntegrationNote:
    """Create or edit the draft note of an integration appointment."""
    _require_integration(appointment)
    _ensure_note_writer(author, appointment.couple, "write")
    note = IntegrationNote.objects.select_for_update().filter(
        appointment=appointment
    ).first() or IntegrationNote(
        appointment=appointment, couple_id=appointment.couple_id, author=author
    )
    if note.is_signed:
        raise DomainError("This note is signed. To change it, amend it and give the reason.")
    for field in NOTE_FIELDS:
        setattr(note, field, values.get(field, "").strip())
    note.full_clean()
    note.save()
    return note


@transaction.atomic
def integration_note_sign(*, note: IntegrationNote, by) -> IntegrationNote:
    """Sign a draft; from now on it can only be amended."""
    note = IntegrationNote.objects.select_for_update().select_related("couple").get(pk=note.pk)
    _ensure_note_writer(by, note.couple, "sign")
    if note.is_signed:
        raise DomainError("This note is already signed.")
    if not any(getattr(note, field).strip() for field in NOTE_FIELDS):
        raise DomainError("Write at least one section of the note before signing it.")
    note.status, note.signed_by, note.signed_at = IntegrationNote.Status.SIGNED, by, timezone.now()
    note.full_clean()
    note.save()
    return note


@transaction.atomic
def integration_note_amend(*, note: IntegrationNote, by, values: dict, reason: str):
    """Change a signed note: a new version, signed by `by`; the earlier stays in its history."""
    note = IntegrationNote.objects.select_for_update().select_related("couple").get(pk=note.pk)
    _ensure_note_writer(by, note.couple, "amend")
    if not note.is_signed:
        raise DomainError("A draft is edited, not amended. Save your changes to the draft.")
    if not reason.strip():
        raise DomainError("Give the reason for the amendment; it is kept with the note.")
    if all(values.get(field, "").strip() == getattr(note, field) for field in NOTE_FIELDS):
        raise DomainError("Nothing was changed, so there is nothing to amend.")
    for field in NOTE_FIELDS:
        setattr(note, field, values.get(field, "").strip())
    note.status, note.version = IntegrationNote.Status.AMENDED, note.version + 1
    note.signed_by, note.signed_at = by, timezone.now()
    note.amendment_reason = reason.strip()[:500]
    note.full_clean()
    note.save()
    return note


# --- Measurement-based care ---------------------------------------------------------------
def questionnaires_for_event(
    *,
    schedule: list[dict],
    event: str,
    partners,
    opens_at: datetime,
    due_at: datetime,
    source: str,
    clinic_id: int,
    reason: str,
    messaging: MessagingSettings | None = None,
    opens_at_by_code: dict[str, datetime] | None = None,
) -> list[QuestionnaireDue]:
    """Create the due questionnaires the clinic's schedule attaches to `event`, with their
    reminders, once per key: a few statements however many instruments and partners.

    `opens_at_by_code`: a later opening for some instruments (a screener that counts only
    for some days before the session)."""
    made = questionnaire_dues_create(
        schedule=schedule,
        event=event,
        partners=partners,
        opens_at=opens_at,
        due_at=due_at,
        source=source,
        reason=reason,
        opens_at_by_code=opens_at_by_code,
    )
    reminders_schedule_many(
        clinic_id=clinic_id,
        messages=questionnaire_due_messages(made),
        messaging=messaging or messaging_settings_for(clinic_id),
    )
    return made


def questionnaire_dues_create(
    *,
    schedule,
    event,
    partners,
    opens_at,
    due_at,
    source,
    reason,
    opens_at_by_code=None,
    keys_unused: bool = False,
) -> list[QuestionnaireDue]:
    """The due questionnaires of `event` not made before (their keys are unique).

    `keys_unused`: `source` was made in this transaction, so no key naming it can be taken
    and they are not looked up (the unique index still refuses a second row)."""
    opens = opens_at_by_code or {}
    wanted = {
        f"{source}:{entry['code']}:{partner.pk}": QuestionnaireDue(
            key=f"{source}:{entry['code']}:{partner.pk}",
            partner=partner,
            code=entry["code"],
            reason=reason,
            opens_at=opens.get(entry["code"], opens_at) + timedelta(days=entry.get("days", 0)),
            due_at=due_at + timedelta(days=entry.get("days", 0)),
        )
        for entry in schedule
        if entry["event"] == event
        for partner in partners
    }
    if not wanted:
        return []
    there = set() if keys_unused else _due_keys_taken(wanted)
    return QuestionnaireDue.objects.bulk_create(d for k, d in wanted.items() if k not in there)


def _due_keys_taken(keys) -> set[str]:
    return set(QuestionnaireDue.objects.filter(key__in=keys).values_list("key", flat=True))


def questionnaire_due_messages(dues: list[QuestionnaireDue]) -> list[Message]:
    """A reminder to each partner when their questionnaire opens."""
    about_type = ContentType.objects.get_for_model(QuestionnaireDue)
    return [
        Message(
            kind=Reminder.Kind.QUESTIONNAIRE_DUE,
            due_at=due.opens_at,
            idempotency_key=f"questionnaire-due:{due.pk}",
            partner=due.partner,
            about_type=about_type,
            about_id=due.pk,
            event_at=due.due_at,
            link_path=reverse("portal"),
        )
        for due in dues
    ]


def questionnaires_cancel_for(*, source: str) -> None:
    """Withdraw the due questionnaires an event created (its appointment was cancelled)."""
    for due in QuestionnaireDue.objects.filter(key__startswith=f"{source}:", cancelled_at=None):
        due.cancelled_at = timezone.now()
        due.save(update_fields=["cancelled_at"])
        reminders_cancel_about(about=due)


def questionnaires_move_for(*, source: str, delta: timedelta) -> None:
    for due in QuestionnaireDue.objects.filter(key__startswith=f"{source}:", cancelled_at=None):
        due.opens_at, due.due_at = due.opens_at + delta, due.due_at + delta
        due.save(update_fields=["opens_at", "due_at"])
        reminders_move_about(about=due, event_at=due.due_at)


def with_completion(dues: QuerySet[QuestionnaireDue]) -> QuerySet[QuestionnaireDue]:
    """Annotate `is_done`: a response to the instrument completed since the window opened."""
    from intake.models import QuestionnaireResponse

    answered = QuestionnaireResponse.objects.filter(
        partner_id=OuterRef("partner_id"),
        code=OuterRef("code"),
        completed_at__gte=OuterRef("opens_at"),
    )
    return dues.annotate(is_done=Exists(answered))
