"""What the partner's portal reads: one snapshot per request, from which the next step,
the due list, the appointments and the history are drawn."""

import zoneinfo
from dataclasses import dataclass, field
from datetime import datetime

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from athome.selectors import home_session_for_partner
from intake.models import Consent, IntakeForm, Partner
from intake.readiness import ScreeningFacts
from integration import due, reflection
from integration.models import CheckIn, SharedReflection
from integration.outbox import messaging_settings_for
from kapcouples.prepared import PreparedRows
from sessions.models import Appointment
from sessions.preparation.selectors import PendingStep, pending_preparation
from waitlist import selectors as waitlist_selectors
from waitlist.models import OfferRecipient

UPCOMING_MOST = 20
HISTORY_MOST = 20

KIND_WORDS = {
    Appointment.Kind.ASSESSMENT: _("Assessment"),
    Appointment.Kind.PREPARATION: _("Preparation session"),
    Appointment.Kind.MEDICINE: _("Medicine session"),
    Appointment.Kind.INTEGRATION: _("Integration session"),
    Appointment.Kind.OTHER: _("Appointment"),
}
STATUS_WORDS = {
    Appointment.Status.BOOKED: _("Booked"),
    Appointment.Status.CHECKED_IN: _("Checked in"),
    Appointment.Status.COMPLETED: _("Held"),
    Appointment.Status.CANCELLED: _("Cancelled"),
    Appointment.Status.NO_SHOW: _("Missed"),
}


@dataclass(frozen=True)
class AppointmentRow:
    """One of the couple's appointments as the partner sees it (couple-shared)."""

    pk: int
    kind: str
    kind_label: str
    start: datetime
    end: datetime
    room: str
    status_label: str
    ics_link: str

    @property
    def is_medicine(self) -> bool:
        return self.kind == Appointment.Kind.MEDICINE


@dataclass(frozen=True)
class Snapshot:
    """Everything the portal decides from, read once. Add a field (and its read in
    `portal_snapshot`) when a new next-step provider needs one."""

    partner: Partner
    now: datetime
    zone: zoneinfo.ZoneInfo
    due: list[due.DueItem]
    upcoming: list[AppointmentRow]
    # Read only when a medicine session is among the upcoming appointments:
    preparation_lines: list[str] = field(default_factory=list)
    ride_home: str = ""  # who the partner's intake names as taking them home
    # The partner's screening rows, read once for the page (due list, history, scores).
    screening: ScreeningFacts | None = None
    # Before a medicine session of the next days: checklist to tick, ride home to confirm.
    preparation: list[PendingStep] = field(default_factory=list)
    # The couple's latest shared reflection, and whether it waits for this partner's part.
    reflection: SharedReflection | None = None
    reflection_invited: bool = False
    # An at-home medicine session about to start or under way: (session, "dosing" | "chaperone").
    home_session: tuple | None = None
    # Cancelled times offered to the couple from the waitlist, still open, soonest first.
    offers: list[OfferRecipient] = field(default_factory=list)


def portal_snapshot(partner: Partner, *, now: datetime) -> Snapshot:
    """The signed-in partner's snapshot at `now` (only their own and couple-shared rows)."""
    upcoming = upcoming_appointments(partner, now=now)
    medicine = any(row.is_medicine for row in upcoming)
    screening = ScreeningFacts([partner])
    latest_reflection, reflection_invited = reflection.portal_reflection(partner, now)
    return Snapshot(
        partner=partner,
        now=now,
        zone=zoneinfo.ZoneInfo(partner.timezone),
        due=due.items_due(partner, now=now, facts=screening),
        upcoming=upcoming,
        preparation_lines=_preparation_lines(partner) if medicine else [],
        ride_home=_ride_home(partner, screening) if medicine else "",
        screening=screening,
        preparation=pending_preparation(partner, now) if medicine else [],
        reflection=latest_reflection,
        reflection_invited=reflection_invited,
        home_session=home_session_for_partner(partner, now),
        offers=waitlist_selectors.open_offers_for(partner, now=now),
    )


def _row(appointment: Appointment) -> AppointmentRow:
    return AppointmentRow(
        pk=appointment.pk,
        kind=appointment.kind,
        kind_label=str(KIND_WORDS.get(appointment.kind, appointment.get_kind_display())),
        start=appointment.start,
        end=appointment.end,
        room=appointment.room.name,
        status_label=str(STATUS_WORDS.get(appointment.status, appointment.get_status_display())),
        ics_link=reverse(
            "clinic_sessions:appointment_ics", kwargs={"appointment_id": appointment.pk}
        ),
    )


