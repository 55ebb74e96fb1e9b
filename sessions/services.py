"""Treatment plans, booking and the appointment lifecycle.

No double booking: every write that gives an appointment a time takes row locks on the
couple, the room and the clinicians (always in that order, so two bookings cannot
deadlock), then looks for an overlapping active appointment and names it. On
PostgreSQL the exclusion constraints of migration 0002 back this up; on SQLite the
IMMEDIATE transactions serialise writers, so the same check holds there.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from intake.models import Couple, ScreeningSettings
from intake.readiness import ScreeningFacts
from intake.selectors import partners_by_couple
from integration import services as integration
from integration.models import MessagingSettings
from kapcouples import policy
from kapcouples.models import Clinic, Room, StaffMembership, User
from kapcouples.prepared import PreparedRows, PreparedUpdate, hold_as_prefetched
from kapcouples.services import DomainError
from sessions.hours import (
    TimeConcerns,
    day_hours_annotations,
    day_hours_from,
    opening_hours_for,
    time_concerns,
)
from sessions.models import (
    MAX_APPOINTMENT_LENGTH,
    MIN_CONFIRMATION_REASON,
    Appointment,
    AppointmentClinician,
    Approach,
    CalendarFeed,
    MedicineSession,
    OpeningHours,
    ProtocolSettings,
    ReadinessOverride,
    Setting,
    TreatmentPlan,
    earliest_overlapping_start,
)
from sessions.protocol import protocol_for, setting_row
from sessions.readiness import BOOK, Readiness, readiness_check
from sessions.readiness import overrides_for as readiness_overrides_for


class ConflictError(DomainError):
    """The slot overlaps an active appointment of the same room, clinician or couple."""

    def __init__(self, message: str, *, conflicting: Appointment | None = None):
        super().__init__(message)
        self.conflicting = conflicting


class NotReadyError(DomainError):
    """A medicine session may not be booked or started: `readiness` lists what is unmet."""

    def __init__(self, readiness: Readiness):
        super().__init__(readiness.summary(clinical=False))
        self.readiness = readiness


class ConfirmationNeeded(DomainError):
    """The time starts in the past, lies outside opening hours or crosses midnight: the
    booking goes ahead only with a written reason for each concern (`concerns` names them)."""

    def __init__(self, concerns: TimeConcerns):
        super().__init__(" ".join(c for c in (concerns.outside_hours, concerns.backdated) if c))
        self.concerns = concerns


def _validated(obj) -> None:
    try:
        obj.full_clean()
    except ValidationError as error:
        raise DomainError(" ".join(error.messages)) from error


# --- Treatment plans -------------------------------------------------------------------
@transaction.atomic
def plan_save(*, couple: Couple, by: User, values: dict) -> TreatmentPlan:
    """Create or edit the couple's plan. Editing an approved plan sends it back to draft."""
    policy.ensure(policy.can_edit_plan, by, couple, to="write a treatment plan")
    plan = TreatmentPlan.objects.select_for_update().filter(couple=couple).first()
    if plan is None:
        plan = TreatmentPlan(couple=couple, created_by=by)
    for name, value in values.items():
        setattr(plan, name, value)
    _check_plan_roles(plan)
    if plan.status == TreatmentPlan.Status.ACTIVE:
        plan.status, plan.approved_by, plan.approved_at = TreatmentPlan.Status.DRAFT, None, None
    _validated(plan)
    plan.save()
    return plan


def _check_plan_roles(plan: TreatmentPlan) -> None:
    if plan.approach != Approach.SOLO:
        plan.dosing_partner, plan.support_role, plan.support_role_agreed = None, "", False
        return
    if plan.dosing_partner is None or plan.dosing_partner.couple_id != plan.couple_id:
        raise DomainError("A solo plan names which partner of this couple doses.")
    if not plan.support_role:
        raise DomainError("A solo plan names the other partner's role: sitter or chaperone.")


