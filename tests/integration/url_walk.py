"""Objects for this app's URL parameters in the URL walk (tests/kapcouples/test_url_access.py)."""

from django.utils import timezone

from integration import followups
from integration.models import Alert, CheckIn, Reminder, SharedReflection
from integration.services import alert_raise, reminder_schedule
from tests.integration.helpers import completed_medicine_session, past_appointment


def url_kwargs(cast) -> dict:
    # The walk asks once per URL; the objects are made once per cast.
    if not hasattr(cast, "_integration_walk"):
        cast._integration_walk = _make(cast)
    return cast._integration_walk


def _make(cast) -> dict:
    session = completed_medicine_session(cast, days_ago=3)
    checkin = CheckIn.objects.create(
        partner=cast.partner_a,
        couple=cast.couple,
        medicine_session=session,
        day=1,
        due_at=session.completed_at,
    )
    integration = past_appointment(cast, "integration", days_ago=2)
    note = followups.integration_note_save(
        appointment=integration, author=cast.clinician, values={"insights": "Walk"}
    )
    alert = alert_raise(
        couple=cast.couple, kind=Alert.Kind.OTHER, message="walk", dedupe_key=f"walk:{note.pk}"
    )
    reminder = reminder_schedule(
        clinic_id=cast.clinic.pk,
        kind=Reminder.Kind.INTAKE_NUDGE,
        due_at=timezone.now(),
        idempotency_key=f"walk:reminder:{note.pk}",
        partner=cast.partner_a,
    )
    reflection = SharedReflection.objects.create(couple=cast.couple, medicine_session=session)
    return {
        "reflection_id": reflection.pk,
        "reminder_id": reminder.pk,
        "checkin_id": checkin.pk,
        "integration_appointment_id": integration.pk,
        "note_id": note.pk,
        "alert_id": alert.pk,
    }
