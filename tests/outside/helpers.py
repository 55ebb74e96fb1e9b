"""Outside prescribers for tests: one of the cast's clinic, granted the couples named."""

from kapcouples.models import Role, User
from outside.models import OutsidePrescriberGrant
from tests.factories import StaffFactory


def outside_prescriber(cast, *couples, name: str = "Olu Outside") -> User:
    user = StaffFactory(clinic=cast.clinic, role=Role.OUTSIDE_PRESCRIBER, full_name=name)
    for couple in couples:
        grant(cast, user, couple)
    return user


def grant(cast, user: User, couple) -> OutsidePrescriberGrant:
    return OutsidePrescriberGrant.objects.create(
        prescriber=user,
        couple=couple,
        granted_by=cast.clinic_admin,
        reason="Referring psychiatrist",
    )


def session_under_way(cast):
    """A medicine session of the cast's couple that started an hour ago (booked as a record:
    tests/sessions/factories.started_session books it without the backdating reason the
    booking service now asks for)."""
    import datetime

    from django.utils import timezone

    from sessions import medicine
    from sessions.models import Appointment
    from tests.sessions.factories import book, make_ready

    start = timezone.now() - datetime.timedelta(minutes=60)
    make_ready(cast, start)
    appointment = book(
        cast, Appointment.Kind.MEDICINE, start, minutes=240, backdated_reason="Started earlier"
    )
    session = appointment.medicine_record
    return medicine.medicine_session_start(session=session, by=cast.clinician, at=start)