def upcoming_appointments(partner: Partner, *, now: datetime) -> list[AppointmentRow]:
    """The couple's appointments not yet over and not called off, soonest first."""
    found = _UPCOMING.rows(None, couple_id=partner.couple_id, now=now)
    return [_row(appointment) for appointment in found]


# On every portal page: its SQL built once per process (kapcouples.prepared).
_UPCOMING = PreparedRows(
    lambda _shape, couple_id, now: (
        Appointment.objects.filter(
            couple_id=couple_id,
            end__gte=now,
            status__in=[Appointment.Status.BOOKED, Appointment.Status.CHECKED_IN],
        )
        .select_related("room")
        .order_by("start")[:UPCOMING_MOST]
    )
)


def past_appointments(partner: Partner, *, now: datetime) -> list[AppointmentRow]:
    """The couple's appointments that are over or were called off, latest first."""
    found = (
        Appointment.objects.filter(couple_id=partner.couple_id, start__lt=now)
        .exclude(
            end__gte=now, status__in=[Appointment.Status.BOOKED, Appointment.Status.CHECKED_IN]
        )
        .select_related("room")
        .order_by("-start")[:HISTORY_MOST]
    )
    return [_row(appointment) for appointment in found]


def _preparation_lines(partner: Partner) -> list[str]:
    guidance = messaging_settings_for(partner.couple.clinic_id).preparation_guidance
    return [line.strip() for line in guidance.splitlines() if line.strip()]


def _ride_home(partner: Partner, screening: ScreeningFacts) -> str:
    intake = screening.submitted_intake(partner)
    transport = intake.answers.get("transport", {}) if intake else {}
    return transport.get("driver_name", "")


# --- What the partner sent, and when ----------------------------------------------------------
@dataclass(frozen=True)
class Submission:
    at: datetime
    label: str
    link: str = ""


def submissions_of(partner: Partner, screening: ScreeningFacts) -> list[Submission]:
    """What this partner sent the clinic, latest first: intake versions, questionnaires,
    consent signatures and check-ins (their own only, never the other partner's).
    `screening`: the page's facts of this partner (their questionnaires are read there)."""
    found = [*_intakes(partner), *_questionnaires(partner, screening), *_consents(partner)]
    found += _checkins(partner)
    return sorted(found, key=lambda s: s.at, reverse=True)[:HISTORY_MOST]


def _intakes(partner: Partner) -> list[Submission]:
    forms = IntakeForm.objects.filter(partner=partner, submitted_at__isnull=False)
    return [
        Submission(
            at=form.submitted_at,
            label=str(_("Intake form, version %(version)s") % {"version": form.version}),
            link=reverse("intake:intake_version", kwargs={"intake_id": form.pk}),
        )
        for form in forms.only("pk", "version", "submitted_at").order_by("-submitted_at")[
            :HISTORY_MOST
        ]
    ]


def _questionnaires(partner: Partner, screening: ScreeningFacts) -> list[Submission]:
    responses = screening.responses(partner)[::-1][:HISTORY_MOST]
    return [
        Submission(
            at=r.completed_at,
            label=str(_("Answered the %(code)s questionnaire") % {"code": r.code}),
        )
        for r in responses
    ]


def _consents(partner: Partner) -> list[Submission]:
    signed = Consent.objects.filter(partner=partner).select_related("consent_text")
    return [
        Submission(
            at=c.signed_at,
            label=str(
                _("Consent signed (version %(version)s)") % {"version": c.consent_text.version}
            ),
        )
        for c in signed.order_by("-signed_at")[:HISTORY_MOST]
    ]


def _checkins(partner: Partner) -> list[Submission]:
    answered = CheckIn.objects.filter(partner=partner, answered_at__isnull=False)
    return [
        Submission(
            at=c.answered_at,
            label=str(_("Day %(day)s check-in") % {"day": c.day}),
            link=reverse("integration:checkin_answer", kwargs={"checkin_id": c.pk}),
        )
        for c in answered.only("pk", "day", "answered_at").order_by("-answered_at")[:HISTORY_MOST]
    ]
