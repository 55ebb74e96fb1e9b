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
