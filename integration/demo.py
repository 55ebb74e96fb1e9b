"""This app's part of `manage.py seed_demo` (safe to run twice).

The sessions demo writes its history directly, so the outbox is filled here the way
the event hooks would have: confirmations and reminders for every upcoming booking,
check-ins and the missing-integration check after completed medicine sessions.
Some messages are marked sent, one has failed, the rest are pending; Chen's day-1
check-in is answered with one answer shared (Morgan and Lee get demo
logins for it); Nguyen's integration note is signed
and amended. Shared reflections: the Brooks' latest, Jamie's part written and not
shared (Quinn's prompt waits); the Nguyens', both parts written and shared with the
care team (Taylor and Jesse get demo logins for it).
"""

from datetime import timedelta

from django.apps import apps
from django.utils import timezone

from intake.models import Partner
from intake.services import partner_update_contact
from integration import followups, reflection, services, sms_reports
from integration.delivery import EMAIL_INSTEAD
from integration.models import (
    Alert,
    CheckIn,
    DeliveryStatus,
    IntegrationNote,
    Reminder,
    SharedReflection,
)
from kapcouples.demo import DemoSeed
from kapcouples.models import Clinic, Role, User


def sessions_models(*names: str) -> tuple:
    # By the app registry, not an import: integration never imports sessions (sessions
    # calls integration's hooks; see integration.lookups).
    return tuple(apps.get_model("clinic_sessions", name) for name in names)


def seed(demo: DemoSeed) -> None:
    """Outbox rows, check-ins and notes for the demo clinic (once)."""
    Appointment, MedicineSession = sessions_models("Appointment", "MedicineSession")
    clinic, staff = demo.clinic, demo.staff

    services.messaging_settings_for(clinic.pk)
    now = timezone.now()
    upcoming = Appointment.objects.filter(clinic=clinic, status="booked", start__gt=now)
    for appointment in upcoming.select_related("couple"):
        services.reminders_on_appointment_booked(appointment=appointment)
    finished = MedicineSession.objects.filter(
        couple__clinic=clinic, completed_at__gte=now - timedelta(days=20)
    ).select_related("couple", "appointment")
    for session in finished:
        services.followups_on_medicine_session_completed(medicine_session=session)
    _mark_confirmations_sent(clinic)
    _failed_message(clinic)
    _answered_checkin(clinic)
    _signed_note(clinic, staff)
    _open_alert(clinic)
    _texts(clinic)
    _reflections(demo)


def _open_alert(clinic: Clinic) -> None:
    """A routine alert waiting in the care team's inbox (raised once: it is deduplicated)."""
    partner = Partner.objects.filter(couple__clinic=clinic, email="jordan@demo.kap").first()
    if partner is None:
        return
    services.alert_raise(
        couple=partner.couple,
        partner=partner,
        kind=Alert.Kind.MISSING_INTEGRATION,
        message=(
            f"{partner.first_name}: no integration session is booked after the last "
            "medicine session. Book one, or note why not."
        ),
        dedupe_key="demo:missing-integration",
    )


def _mark_confirmations_sent(clinic: Clinic) -> None:
    # As if the worker had already delivered them; everything else stays pending.
    confirmations = Reminder.objects.filter(
        clinic=clinic, kind=Reminder.Kind.APPOINTMENT_CONFIRMATION, status="pending"
    )
    confirmations.update(status=Reminder.Status.SENT, sent_at=timezone.now(), attempts=1)


def _failed_message(clinic: Clinic) -> None:
    partner = Partner.objects.filter(couple__clinic=clinic, email="jordan@demo.kap").first()
    if partner is None:
        return
    reminder = services.reminder_schedule(
        clinic_id=clinic.pk,
        partner=partner,
        kind=Reminder.Kind.INTAKE_NUDGE,
        due_at=timezone.now() - timedelta(hours=3),
        idempotency_key="demo:failed-intake-nudge",
        about=partner,
        link_path="/portal/",
    )
    Reminder.objects.filter(pk=reminder.pk).update(
        status=Reminder.Status.FAILED,
        attempts=5,
        last_error="SMTPRecipientsRefused: 550 mailbox unavailable (demo)",
    )


CHECKIN_LOGINS = ["morgan.chen@demo.kap", "lee.chen@demo.kap"]


def _checkin_logins() -> None:
    """Logins for the Chen couple, whose completed session has check-ins to show."""
    from kapcouples.management.commands.seed_demo import demo_user

    for partner in Partner.objects.filter(email__in=CHECKIN_LOGINS, user=None):
        partner.user = demo_user(partner.email, partner.full_name)
        partner.save(update_fields=["user"])


def _answered_checkin(clinic: Clinic) -> None:
    _checkin_logins()
    checkin = (
        CheckIn.objects.filter(couple__clinic=clinic, day=1, partner__email=CHECKIN_LOGINS[0])
        .order_by("-due_at")
        .first()
    )
    if checkin is None or checkin.answered_at:
        return
    if checkin.due_at > timezone.now():  # the session ended less than a day ago: open it now
        CheckIn.objects.filter(pk=checkin.pk).update(due_at=timezone.now())
        checkin.refresh_from_db()
    followups.checkin_answer(
        checkin=checkin,
        by=checkin.partner.user,
        values={
            "came_up": "A memory of how we met, and how safe that felt.",
            "practice": "Ten minutes of listening without fixing, each evening.",
            "connection": 7,
            "share_came_up": True,
        },
    )


