"""How the workspace's pages find the couple they show."""

from django.db.models import Prefetch
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from intake.models import Couple, Partner
from kapcouples import policy


def get_couple_for_care_team(request: HttpRequest, couple_id: int) -> Couple:
    """The couple, with its clinic and partners, for its care team (or a clinician holding a
    break-the-glass grant); another clinic's couple is a 404, anyone else a logged 403."""
    couple = get_object_or_404(
        Couple.objects.select_related("clinic", "primary_clinician").prefetch_related(
            Prefetch("partners", queryset=Partner.objects.order_by("slot"))
        ),
        pk=couple_id,
    )
    if policy.is_outsider_to_clinic(request.user, couple.clinic_id):
        policy.deny(request, reason="couple of another clinic", obj=couple, hide=True)
    if not policy.can_view_clinical(request.user, couple):
        policy.deny(request, reason="not on this couple's care team", obj=couple)
    return couple
