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
    """Newest first, with the room and the medicine-session record (not the clinicians).
    `couple` may be given by its id."""
    return (
        Appointment.objects.filter(couple=couple)
        .select_related("room", "medicine_record")
        .order_by("-start")
    )


def appointments_for_clinician(user: User, start, end) -> QuerySet[Appointment]:
    return (
        Appointment.objects.filter(clinician_slots__clinician=user, start__lt=end, end__gt=start)
        .select_related("room", "medicine_record", "clinic")
        .prefetch_related(Prefetch("couple", queryset=Couple.objects.prefetch_related("partners")))
        .order_by("start")
    )


def couple_phase(
    couple: Couple,
    *,
    plan: TreatmentPlan | None = None,
    appointments: list[Appointment] | None = None,
) -> str:
    """The couple's phase, derived from its appointments (never typed in), in one query
    over them (a program holds a few dozen). `plan`: the couple's plan if already read;
    `appointments`: all the couple's appointments with their medicine records, if read."""
    plan = plan or TreatmentPlan.objects.filter(couple=couple).first()
    if couple.status == Couple.Status.COMPLETED or (
        plan and plan.status == TreatmentPlan.Status.COMPLETED
    ):
        return Phase.COMPLETED
    if appointments is None:
        rows = list(
            Appointment.objects.filter(couple=couple)
            .order_by("start")
            .values_list("kind", "status", "start", "medicine_record__status")
        )
    else:
        rows = [
            (a.kind, a.status, a.start, _record_status(a))
            for a in sorted(appointments, key=lambda a: a.start)
        ]
    return _phase_of(rows, plan)


def _record_status(appointment: Appointment) -> str | None:
    record = getattr(appointment, "medicine_record", None)  # selected: None if there is none
    return record.status if record is not None else None


def _phase_of(rows, plan: TreatmentPlan | None) -> str:
    """The phase from (kind, status, start, medicine record's status) rows, oldest first."""
    K, S = Appointment.Kind, Appointment.Status
    if any(k == K.MEDICINE and m == MedicineSession.Status.IN_PROGRESS for k, _, _, m in rows):
        return Phase.MEDICINE
    done = [(kind, start) for kind, status, start, _ in rows if status == S.COMPLETED]
    if not any(kind == K.ASSESSMENT for kind, _ in done):
        return Phase.ASSESSMENT
    medicine = [start for kind, start in done if kind == K.MEDICINE]
    if not medicine:
        return Phase.PREPARATION
    if not any(kind == K.INTEGRATION and start > medicine[-1] for kind, start in done):
        return Phase.INTEGRATION
    if plan and len(medicine) >= plan.planned_medicine_sessions:
        return Phase.COMPLETED
    return Phase.PREPARATION
