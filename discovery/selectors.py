"""Reads of discovery-call requests, already scoped to the reader's clinic."""

from django.db.models import Case, IntegerField, QuerySet, Value, When

from discovery.models import DiscoveryRequest
from kapcouples import policy
from kapcouples.models import User
from kapcouples.prepared import PreparedCount


def requests_for_user(user) -> QuerySet[DiscoveryRequest]:
    """The requests of the staff member's own clinic (none for anyone else), newest first."""
    clinic_id = policy.staff_clinic_id(user)
    if clinic_id is None:
        return DiscoveryRequest.objects.none()
    return _of_clinic(clinic_id).select_related("handled_by", "couple")


def _of_clinic(clinic_id: int) -> QuerySet[DiscoveryRequest]:
    return DiscoveryRequest.objects.filter(clinic_id=clinic_id)


def inbox_for_user(user, *, status: str = "") -> QuerySet[DiscoveryRequest]:
    """The inbox: open requests first (new, then booked calls), each group newest first."""
    found = requests_for_user(user)
    if status:
        found = found.filter(status=status)
    Status = DiscoveryRequest.Status
    rank = Case(
        *(
            When(status=status, then=Value(position))
            for position, status in enumerate((Status.NEW, Status.CALL_BOOKED))
        ),
        default=Value(2),
        output_field=IntegerField(),
    )
    return found.order_by(rank, "-created_at")


def new_request_count(user) -> int:
    """Requests nobody has answered yet, for the count beside the navigation item (on
    every page the front desk and the admin open: its SQL is built once per process)."""
    clinic_id = policy.staff_clinic_id(user)
    if clinic_id is None:
        return 0
    return _NEW_REQUESTS.count(None, clinic_id=clinic_id)


_NEW_REQUESTS = PreparedCount(
    lambda _shape, clinic_id: _of_clinic(clinic_id).filter(status=DiscoveryRequest.Status.NEW)
)


def clinicians_of(clinic_id: int) -> QuerySet[User]:
    """Who may be a new couple's primary clinician or on its care team (as on enrolment)."""
    return User.objects.filter(
        membership__clinic_id=clinic_id,
        membership__is_active=True,
        membership__role__in=policy.CARE_TEAM,
    ).order_by("full_name")
