"""The treatment summary: a couple's program for referrals and records (plan, medicine
sessions with doses and vitals, adverse events, scores over time, integration notes)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Max, Min

from intake.models import Partner
from sessions.models import (
    AdverseEvent,
    Appointment,
    Discharge,
    DoseAdministration,
    MedicineSession,
    VitalSigns,
)
from workspace.chart import ProgramRecords


@dataclass(frozen=True)
class VitalsSummary:
    readings: int
    highest_systolic: int
    highest_diastolic: int
    lowest_spo2: int | None


@dataclass(frozen=True)
class PartnerInSession:
    partner: Partner
    doses: list[DoseAdministration]
    vitals: VitalsSummary | None
    discharge: Discharge | None


@dataclass(frozen=True)
class SessionSummary:
    number: int
    appointment: Appointment
    record: MedicineSession | None
    partners: list[PartnerInSession]
    adverse_events: list[AdverseEvent]

    @property
    def started(self) -> datetime:
        return (
            self.record.started_at
            if self.record and self.record.started_at
            else (self.appointment.start)
        )


def vitals_by_session(records: ProgramRecords) -> dict[tuple[int, int], VitalsSummary]:
    """Each partner's readings in each medicine session, summed up in one query."""
    rows = (
        VitalSigns.objects.filter(medicine_session__couple=records.couple)
        .values("medicine_session_id", "partner_id")
        .annotate(
            readings=Count("id"),
            highest_systolic=Max("systolic"),
            highest_diastolic=Max("diastolic"),
            lowest_spo2=Min("spo2"),
        )
        .order_by()
    )
    return {
        (row["medicine_session_id"], row["partner_id"]): VitalsSummary(
            readings=row["readings"],
            highest_systolic=row["highest_systolic"],
            highest_diastolic=row["highest_diastolic"],
            lowest_spo2=row["lowest_spo2"],
        )
        for row in rows
    }


def medicine_sessions(records: ProgramRecords) -> list[SessionSummary]:
    """Every medicine session that was started, in order, with what each partner had."""
    vitals = vitals_by_session(records)
    started = [
        a
        for a in records.medicine_appointments
        if getattr(a, "medicine_record", None) and a.medicine_record.started_at
    ]
    return [
        _session_summary(number, appointment, records, vitals)
        for number, appointment in enumerate(started, start=1)
    ]


def _session_summary(number, appointment, records, vitals) -> SessionSummary:
    session = appointment.medicine_record
    return SessionSummary(
        number=number,
        appointment=appointment,
        record=session,
        partners=[
            PartnerInSession(
                partner=partner,
                doses=[
                    d
                    for d in records.doses
                    if d.medicine_session_id == session.pk and d.partner_id == partner.pk
                ],
                vitals=vitals.get((session.pk, partner.pk)),
                discharge=next(
                    (
                        d
                        for d in records.discharges
                        if d.medicine_session_id == session.pk and d.partner_id == partner.pk
                    ),
                    None,
                ),
            )
            for partner in records.partners
        ],
        adverse_events=[e for e in records.adverse_events if e.medicine_session_id == session.pk],
    )


def score_rows(records: ProgramRecords, codes: tuple[str, ...]) -> list:
    """Every scored questionnaire, oldest first, for the scores table."""
    return [
        (response, records.partner(response.partner_id))
        for response in records.responses
        if response.code in codes
    ]
