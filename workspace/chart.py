"""The couple's chart: the whole program as a timeline in rounds (one per medicine
session), and where the couple stands against its plan.

Everything is read in a fixed number of queries, one per kind of record; a program
holds a few dozen appointments and a few hundred records at most."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.urls import reverse
from django.utils import timezone

from intake.models import Couple, Partner, QuestionnaireResponse
from integration.models import Alert, CheckIn, IntegrationNote
from sessions.models import (
    AdverseEvent,
    Appointment,
    Discharge,
    DoseAdministration,
    MedicineSession,
    ProtocolSettings,
    TreatmentPlan,
)
from sessions.protocol import protocol_for

SCORED_CODES = ("PHQ-9", "GAD-7", "PCL-5", "CSI-4")
MEDICINE_DONE = (MedicineSession.Status.COMPLETED, MedicineSession.Status.ENDED_EARLY)


@dataclass(frozen=True)
class Entry:
    """One thing that happened (or is booked) in the program."""

    at: datetime
    kind: str
    title: str
    detail: str = ""
    url: str = ""
    muted: bool = False


@dataclass
class Round:
    title: str
    entries: list[Entry] = field(default_factory=list)


@dataclass(frozen=True)
class Progress:
    """The plan's counts, and the sentences a clinician reads them in."""

    medicine_done: int
    medicine_planned: int | None
    preparation_done: int
    preparation_needed: int
    next_appointment: Appointment | None
    lines: tuple[str, ...]


@dataclass(frozen=True)
class ProgramRecords:
    """Every clinical record of a couple's program, read once, oldest first."""

    couple: Couple
    partners: list[Partner]
    plan: TreatmentPlan | None
    protocol: ProtocolSettings
    appointments: list[Appointment]
    doses: list[DoseAdministration]
    discharges: list[Discharge]
    adverse_events: list[AdverseEvent]
    responses: list[QuestionnaireResponse]
    checkins: list[CheckIn]
    notes: list[IntegrationNote]
    alerts: list[Alert]

    def partner(self, partner_id: int) -> Partner | None:
        return next((p for p in self.partners if p.pk == partner_id), None)

    @property
    def medicine_appointments(self) -> list[Appointment]:
        """The medicine appointments that stand (held, under way or booked), in order."""
        return [
            a
            for a in self.appointments
            if a.kind == Appointment.Kind.MEDICINE and a.status in Appointment.ACTIVE_STATUSES
        ]


def program_records(couple: Couple, partners: list[Partner]) -> ProgramRecords:
    """The couple's records, one query per kind."""
    return ProgramRecords(
        couple=couple,
        partners=partners,
        plan=TreatmentPlan.objects.filter(couple=couple).select_related("approved_by").first(),
        protocol=protocol_for(couple.clinic_id),
        appointments=list(
            Appointment.objects.filter(couple=couple)
            .select_related("room", "medicine_record")
            .order_by("start")
        ),
        doses=list(
            DoseAdministration.objects.filter(medicine_session__couple=couple).order_by("given_at")
        ),
        discharges=list(
            Discharge.objects.filter(medicine_session__couple=couple).order_by("discharged_at")
        ),
        adverse_events=list(
            AdverseEvent.objects.filter(medicine_session__couple=couple).order_by("occurred_at")
        ),
        responses=list(
            QuestionnaireResponse.objects.filter(partner__couple=couple).order_by("completed_at")
        ),
        checkins=list(
            CheckIn.objects.filter(couple=couple, answered_at__isnull=False).order_by("answered_at")
        ),
        notes=list(
            IntegrationNote.objects.filter(couple=couple)
            .select_related("appointment")
            .order_by("appointment__start")
        ),
        alerts=list(Alert.objects.filter(couple=couple).order_by("raised_at")),
    )


def timeline(records: ProgramRecords) -> list[Round]:
    """The program's entries in rounds: what came before the first medicine session, then
    each medicine session with everything up to the next one (its integration, check-ins
    and the preparation for the next)."""
    medicine = records.medicine_appointments
    starts = [a.start for a in medicine]
    rounds = [Round("Assessment and preparation")] + [
        Round(_round_title(number, appointment))
        for number, appointment in enumerate(medicine, start=1)
    ]
    for entry in sorted(_entries(records), key=lambda e: (e.at, e.title)):
        rounds[bisect_right(starts, entry.at)].entries.append(entry)
    return [r for r in rounds if r.entries]


