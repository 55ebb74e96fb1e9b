"""Fetching objects for this user: each helper applies the access policy or refuses."""

from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from intake.models import Couple
from kapcouples import policy
from kapcouples.models import Role
from sessions import selectors
from sessions.models import Appointment, MedicineSession


def get_couple_for_staff(request: HttpRequest, couple_id: int) -> Couple:
    """Times and statuses: front desk of the clinic and the care team."""
    couple = get_object_or_404(Couple.objects.select_related("clinic"), pk=couple_id)
    _refuse_outsiders(request, couple)
    if not policy.can_view_couple_statuses(request.user, couple):
        policy.deny(request, reason="not on this couple's care team", obj=couple)
    return couple


def get_couple_for_care(request: HttpRequest, couple_id: int) -> Couple:
    """Clinical pages (plan, overrides): the care team only."""
    couple = get_object_or_404(Couple.objects.select_related("clinic"), pk=couple_id)
    _refuse_outsiders(request, couple)
    if not policy.can_view_clinical(request.user, couple):
        policy.deny(request, reason="clinical page of a couple not in care", obj=couple)
    return couple


def get_appointment_for_staff(request: HttpRequest, appointment_id: int) -> Appointment:
    appointment = get_object_or_404(
        Appointment.objects.select_related("couple__clinic", "room", "clinic"), pk=appointment_id
    )
    _refuse_outsiders(request, appointment.couple)
    if not policy.can_view_couple_statuses(request.user, appointment.couple):
        policy.deny(request, reason="not on this couple's care team", obj=appointment)
    return appointment


def get_appointment_for_viewer(request: HttpRequest, appointment_id: int) -> Appointment:
    """Staff who see statuses, or a partner of the couple (the appointment list is shared)."""
    if policy.role_of(request.user) != Role.PARTNER:
        return get_appointment_for_staff(request, appointment_id)
    appointment = get_object_or_404(
        Appointment.objects.select_related("couple", "room", "clinic"), pk=appointment_id
    )
    if not policy.can_view_couple_shared(request.user, appointment.couple):
        policy.deny(request, reason="another couple's appointment", obj=appointment, hide=True)
    return appointment


def get_session_for_care(request: HttpRequest, session_id: int) -> MedicineSession:
    session = selectors.medicine_session_for_record(session_id)
    if session is None:
        policy.deny(request, reason="no such medicine session", hide=True)
    _refuse_outsiders(request, session.couple)
    if not policy.can_view_clinical(request.user, session.couple):
        policy.deny(request, reason="medicine-session record of a couple not in care", obj=session)
    return session


def get_session_for_sign_off(request: HttpRequest, session_id: int) -> MedicineSession:
    """The record a prescriber signs readings off on: the care team, and an outside prescriber
    granted the couple (404 for a couple they are not granted)."""
    session = selectors.medicine_session_for_record(session_id)
    if session is None:
        policy.deny(request, reason="no such medicine session", hide=True)
    _refuse_hidden(request, session.couple)
    if not policy.can_view_prescribing(request.user, session.couple):
        policy.deny(request, reason="medicine-session record of a couple not in care", obj=session)
    return session


def get_couple_for_sign_off(request: HttpRequest, couple_id: int) -> Couple:
    """Readiness overrides: the care team, and an outside prescriber granted the couple."""
    couple = get_object_or_404(Couple.objects.select_related("clinic"), pk=couple_id)
    _refuse_hidden(request, couple)
    if not policy.can_view_prescribing(request.user, couple):
        policy.deny(request, reason="clinical page of a couple not in care", obj=couple)
    return couple


def _refuse_hidden(request: HttpRequest, couple: Couple) -> None:
    if policy.is_hidden_couple(request.user, couple):
        policy.deny(request, reason="couple not shown to this user", obj=couple, hide=True)


def _refuse_outsiders(request: HttpRequest, couple: Couple) -> None:
    if policy.is_outsider_to_clinic(request.user, couple.clinic_id):
        policy.deny(request, reason="couple of another clinic", obj=couple, hide=True)