@transaction.atomic
def plan_approve(*, plan: TreatmentPlan, by: User) -> TreatmentPlan:
    """Approve the plan and its dosing approach (a prescriber), after checking each approach
    has what it needs beforehand."""
    policy.ensure(policy.can_approve_plan, by, plan.couple, to="approve a treatment plan")
    missing = plan_missing_preparation(plan)
    if missing:
        raise DomainError("Before approval the plan needs: " + "; ".join(missing) + ".")
    protocol = protocol_for(plan.couple.clinic_id)
    allowed = protocol.max_medicine_sessions
    if plan.planned_medicine_sessions > allowed:
        raise DomainError(f"The clinic allows at most {allowed} medicine sessions per program.")
    if plan.setting == Setting.AT_HOME and not protocol.allows_at_home:
        raise DomainError(
            "The clinic does not allow at-home medicine sessions: set the plan to in the clinic, "
            "or the clinic's admin allows at-home sessions in the protocol settings first."
        )
    plan.status, plan.approved_by, plan.approved_at = (
        TreatmentPlan.Status.ACTIVE,
        by,
        timezone.now(),
    )
    _validated(plan)
    plan.save()
    return plan


def plan_missing_preparation(plan: TreatmentPlan) -> list[str]:
    """What the plan's approach needs recorded before approval (empty when complete)."""
    missing = []
    if not plan.relational_intention.strip():
        missing.append("the relational intention")
    if plan.approach == Approach.SOLO and not plan.support_role_agreed:
        missing.append("the non-dosing partner's role agreed in advance")
    if plan.approach == Approach.EXTENDED:
        if not plan.discussion_topics.strip() or not plan.discussion_questions.strip():
            missing.append("the discussion agenda (topics and preparation questions)")
        if not plan.opening_reflection.strip():
            missing.append("the opening reflection")
    return missing


# --- Booking ---------------------------------------------------------------------------
def _lock_resources(
    *, couple: Couple, room: Room, clinicians: list[User], start: datetime.datetime
) -> tuple[Couple, dict[int, OpeningHours]]:
    """Lock couple → room → clinicians (by id), the same order everywhere: no deadlocks.

    Returns the couple as locked, with its clinic and partners for the rest of the booking
    (readiness, reminders, the confirmation read them), and the clinic's opening hours of
    the start's weekday, read by the statement that locks the room; refuses clinicians not
    bookable at its clinic, read by the statement that locks them.
    """
    (locked,) = _LOCKED_COUPLE.rows(None, couple_id=couple.pk)
    hold_as_prefetched(locked, "partners", partners_by_couple([couple.pk])[couple.pk])
    weekday = start.astimezone(locked.clinic.zone).weekday()
    (row,) = _LOCKED_ROOM_HOURS.rows(weekday, room_id=room.pk)
    bookable = set(
        _LOCKED_BOOKABLE.rows(
            None, clinician_ids=[c.pk for c in clinicians], clinic_id=couple.clinic_id
        )
    )
    _refuse_unbookable(clinicians, bookable)
    return locked, day_hours_from(locked.clinic_id, weekday, row)


def _clinical_memberships(clinic_id: int):
    return StaffMembership.objects.filter(
        clinic_id=clinic_id, role__in=policy.CLINICAL_ROLES, is_active=True
    )


def _room_with_day_hours(weekday: int, room_id: int):
    day = day_hours_annotations(weekday)
    return (
        Room.objects.select_for_update(of=("self",))
        .filter(pk=room_id)
        .order_by()
        .annotate(**day)
        .values_list(*day)
    )


