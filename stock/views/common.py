"""Helpers of the stock pages: the clinic of the signed-in staff member, a lot by query."""

from django.http import HttpRequest

from kapcouples import policy
from stock.models import Lot


def clinic_id_of(request: HttpRequest) -> int:
    return policy.staff_clinic_id(request.user)


def lot_from_query(request: HttpRequest) -> Lot | None:
    """The lot named by ?lot=<id>; a logged 404 unless it is this clinic's (another clinic
    must not learn that a lot exists)."""
    lot_id = request.GET.get("lot", "")
    if not lot_id.isdigit():
        return None
    lot = Lot.objects.filter(pk=lot_id).first()
    if lot is None or not policy.can_view_stock(request.user, lot.clinic_id):
        policy.deny(request, reason="a lot of another clinic, or none", obj=lot, hide=True)
    return lot