def _round_title(number: int, appointment: Appointment) -> str:
    record = getattr(appointment, "medicine_record", None)
    approach = f" · {record.get_approach_display()}" if record else ""
    return f"Medicine session {number}{approach}"


def _entries(records: ProgramRecords) -> list[Entry]:
    return [
        *map(_appointment_entry, records.appointments),
        *(_dose_entry(d, records.partner(d.partner_id)) for d in records.doses),
        *(_discharge_entry(d, records.partner(d.partner_id)) for d in records.discharges),
        *(_adverse_entry(e, records.partner(e.partner_id)) for e in records.adverse_events),
        *(_response_entry(r, records.partner(r.partner_id)) for r in records.responses),
        *(_checkin_entry(c, records.partner(c.partner_id)) for c in records.checkins),
        *map(_note_entry, records.notes),
        *map(_alert_entry, records.alerts),
    ]


def _name(partner: Partner | None) -> str:
    return partner.first_name if partner else "A partner"


def _appointment_entry(appointment: Appointment) -> Entry:
    record = getattr(appointment, "medicine_record", None)
    url, where = "", str(appointment.room)
    if record is not None:
        url = reverse("clinic_sessions:session_record", args=[record.pk])
        if record.at_home:
            url, where = reverse("athome:team_view", args=[record.pk]), "at home"
    return Entry(
        at=appointment.start,
        kind=appointment.kind,
        title=appointment.get_kind_display(),
        detail=f"{appointment.get_status_display()} · {where}",
        url=url,
        muted=appointment.status not in Appointment.ACTIVE_STATUSES,
    )


def _dose_entry(dose: DoseAdministration, partner: Partner | None) -> Entry:
    self_given = partner is not None and dose.given_by_id == partner.user_id
    return Entry(
        at=dose.given_at,
        kind="dose",
        title=f"Dose: {_name(partner)}" + (" (taken at home, self-reported)" if self_given else ""),
        detail=f"{dose.mg.normalize():f} mg {dose.get_route_display().lower()} "
        f"({dose.share_percent} % of the prescribed single dose)",
    )


def _discharge_entry(discharge: Discharge, partner: Partner | None) -> Entry:
    return Entry(
        at=discharge.discharged_at,
        kind="discharge",
        title=f"Discharged: {_name(partner)}",
        detail=f"after {discharge.monitored_minutes} min, home with {discharge.escort_name}",
    )


def _adverse_entry(event: AdverseEvent, partner: Partner | None) -> Entry:
    return Entry(
        at=event.occurred_at,
        kind="adverse_event",
        title=f"Adverse event: {_name(partner)}",
        detail=f"{event.get_kind_display()}, {event.get_severity_display().lower()}",
    )


def _response_entry(response: QuestionnaireResponse, partner: Partner | None) -> Entry:
    return Entry(
        at=response.completed_at,
        kind="questionnaire",
        title=f"{response.code}: {_name(partner)}",
        detail=f"{response.total} ({response.band})",
        url=reverse("intake:questionnaire_detail", args=[response.pk]),
    )


def _checkin_entry(checkin: CheckIn, partner: Partner | None) -> Entry:
    connection = f"connection {checkin.connection} of 10" if checkin.connection is not None else ""
    return Entry(
        at=checkin.answered_at,
        kind="checkin",
        title=f"Check-in day {checkin.day}: {_name(partner)}",
        detail=connection,
    )


def _note_entry(note: IntegrationNote) -> Entry:
    """At the integration session it is the note of (a minute after, to follow it)."""
    signed = f", signed {note.signed_at:%d %b %Y}" if note.signed_at else ""
    return Entry(
        at=note.appointment.start + timedelta(minutes=1),
        kind="note",
        title="Integration note",
        detail=f"{note.get_status_display()}{signed}",
        url=reverse("integration:note_detail", args=[note.pk]),
    )