# What every booking locks and reads first: the SQL is built once per process (and the
# room's once per weekday, whose opening hours it reads), see kapcouples.prepared.
_LOCKED_COUPLE = PreparedRows(
    lambda _shape, couple_id: (
        Couple.objects.select_for_update(of=("self",)).select_related("clinic").filter(pk=couple_id)
    )
)
_LOCKED_ROOM_HOURS = PreparedRows(_room_with_day_hours)
_LOCKED_BOOKABLE = PreparedRows(
    lambda _shape, clinician_ids, clinic_id: (
        User.objects.select_for_update()
        .filter(pk__in=clinician_ids)
        .filter(Exists(_clinical_memberships(clinic_id).filter(user=OuterRef("pk"))))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
)


def _refuse_unbookable(clinicians: list[User], bookable: set[int]) -> None:
    for clinician in clinicians:
        if clinician.pk not in bookable:
            raise DomainError(f"{clinician.get_full_name()} is not a clinician of this clinic.")


def find_conflict(
    *,
    start: datetime.datetime,
    end: datetime.datetime,
    room: Room,
    couple: Couple,
    clinicians: list[User],
    exclude: Appointment | None = None,
    group_session_id: int | None = None,
) -> tuple[Appointment, str] | None:
    """The first active appointment overlapping [start, end) that shares a resource.

    Two index-bounded queries (room or couple; then the clinicians' slots) rather than one
    OR across a join, which would scan every appointment of the deployment. The seats of
    the group session `group_session_id` share its room and clinicians, never a couple.
    """
    window = {"start": start, "end": end, "earliest": earliest_overlapping_start(start)}
    if exclude is not None:
        window["exclude_id"] = exclude.pk
    found = _ROOM_OR_COUPLE_OVERLAPS.rows(
        exclude is not None, room_id=room.pk, couple_id=couple.pk, **window
    )
    for pk, room_id, _couple_id, seat_of in found:
        if room_id == room.pk and (group_session_id is None or seat_of != group_session_id):
            return _described(pk), f"{room.name} is already booked"
    for pk, _room_id, couple_id, _seat_of in found:
        if couple_id == couple.pk:
            return _described(pk), "This couple already has an appointment"
    seats = {} if group_session_id is None else {"group_session_id": group_session_id}
    taken = _CLINICIAN_OVERLAPS.rows(
        (exclude is not None, group_session_id is not None),
        clinician_ids=[c.pk for c in clinicians],
        **window,
        **seats,
    )
    for clinician_id, appointment_id in taken:
        name = next(c.get_full_name() for c in clinicians if c.pk == clinician_id)
        return _described(appointment_id), f"{name} is already booked"
    return None


def _room_or_couple_overlaps(excluding: bool, *, start, end, earliest, room_id, couple_id, **more):
    overlapping = Appointment.objects.active().overlapping(start, end, earliest=earliest)
    if excluding:
        overlapping = overlapping.exclude(pk=more["exclude_id"])
    return (
        overlapping.filter(Q(room_id=room_id) | Q(couple_id=couple_id))
        .order_by("start", "pk")
        .values_list("pk", "room_id", "couple_id", "group_session_id")[:10]
    )


def _clinician_overlaps(shape, *, clinician_ids, start, end, earliest, **more):
    excluding, grouped = shape
    slots = AppointmentClinician.objects.filter(
        clinician__in=clinician_ids, is_active=True, start__lt=end, end__gt=start
    ).filter(start__gt=earliest)
    if excluding:
        slots = slots.exclude(appointment_id=more["exclude_id"])
    if grouped:
        slots = slots.exclude(group_session_id=more["group_session_id"])
    return slots.order_by("clinician_id", "start").values_list("clinician_id", "appointment_id")[:1]


# Every booking, move and group seat asks both: built once per process for each shape
# (kapcouples.prepared).
_ROOM_OR_COUPLE_OVERLAPS = PreparedRows(_room_or_couple_overlaps)
_CLINICIAN_OVERLAPS = PreparedRows(_clinician_overlaps)


def _described(appointment_id: int) -> Appointment:
    """A conflicting appointment with what `describe_appointment` names (a conflict is rare:
    the common path reads ids only)."""
    return Appointment.objects.select_related("room", "couple", "clinic").get(pk=appointment_id)


def describe_appointment(appointment: Appointment) -> str:
    zone = appointment.clinic.zone
    start, end = appointment.start.astimezone(zone), appointment.end.astimezone(zone)
    initials = couple_initials(appointment.couple)
    return (
        f"{appointment.get_kind_display()} #{appointment.pk} for {initials}, "
        f"{start:%a %d %b %Y %H:%M}–{end:%H:%M} in {appointment.room.name}"
    )


def couple_initials(couple: Couple) -> str:
    names = [f"{p.first_name[:1]}.{p.last_name[:1]}." for p in couple.partners.all()]
    return " & ".join(names) or f"couple {couple.pk}"


def _check_conflicts(**kwargs) -> None:
    conflict = find_conflict(**kwargs)
    if conflict:
        appointment, what = conflict
        raise ConflictError(
            f"{what} then: {describe_appointment(appointment)}. Choose another time"
            " (“next free slot” finds one).",
            conflicting=appointment,
        )


def _check_booking_inputs(*, couple, room, clinicians, start, end) -> None:
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("appointment times must be timezone-aware")
    if end <= start:
        raise DomainError("The appointment must end after it starts.")
    if end - start > MAX_APPOINTMENT_LENGTH:
        raise DomainError("An appointment lasts at most 24 hours: book separate days.")
    if room.clinic_id != couple.clinic_id or not room.is_active:
        raise DomainError(f"{room.name} is not an open room of this clinic.")
    if not clinicians:
        raise DomainError("Choose at least one clinician.")


def _confirmed_reasons(
    *, couple: Couple, start, end, hours, outside_hours_reason: str, backdated_reason: str
) -> dict:
    """The reasons to store for the time's concerns; refuses a concern left unconfirmed."""
    concerns = time_concerns(clinic=couple.clinic, start=start, end=end, hours=hours)
    reasons = {
        "outside_hours_reason": outside_hours_reason.strip() if concerns.outside_hours else "",
        "backdated_reason": backdated_reason.strip() if concerns.backdated else "",
    }
    unconfirmed = TimeConcerns(
        outside_hours=concerns.outside_hours if not reasons["outside_hours_reason"] else "",
        backdated=concerns.backdated if not reasons["backdated_reason"] else "",
    )
    if unconfirmed:
        raise ConfirmationNeeded(unconfirmed)
    if any(0 < len(reason) < MIN_CONFIRMATION_REASON for reason in reasons.values()):
        raise DomainError(
            f"Give the reason in at least {MIN_CONFIRMATION_REASON} characters; "
            "it is kept with the appointment."
        )
    return reasons


def appointment_time_concerns(
    *, couple: Couple, start: datetime.datetime, end: datetime.datetime
) -> TimeConcerns:
    """What booking at this time would ask to be confirmed (for "Check first")."""
    hours = opening_hours_for(couple.clinic_id)
    return time_concerns(clinic=couple.clinic, start=start, end=end, hours=hours)


def appointment_check(
    *,
    couple: Couple,
    kind: str,
    start: datetime.datetime,
    end: datetime.datetime,
    room: Room,
    clinicians: list[User],
    exclude: Appointment | None = None,
) -> tuple[tuple[Appointment, str] | None, Readiness | None]:
    """What booking would run into, without booking: a conflict and the readiness gate."""
    _check_booking_inputs(couple=couple, room=room, clinicians=clinicians, start=start, end=end)
    bookable = _clinical_memberships(couple.clinic_id).filter(user__in=clinicians)
    _refuse_unbookable(clinicians, set(bookable.values_list("user_id", flat=True)))
    conflict = find_conflict(
        start=start, end=end, room=room, couple=couple, clinicians=clinicians, exclude=exclude
    )
    readiness = None
    if kind == Appointment.Kind.MEDICINE:
        readiness = readiness_check(couple=couple, start=start, purpose=BOOK, appointment=exclude)
    return conflict, readiness


@transaction.atomic
def appointment_book(
    *,
    couple: Couple,
    kind: str,
    start: datetime.datetime,
    end: datetime.datetime,
    room: Room,
    clinicians: list[User],
    by: User,
    outside_hours_reason: str = "",
    backdated_reason: str = "",
    group_session_id: int | None = None,
) -> Appointment:
    """Book an appointment, refusing any overlap of room, clinician or couple.

    A start in the past, outside opening hours or an end on another day needs its reason
    (`ConfirmationNeeded` otherwise); a backdated appointment is a record and sends no
    messages. A medicine appointment must pass the readiness gate and gets its session
    record. Preparation and integration appointments are linked to their medicine session.
    With `group_session_id` it is one couple's seat of that group session (groups app),
    sharing its room and clinicians with the other seats.
    """
    policy.ensure(policy.can_book, by, couple, to="book an appointment")
    _check_booking_inputs(couple=couple, room=room, clinicians=clinicians, start=start, end=end)
    couple, hours = _lock_resources(couple=couple, room=room, clinicians=clinicians, start=start)
    reasons = _confirmed_reasons(
        couple=couple,
        start=start,
        end=end,
        hours=hours,
        outside_hours_reason=outside_hours_reason,
        backdated_reason=backdated_reason,
    )
    _check_conflicts(
        start=start,
        end=end,
        room=room,
        couple=couple,
        clinicians=clinicians,
        group_session_id=group_session_id,
    )
    settings = _booking_settings(couple.clinic_id)
    if kind == Appointment.Kind.MEDICINE:
        readiness = readiness_check(
            couple=couple,
            start=start,
            purpose=BOOK,
            protocol=settings.protocol,
            screening=ScreeningFacts.with_settings(couple.partners.all(), settings.screening),
        )
        if not readiness.ready:
            raise NotReadyError(readiness)
    appointment = Appointment(
        clinic=couple.clinic,
        couple=couple,
        kind=kind,
        start=start,
        end=end,
        room=room,
        booked_by=by,
        group_session_id=group_session_id,
        **reasons,
    )
    _validated_fields(appointment)
    _save_guarded(appointment, clinicians, by=by, new=True)
    if kind == Appointment.Kind.MEDICINE:
        _link_new_medicine_session(appointment, readiness)
    else:
        _link_medicine_session(appointment)
    if not appointment.is_backdated:
        integration.reminders_on_appointment_booked(
            appointment=appointment,
            created_now=True,
            messaging=settings.messaging,
            screening=settings.screening,
        )
    return appointment


@dataclass(frozen=True)
class BookingSettings:
    protocol: ProtocolSettings
    screening: ScreeningSettings
    messaging: MessagingSettings


def _booking_settings(clinic_id: int) -> BookingSettings:
    """The clinic's settings a booking reads (readiness, screening windows, message times),
    in one query after the locks, so as they stand at the booking."""
    (clinic,) = _CLINIC_SETTINGS.rows(None, clinic_id=clinic_id)
    return BookingSettings(
        protocol=setting_row(clinic, "protocol", protocol_for),
        screening=setting_row(clinic, "screening_settings", ScreeningSettings.for_clinic),
        messaging=setting_row(clinic, "messaging_settings", integration.messaging_settings_for),
    )


_CLINIC_SETTINGS = PreparedRows(
    lambda _shape, clinic_id: Clinic.objects.select_related(
        "protocol", "screening_settings", "messaging_settings"
    ).filter(pk=clinic_id)
)


def _validated_fields(row) -> None:
    """Field checks of a row, without the queries of foreign-key and constraint validation:
    the services' rules have judged it, its related objects are loaded, and the database's
    constraints (overlaps, dose cap, escort, monitoring time) are the last word."""
    relations = [f.name for f in row._meta.concrete_fields if f.is_relation]
    try:
        row.full_clean(exclude=relations, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        raise DomainError(" ".join(error.messages)) from error


def _save_guarded(
    appointment: Appointment, clinicians: list[User], *, by: User, new: bool = False
) -> None:
    """Save the appointment and its clinician slots; the exclusion constraints are the last
    word if a write ever slipped past the locks. (No savepoint: a conflict ends the whole
    booking transaction, which the caller's atomic block rolls back.) Every slot written,
    moved or removed leaves a history row naming `by`."""
    try:
        appointment.save()
        have = set() if new else _update_slots(appointment, clinicians, by=by)
        added = [
            AppointmentClinician(
                appointment=appointment,
                clinician=clinician,
                start=appointment.start,
                end=appointment.end,
                is_active=appointment.is_active,
                group_session_id=appointment.group_session_id,
            )
            for clinician in clinicians
            if clinician.pk not in have
        ]
        bulk_create_with_history(added, AppointmentClinician, default_user=by)
    except IntegrityError as error:
        raise ConflictError(
            "That time overlaps another booking of this room, clinician or couple."
        ) from error


def _update_slots(appointment: Appointment, clinicians: list[User], *, by: User) -> set[int]:
    """Move the slots of the clinicians kept, take off the others (each leaving a history
    row); the kept clinicians' ids."""
    slots = list(AppointmentClinician.objects.filter(appointment=appointment))
    keep = {clinician.pk for clinician in clinicians}
    for slot in slots:
        if slot.clinician_id not in keep:
            slot._history_user = by
            slot.delete()
    kept = [slot for slot in slots if slot.clinician_id in keep]
    _sync_slots(appointment, kept, by=by)
    return {slot.clinician_id for slot in kept}


def _sync_slots(appointment: Appointment, slots: list[AppointmentClinician], *, by) -> None:
    """Copy the appointment's time and activity onto its slots, with history."""
    for slot in slots:
        slot.start, slot.end, slot.is_active = (
            appointment.start,
            appointment.end,
            appointment.is_active,
        )
    fields = ["start", "end", "is_active"]
    bulk_update_with_history(slots, AppointmentClinician, fields, default_user=by)


def _link_medicine_session(appointment: Appointment) -> None:
    couple, kind = appointment.couple, appointment.kind
    if kind == Appointment.Kind.PREPARATION:
        upcoming = (
            Appointment.objects.active()
            .filter(couple=couple, kind=Appointment.Kind.MEDICINE, start__gt=appointment.start)
            .order_by("start")
            .first()
        )
        _set_session(appointment, upcoming)
    elif kind == Appointment.Kind.INTEGRATION:
        _set_session(appointment, _previous_medicine(couple, appointment.start, exclude=None))


def _link_new_medicine_session(appointment: Appointment, readiness: Readiness) -> None:
    """Make the session record, attach the preparations booked since the previous medicine
    session, and the readiness overrides written for this session before booking."""
    session = _create_medicine_session(appointment, readiness.plan)
    since = {"after": readiness.previous.start} if readiness.previous is not None else {}
    _LINK_PREPARATIONS.update(
        bool(since),
        session_id=session.pk,
        couple_id=appointment.couple_id,
        before=appointment.start,
        **since,
    )
    unbound = [o.pk for o in readiness.overrides if o.appointment_id is None]
    if unbound:
        ReadinessOverride.objects.filter(pk__in=unbound).update(appointment=appointment)


def _preparations_to_link(since_previous: bool, session_id, couple_id, before, after=None):
    """The couple's preparations before `before` (and after `after`, the previous medicine
    session, `since_previous`) that are unlinked, or linked to a medicine session that was
    called off (a subquery on the sessions: the update needs no join back to its table)."""
    called_off = MedicineSession.objects.filter(couple_id=couple_id).exclude(
        appointment__status__in=Appointment.ACTIVE_STATUSES
    )
    unattached = Q(medicine_session__isnull=True) | Q(medicine_session__in=called_off)
    preps = Appointment.objects.filter(
        unattached, couple_id=couple_id, kind=Appointment.Kind.PREPARATION, start__lt=before
    )
    if since_previous:
        preps = preps.filter(start__gt=after)
    return preps, {"medicine_session": session_id}


# Run on every medicine booking: its SQL built once per process (kapcouples.prepared).
_LINK_PREPARATIONS = PreparedUpdate(_preparations_to_link)


def _set_session(appointment: Appointment, medicine: Appointment | None) -> None:
    session = MedicineSession.objects.filter(appointment=medicine).first() if medicine else None
    if session is not None and appointment.medicine_session_id != session.pk:
        appointment.medicine_session = session
        appointment.save(update_fields=["medicine_session"])


def _previous_medicine(couple, start, *, exclude) -> Appointment | None:
    found = Appointment.objects.active().filter(
        couple=couple, kind=Appointment.Kind.MEDICINE, start__lt=start
    )
    if exclude is not None:
        found = found.exclude(pk=exclude.pk)
    return found.order_by("-start").first()


def _create_medicine_session(appointment: Appointment, plan: TreatmentPlan) -> MedicineSession:
    return MedicineSession.objects.create(
        appointment=appointment,
        couple_id=appointment.couple_id,
        approach=plan.approach,
        dosing_partner_id=plan.dosing_partner_id,
        support_role=plan.support_role,
        route=plan.route,
        setting=plan.setting,
    )


@transaction.atomic
def appointment_reschedule(
    *,
    appointment: Appointment,
    start: datetime.datetime,
    end: datetime.datetime,
    room: Room,
    clinicians: list[User],
    by: User,
    outside_hours_reason: str = "",
    backdated_reason: str = "",
) -> Appointment:
    """Move a booked appointment, with the same overlap and time checks as booking.

    Moved into the past, it becomes a record: its pending messages are cancelled."""
    appointment = _locked(appointment)
    policy.ensure(policy.can_book, by, appointment.couple, to="move an appointment")
    if appointment.status != Appointment.Status.BOOKED:
        raise DomainError(
            f"Only booked appointments can be moved; this one is "
            f"{appointment.get_status_display().lower()}."
        )
    if appointment.group_session_id is not None:
        raise DomainError(
            "This is a seat of a group session: it keeps the group's time and room. "
            "Cancel the seat, or move the group session."
        )
    couple = appointment.couple
    _check_booking_inputs(couple=couple, room=room, clinicians=clinicians, start=start, end=end)
    couple, hours = _lock_resources(couple=couple, room=room, clinicians=clinicians, start=start)
    appointment.couple = couple
    reasons = _confirmed_reasons(
        couple=couple,
        start=start,
        end=end,
        hours=hours,
        outside_hours_reason=outside_hours_reason,
        backdated_reason=backdated_reason,
    )
    _check_conflicts(
        start=start, end=end, room=room, couple=couple, clinicians=clinicians, exclude=appointment
    )
    if appointment.kind == Appointment.Kind.MEDICINE:
        readiness = readiness_check(
            couple=couple, start=start, purpose=BOOK, appointment=appointment
        )
        if not readiness.ready:
            raise NotReadyError(readiness)
    appointment.start, appointment.end, appointment.room = start, end, room
    for name, value in reasons.items():
        setattr(appointment, name, value)
    _validated(appointment)
    _save_guarded(appointment, clinicians, by=by)
    if appointment.is_backdated:
        integration.reminders_cancel_about(about=appointment)
    else:
        integration.reminders_on_appointment_rescheduled(appointment=appointment)
    return appointment


def _locked(appointment: Appointment) -> Appointment:
    return (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("couple", "room", "clinic")
        .get(pk=appointment.pk)
    )


def _set_status(appointment: Appointment, status: str, **extra) -> Appointment:
    appointment.status = status
    for name, value in extra.items():
        setattr(appointment, name, value)
    _validated(appointment)
    appointment.save()
    AppointmentClinician.objects.filter(appointment=appointment).update(
        is_active=appointment.is_active
    )
    return appointment


@transaction.atomic
def appointment_cancel(*, appointment: Appointment, reason: str, by: User) -> Appointment:
    """Cancel a booked appointment with a reason; its room and people become free."""
    appointment = _locked(appointment)
    policy.ensure(policy.can_book, by, appointment.couple, to="cancel an appointment")
    if appointment.status != Appointment.Status.BOOKED:
        raise DomainError("Only a booked appointment (not yet checked in) can be cancelled.")
    if not reason.strip():
        raise DomainError("Give the reason for cancelling.")
    _set_status(appointment, Appointment.Status.CANCELLED, cancel_reason=reason.strip()[:300])
    integration.reminders_on_appointment_cancelled(appointment=appointment)
    return appointment


@transaction.atomic
def appointment_mark_no_show(*, appointment: Appointment, by: User) -> Appointment:
    """The couple did not come: the appointment stops holding its slot."""
    appointment = _locked(appointment)
    policy.ensure(policy.can_book, by, appointment.couple, to="mark a no-show")
    if appointment.status != Appointment.Status.BOOKED:
        raise DomainError("Only a booked appointment can be marked as a no-show.")
    if appointment.start > timezone.now():
        raise DomainError("An appointment can be marked as a no-show once it has started.")
    _set_status(appointment, Appointment.Status.NO_SHOW)
    integration.reminders_on_appointment_cancelled(appointment=appointment)
    return appointment


@transaction.atomic
def appointment_check_in(*, appointment: Appointment, by: User) -> Appointment:
    """The couple has arrived."""
    appointment = _locked(appointment)
    policy.ensure(policy.can_book, by, appointment.couple, to="check a couple in")
    if appointment.status != Appointment.Status.BOOKED:
        raise DomainError("Only a booked appointment can be checked in.")
    if appointment.start.astimezone(appointment.clinic.zone).date() != timezone.localdate(
        timezone=appointment.clinic.zone
    ):
        raise DomainError("Check-in is only possible on the day of the appointment.")
    return _set_status(appointment, Appointment.Status.CHECKED_IN)


@transaction.atomic
def appointment_complete(*, appointment: Appointment, by: User) -> Appointment:
    """Mark a checked-in assessment, preparation, integration or other appointment as held.

    Medicine appointments complete through their session record (discharge).
    """
    appointment = _locked(appointment)
    policy.ensure(
        policy.can_complete_appointment, by, appointment.couple, to="complete an appointment"
    )
    if appointment.kind == Appointment.Kind.MEDICINE:
        raise DomainError("A medicine session completes from its session record, at discharge.")
    if appointment.status not in Appointment.UPCOMING_STATUSES:
        raise DomainError("Only a booked or checked-in appointment can be completed.")
    if appointment.start > timezone.now():
        raise DomainError("An appointment can be completed once it has started.")
    _set_status(appointment, Appointment.Status.COMPLETED)
    integration.followups_on_appointment_completed(appointment=appointment)
    return appointment


# --- Overrides, settings, feeds --------------------------------------------------------
@transaction.atomic
def readiness_override(
    *,
    couple: Couple,
    session_number: int,
    item: int,
    reason: str,
    by: User,
    appointment: Appointment | None = None,
) -> ReadinessOverride:
    """A prescriber overrides readiness item 4, 5 or 6 for one medicine appointment (or, before
    it is booked, for the couple's n-th session; then it lapses after the clinic's
    `override_valid_days` unless a booking takes it). Items 1–3 can never be overridden.
    """
    policy.ensure(policy.can_override_readiness, by, couple, to="override readiness")
    if item not in ReadinessOverride.Item.values:
        raise DomainError(
            "Only items 4–6 (preparation, integration, number of sessions) can be overridden; "
            "items 1–3 must be met."
        )
    if appointment is not None and (
        appointment.couple_id != couple.pk or appointment.kind != Appointment.Kind.MEDICINE
    ):
        raise DomainError("An override belongs to one of this couple's medicine appointments.")
    if not reason.strip():
        raise DomainError("Write the reason for the override; it is kept in the record.")
    live = readiness_overrides_for(couple, session_number, appointment)
    if any(o.item == item for o in live):
        raise DomainError("That item is already overridden for this medicine session.")
    override = ReadinessOverride(
        couple=couple,
        session_number=session_number,
        appointment=appointment,
        item=item,
        reason=reason.strip(),
        prescriber=by,
    )
    _validated(override)
    override.save()
    return override


@transaction.atomic
def protocol_update(*, protocol: ProtocolSettings, values: dict, by: User) -> ProtocolSettings:
    """Change the clinic's protocol settings (clinic admin); the history keeps the old ones.

    Out-of-range values raise a ValidationError by field, for the form to show beside them.
    """
    policy.ensure(policy.can_manage_protocol, by, protocol.clinic_id, to="change the protocol")
    for name, value in values.items():
        setattr(protocol, name, value)
    protocol.full_clean()
    protocol.save()
    return protocol


@transaction.atomic
def opening_hours_update(*, clinic_id: int, values: dict[int, dict], by: User) -> None:
    """Set the clinic's hours: `values` maps a weekday (0 = Monday) to its is_closed, opens
    and closes. Each changed row keeps its earlier hours in its history."""
    policy.ensure(policy.can_manage_clinic, by, clinic_id, to="change the opening hours")
    rows = opening_hours_for(clinic_id)
    for weekday, fields in values.items():
        row = rows[weekday]
        changed = {name: value for name, value in fields.items() if getattr(row, name) != value}
        if not changed:
            continue
        for name, value in changed.items():
            setattr(row, name, value)
        _validated(row)
        row.save(update_fields=list(changed))


@transaction.atomic
def calendar_feed_renew(*, clinician: User) -> CalendarFeed:
    """Revoke the clinician's feed URL, if any, and make a new secret one."""
    calendar_feed_revoke(clinician=clinician)
    return CalendarFeed.objects.create(clinician=clinician)


@transaction.atomic
def calendar_feed_revoke(*, clinician: User) -> None:
    """The feed URL stops working at once."""
    CalendarFeed.objects.filter(clinician=clinician, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
