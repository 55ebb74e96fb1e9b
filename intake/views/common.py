"""Fetch helpers shared by the intake views: each applies the access policy to one object."""

from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from intake.models import Couple, Partner
from kapcouples import policy


def get_couple_for_staff(request: HttpRequest, couple_id: int) -> Couple:
    couple = get_object_or_404(
        Couple.objects.select_related("clinic", "primary_clinician"), pk=couple_id
    )
    if policy.is_outsider_to_clinic(request.user, couple.clinic_id):
        policy.deny(request, reason="couple of another clinic", obj=couple, hide=True)
    if not policy.can_view_couple_statuses(request.user, couple):
        policy.deny(request, reason="not on this couple's care team", obj=couple)
    return couple


def get_partner_private(request: HttpRequest, partner_id: int) -> Partner:
    partner = get_object_or_404(
        Partner.objects.select_related("couple__clinic", "user"), pk=partner_id
    )
    if not policy.can_view_partner_private(request.user, partner):
        # 404 for everyone refused: even that this partner exists is private.
        policy.deny(request, reason="partner-private page", obj=partner.couple, hide=True)
    return partner


def get_own_partner(request: HttpRequest, partner_id: int) -> Partner:
    """The signed-in partner's own record: only they fill in their forms."""
    partner = get_object_or_404(
        Partner.objects.select_related("couple__clinic", "user"), pk=partner_id
    )
    if partner.user_id != request.user.pk:
        policy.deny(request, reason="another partner's form", obj=partner.couple, hide=True)
    return partner


def get_partner_for_care_team(request: HttpRequest, partner_id: int) -> Partner:
    partner = get_object_or_404(
        Partner.objects.select_related("couple__clinic", "user"), pk=partner_id
    )
    if policy.is_outsider_to_clinic(request.user, partner.couple.clinic_id):
        policy.deny(request, reason="partner of another clinic", obj=partner.couple, hide=True)
    if not policy.can_view_clinical(request.user, partner.couple):
        policy.deny(request, reason="not on this couple's care team", obj=partner.couple)
    return partner


def get_partner_screening(request: HttpRequest, partner_id: int) -> Partner:
    """A partner's screening as get_partner_private, and for an outside prescriber granted
    the couple; everyone else refused learns nothing (404)."""
    partner = get_object_or_404(
        Partner.objects.select_related("couple__clinic", "user"), pk=partner_id
    )
    if not policy.can_read_screening(request.user, partner):
        policy.deny(request, reason="partner-private page", obj=partner.couple, hide=True)
    return partner


def get_partner_for_prescribing(request: HttpRequest, partner_id: int) -> Partner:
    """Reviews and prescriptions: the care team, and an outside prescriber granted the couple
    (404 for a couple they are not granted, as for another clinic's)."""
    partner = get_object_or_404(
        Partner.objects.select_related("couple__clinic", "user"), pk=partner_id
    )
    if policy.is_hidden_couple(request.user, partner.couple):
        policy.deny(request, reason="partner of a couple not shown", obj=partner.couple, hide=True)
    if not policy.can_view_prescribing(request.user, partner.couple):
        policy.deny(request, reason="not on this couple's care team", obj=partner.couple)
    return partner


def is_self(request: HttpRequest, partner: Partner) -> bool:
    return partner.user_id == request.user.pk