def _alert_entry(alert: Alert) -> Entry:
    state = "resolved" if alert.resolved_at else "open"
    return Entry(
        at=alert.raised_at,
        kind="alert",
        title=f"Alert: {alert.get_kind_display()}",
        detail=f"{alert.get_urgency_display()}, {state}",
        muted=alert.resolved_at is not None,
    )


def progress(records: ProgramRecords, *, now: datetime | None = None) -> Progress:
    """Where the couple stands: medicine sessions held of those planned, preparation done
    for the next one, the integration after the last, and the next appointment."""
    now = now or timezone.now()
    zone = records.couple.clinic.zone
    held = [a for a in records.medicine_appointments if _medicine_held(a)]
    last_held = held[-1] if held else None
    since_last = [a for a in records.appointments if not last_held or a.start > last_held.start]
    preparation_done = sum(
        1
        for a in since_last
        if a.kind == Appointment.Kind.PREPARATION and a.status == Appointment.Status.COMPLETED
    )
    preparation_booked = sum(
        1
        for a in since_last
        if a.kind == Appointment.Kind.PREPARATION and a.status in Appointment.UPCOMING_STATUSES
    )
    upcoming = [
        a
        for a in records.appointments
        if a.start >= now and a.status in Appointment.UPCOMING_STATUSES
    ]
    planned = records.plan.planned_medicine_sessions if records.plan else None
    needed = records.protocol.preparation_sessions
    lines = [
        _medicine_line(len(held), planned, records.medicine_appointments),
        f"Preparation {min(preparation_done, needed)} of {needed} done"
        + (f", {preparation_booked} booked," if preparation_booked else "")
        + f" before medicine session {len(held) + 1}",
    ]
    if last_held is not None:
        lines.append(_integration_line(last_held, since_last, len(held), zone))
    if upcoming:
        lines.append(f"Next: {upcoming[0].get_kind_display()} {_when(upcoming[0].start, zone)}")
    return Progress(
        medicine_done=len(held),
        medicine_planned=planned,
        preparation_done=preparation_done,
        preparation_needed=needed,
        next_appointment=upcoming[0] if upcoming else None,
        lines=tuple(lines),
    )


def _medicine_held(appointment: Appointment) -> bool:
    record = getattr(appointment, "medicine_record", None)
    if record is not None:
        return record.status in MEDICINE_DONE
    return appointment.status == Appointment.Status.COMPLETED


def _medicine_line(held: int, planned: int | None, medicine: list[Appointment]) -> str:
    of = f" of {planned}" if planned else ""
    under_way = next(
        (
            number
            for number, a in enumerate(medicine, start=1)
            if getattr(a, "medicine_record", None)
            and a.medicine_record.status == MedicineSession.Status.IN_PROGRESS
        ),
        None,
    )
    if under_way:
        return f"Medicine session {under_way}{of} under way"
    return f"Medicine sessions held: {held}{of}"


def _integration_line(last_held: Appointment, since: list[Appointment], number: int, zone) -> str:
    integration = [a for a in since if a.kind == Appointment.Kind.INTEGRATION]
    held = [a for a in integration if a.status == Appointment.Status.COMPLETED]
    if held:
        return f"Integration after medicine session {number} held {_when(held[0].start, zone)}"
    booked = [a for a in integration if a.status in Appointment.UPCOMING_STATUSES]
    if booked:
        return f"Integration after medicine session {number} booked {_when(booked[0].start, zone)}"
    return f"No integration session booked after medicine session {number}"


def _when(moment: datetime, zone) -> str:
    return f"{timezone.localtime(moment, zone):%a %d %b %H:%M}"


def latest_scores(records: ProgramRecords) -> dict[int, list[tuple[str, QuestionnaireResponse]]]:
    """Each partner's latest scored questionnaire per instrument, in instrument order."""
    latest: dict[tuple[int, str], QuestionnaireResponse] = {}
    for response in records.responses:
        if response.code in SCORED_CODES:
            latest[(response.partner_id, response.code)] = response
    return {
        p.pk: [(code, latest[(p.pk, code)]) for code in SCORED_CODES if (p.pk, code) in latest]
        for p in records.partners
    }
