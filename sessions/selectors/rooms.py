"""What the clinic admin must know about a room before retiring it."""

from django.utils import timezone

from kapcouples.models import Room
from sessions.models import Appointment


def future_bookings_of_room(room: Room) -> list[str]:
    """The room's booked or checked-in appointments not yet over, in words for the clinic
    admin (registered with kapcouples.clinic_admin at start-up)."""
    upcoming = (
        Appointment.objects.filter(
            room=room,
            status__in=Appointment.UPCOMING_STATUSES,
            end__gt=timezone.now(),
        )
        .prefetch_related("couple__partners")
        .order_by("start")
    )
    zone = room.clinic.zone
    return [
        f"{a.start.astimezone(zone):%a %d %b %Y %H:%M} · {a.get_kind_display()} · {a.couple}"
        for a in upcoming
    ]
