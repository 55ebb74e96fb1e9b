"""Partners in each state of their program, for the portal tests."""

from datetime import timedelta

from django.utils import timezone

from intake import services as intake_services
from intake.forms import INTAKE_STEPS
from intake.models import Invitation
from integration.models import CheckIn, QuestionnaireDue, Reminder
from sessions.models import Appointment
from tests.factories import RoomFactory
from tests.intake.factories import ConsentFactory, ConsentTextFactory, complete_answers
from tests.integration.helpers import completed_medicine_session, due_reminder

SCREENING_ANSWERS = {
    "PHQ-9": [1, 1, 1, 0, 1, 0, 1, 0, 0],
    "GAD-7": [1, 1, 0, 1, 0, 1, 0],
    "PCL-5": [1] * 20,
    "C-SSRS": [0, 0, None, None, None, 0],  # 3-5 not asked after a no to 2
    "CSI-4": [3, 3, 3, 3],
}


def publish_consent(cast):
    return ConsentTextFactory(clinic=cast.clinic, created_by=cast.clinic_admin)


def invite(cast, partner, *, days_ago: float = 4) -> Invitation:
    invitation = Invitation.objects.create(
        partner=partner,
        token_hash=f"hash-{partner.pk}",
        sent_to=partner.email,
        created_by=cast.front_desk,
        expires_at=timezone.now() + timedelta(days=3),
    )
    sent = timezone.now() - timedelta(days=days_ago)
    Invitation.objects.filter(pk=invitation.pk).update(created_at=sent)
    invitation.refresh_from_db()
    return invitation


def save_steps(partner, count: int) -> None:
    answers = complete_answers()
    for step in list(INTAKE_STEPS)[:count]:
        intake_services.intake_save_step(
            partner=partner, by=partner.user, step=step, answers=answers[step]
        )


def submit_intake(partner) -> None:
    save_steps(partner, len(INTAKE_STEPS))
    intake_services.intake_submit(
        partner=partner, by=partner.user, required_steps=list(INTAKE_STEPS)
    )


def sign_consent(partner, text) -> None:
    ConsentFactory(partner=partner, consent_text=text)


def answer_screening(partner, codes=SCREENING_ANSWERS) -> None:
    for code in codes:
        intake_services.questionnaire_submit(
            partner=partner, user=partner.user, code=code, answers=SCREENING_ANSWERS[code]
        )


def screened(cast, partner, text) -> None:
    """Intake submitted, consent signed, every screening questionnaire answered."""
    submit_intake(partner)
    sign_consent(partner, text)
    answer_screening(partner)


def scheduled_questionnaire(partner, code="PHQ-9", *, days=3) -> QuestionnaireDue:
    now = timezone.now()
    return QuestionnaireDue.objects.create(
        partner=partner,
        code=code,
        reason="After your session",
        key=f"test:{code}:{partner.pk}",
        opens_at=now,  # after any answer given so far
        due_at=now + timedelta(days=days),
    )


def open_checkin(cast, partner, *, day=1) -> CheckIn:
    session = completed_medicine_session(cast, days_ago=day + 1)
    return CheckIn.objects.create(
        partner=partner,
        couple=cast.couple,
        medicine_session=session,
        day=day,
        due_at=timezone.now() - timedelta(hours=1),
    )


def upcoming(cast, kind=Appointment.Kind.PREPARATION, *, days=3, room_name="Cedar room"):
    """An appointment written directly (no booking rules, no messages)."""
    start = timezone.now() + timedelta(days=days)
    return Appointment.objects.create(
        clinic=cast.clinic,
        couple=cast.couple,
        kind=kind,
        start=start,
        end=start + timedelta(hours=1),
        room=RoomFactory(clinic=cast.clinic, name=room_name),
        booked_by=cast.front_desk,
    )


def task_reminders(partner, *, invitation=None, questionnaire=None, checkin=None):
    """One reminder of each task kind the partner has an object for, due now."""
    kinds = [
        (Reminder.Kind.INTAKE_NUDGE, invitation),
        (Reminder.Kind.QUESTIONNAIRE_DUE, questionnaire),
        (Reminder.Kind.CHECKIN_PROMPT, checkin),
    ]
    return [
        due_reminder(partner, key=f"{kind}-{about.pk}", kind=kind, about=about)
        for kind, about in kinds
        if about is not None
    ]
