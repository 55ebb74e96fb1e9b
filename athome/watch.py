"""The watch of a chaperone check: an outbox row due when the check's grace runs out."""

from django.utils import timezone

from athome.models import ChaperoneCheck
from integration import services as integration
from integration.models import Alert, Reminder
from sessions.models import MedicineSession


def chaperone_watch_fires(reminder: Reminder) -> bool:
    """If the check is still not reported at the watch's time, raise an urgent alert (its
    emails to the care team are the message). Always False: the watch itself is never sent.
    Safe to run twice: the alert is raised once per check and due time."""
    check = (
        ChaperoneCheck.objects.select_related("medicine_session__couple")
        .filter(pk=reminder.about_id)
        .first()
    )
    if check is None or not missed(check, reminder):
        return False
    session = check.medicine_session
    integration.alert_raise(
        couple=session.couple,
        partner=session.dosing_partner,
        kind=Alert.Kind.HOME_CHECK_MISSED,
        message=f"At home, the chaperone's {check.get_kind_display().lower()} (due "
        f"{timezone.localtime(check.due_at, session.couple.clinic.zone):%H:%M}) was not "
        "reported. Call the partner and the chaperone now.",
        dedupe_key=f"athome:check:{check.pk}:missed:{check.due_at.isoformat()}",
        urgent=True,
    )
    return False


def missed(check: ChaperoneCheck, reminder: Reminder) -> bool:
    """Not done, the session still running, and this watch is for its current due time."""
    return (
        check.done_at is None
        and check.medicine_session.status == MedicineSession.Status.IN_PROGRESS
        and reminder.event_at == check.due_at
    )