def _signed_note(clinic: Clinic, staff: dict[str, User]) -> None:
    (Appointment,) = sessions_models("Appointment")
    appointment = (
        Appointment.objects.filter(clinic=clinic, kind="integration", status="completed")
        .filter(couple__partners__email="taylor.nguyen@demo.kap", integration_note__isnull=True)
        .order_by("start")
        .first()
    )
    if appointment is None or IntegrationNote.objects.filter(couple__clinic=clinic).exists():
        return
    clinician = staff[Role.CLINICIAN]
    note = followups.integration_note_save(
        appointment=appointment,
        author=clinician,
        values={
            "insights": "Both described feeling more open; old hurt named without blame.",
            "relational_themes": "Trust after conflict; making room for each other's pace.",
            "agreements": "A weekly check-in walk.",
            "next_steps": "Practise repair conversations; review at the next session.",
        },
    )
    followups.integration_note_sign(note=note, by=clinician)
    followups.integration_note_amend(
        note=note,
        by=clinician,
        reason="Added the agreement about phones at dinner, made after the session.",
        values={
            "insights": note.insights,
            "relational_themes": note.relational_themes,
            "agreements": "A weekly check-in walk. No phones at dinner.",
            "next_steps": note.next_steps,
        },
    )


def _texts(clinic: Clinic) -> None:
    """Alex is texted (one text delivered); Sam texted STOP, so Sam's text went by email."""
    texted = {p.email: p for p in Partner.objects.filter(couple__clinic=clinic, email__in=TEXTED)}
    if len(texted) < 2:
        return
    now = timezone.now()
    for email, partner in texted.items():
        if not partner.phone:
            contact = {"phone": TEXTED_PHONES[email], "preferred_channel": "sms"}
            partner_update_contact(partner=partner, by=partner.user, changes=contact)
        reminder = services.reminder_schedule(
            clinic_id=clinic.pk,
            partner=partner,
            kind=Reminder.Kind.QUESTIONNAIRE_DUE,
            due_at=now - timedelta(hours=5),
            idempotency_key=f"demo:text:{email}",
            link_path="/portal/",
        )
        sent = {"status": Reminder.Status.SENT, "sent_at": reminder.due_at, "attempts": 1}
        Reminder.objects.filter(pk=reminder.pk).update(**sent, **TEXTED[email])
    if texted["sam@demo.kap"].sms_opted_out_at is None:
        sms_reports.partner_sms_opt_out(partner=texted["sam@demo.kap"], why="Texted STOP (demo)")


TEXTED_PHONES = {"alex@demo.kap": "+1 555 010 0101", "sam@demo.kap": "+1 555 010 0102"}
TEXTED = {
    "alex@demo.kap": {
        "channel": Reminder.Channel.SMS,
        "provider_message_id": "SMdemo0000000000000000000000000001",
        "delivery_status": DeliveryStatus.DELIVERED,
    },
    "sam@demo.kap": {
        "channel": Reminder.Channel.EMAIL,
        "fallback_reason": EMAIL_INSTEAD,
    },
}
NGUYEN_LOGINS = ["taylor.nguyen@demo.kap", "jesse.nguyen@demo.kap"]


def _reflections(demo: DemoSeed) -> None:
    """One reflection written by one partner and not shared; one shared with the care team."""
    brooks = _reflection_after_last_integration(demo, "jamie.brooks@demo.kap")
    if brooks is not None and not brooks.entries.exists():
        _write(brooks, "jamie.brooks@demo.kap", noticed="Quinn reached for my hand first.")
    nguyen = _reflection_after_last_integration(demo, NGUYEN_LOGINS[0])
    if nguyen is not None and not nguyen.entries.exists():
        _write(nguyen, NGUYEN_LOGINS[0], agreement="A walk together every Sunday morning.")
        _write(nguyen, NGUYEN_LOGINS[1], practise="Saying what I need before I get angry.")
        reflection.reflection_sharing_set(
            reflection=nguyen, by=_partner(NGUYEN_LOGINS[0]).user, share=True
        )


def _reflection_after_last_integration(demo: DemoSeed, email: str):
    """The reflection opened by the couple's last held integration session, as its
    completion would have opened it (with the prompts, where the appointment names its
    medicine session; the Nguyens' predates that link: their last session is taken)."""
    Appointment, MedicineSession = sessions_models("Appointment", "MedicineSession")
    partner = _partner(email)
    held = Appointment.objects.filter(
        couple_id=partner.couple_id, kind="integration", status="completed"
    )
    appointment = held.order_by("-start").first()
    if appointment is None:
        return None
    for each in partner.couple.partners.filter(user=None):
        each.user = demo.make_user(each.email, each.full_name)
        each.save(update_fields=["user"])
        demo.logins.append(each.email)
    if appointment.medicine_session_id:
        reflection.reflection_prompts_schedule(appointment=appointment)
    session = (
        MedicineSession.objects.filter(
            couple_id=partner.couple_id, appointment__start__lt=appointment.start
        )
        .order_by("-appointment__start")
        .first()
    )
    if session is None:
        return None
    found, _ = SharedReflection.objects.get_or_create(
        couple_id=partner.couple_id, medicine_session=session
    )
    return found


def _partner(email: str) -> Partner:
    return Partner.objects.select_related("user", "couple").get(email=email)


def _write(shared, email: str, **values) -> None:
    reflection.reflection_entry_save(reflection=shared, by=_partner(email).user, values=values)
