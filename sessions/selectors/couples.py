"""Reads of a couple's appointments and phase, and a clinician's day."""

from django.db.models import Prefetch, QuerySet

from intake.models import Couple
from kapcouples.models import User
from sessions.models import Appointment, MedicineSession, TreatmentPlan


class Phase:
    ASSESSMENT = "Assessment"
    PREPARATION = "Preparation"
    MEDICINE = "Medicine session"
    INTEGRATION = "Integration"
    COMPLETED = "Completed"


def appointments_for_couple(couple: Couple) -> QuerySet[Appointment]:
    return (
        Appointment.objects.filter(couple=couple)
        .select_related("room", "medicine_record")
        .prefetch_related("clinician_slots__clinician")
        .order_by("-start")
    )


def appointments_for_clinician(user: User, start, end) -> QuerySet[Appointment]:
    return (
        Appointment.objects.filter(clinician_slots__clinician=user, start__lt=end, end__gt=start)
        .select_related("room", "medicine_record", "clinic")
        .prefetch_related(Prefetch("couple", queryset=Couple.objects.prefetch_related("partners")))
        .order_by("start")
    )


def couple_phase(couple: Couple) -> str:
    """The couple's phase, derived from its appointments (never typed in)."""
    plan = TreatmentPlan.objects.filter(couple=couple).first()
    if couple.status == Couple.Status.COMPLETED or (
        plan and plan.status == TreatmentPlan.Status.COMPLETED
    ):
        return Phase.COMPLETED
    appointments = Appointment.objects.filter(couple=couple)
    if appointments.filter(
        kind=Appointment.Kind.MEDICINE, medicine_record__status=MedicineSession.Status.IN_PROGRESS
    ).exists():
        return Phase.MEDICINE
    done = appointments.filter(status=Appointment.Status.COMPLETED)
    if not done.filter(kind=Appointment.Kind.ASSESSMENT).exists():
        return Phase.ASSESSMENT
    medicine = done.filter(kind=Appointment.Kind.MEDICINE)
    last = medicine.order_by("-start").first()
    if last is None:
        return Phase.PREPARATION
    if not done.filter(kind=Appointment.Kind.INTEGRATION, start__gt=last.start).exists():
        return Phase.INTEGRATION
    if plan and medicine.count() >= plan.planned_medicine_sessions:
        return Phase.COMPLETED
    return Phase.PREPARATION
