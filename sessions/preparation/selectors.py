"""Reads for the preparation pages and the portal, scoped to couple-shared data.

Every partner-facing sheet here holds couple-shared things only (DESIGN §2): the approved
plan's agenda, the couple's own agenda, the checklist and who ticked it. A ride-home
confirmation's person and phone are shown to the partner who wrote them and to the
care team; the other partner sees only whether it is confirmed.
"""

import datetime
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext as _

from intake.models import Couple, CoupleIntentions, Partner
from kapcouples import policy
from kapcouples.models import User
from kapcouples.prepared import PreparedRows
from sessions.models import Appointment, Approach, MedicineSession, SupportRole, TreatmentPlan
from sessions.preparation.models import ChecklistTick, CoupleAgendaItem, RideHomeConfirmation
from sessions.protocol import protocol_for

# "Next step" reminders look this far ahead.
PENDING_WITHIN = datetime.timedelta(days=7)
# The couple page lists at most this many upcoming medicine sessions.
UPCOMING_LIMIT = 3


def approved_plan(couple: Couple) -> TreatmentPlan | None:
    """The plan as a prescriber last approved it: while the care team revises an approved
    plan (back in draft), the couple keeps seeing the approved text, never the draft."""
    plan = TreatmentPlan.objects.filter(couple=couple).first()
    if plan is None or plan.status == TreatmentPlan.Status.ACTIVE:
        return plan
    if plan.status != TreatmentPlan.Status.DRAFT:
        return None
    approved = plan.history.filter(status=TreatmentPlan.Status.ACTIVE).order_by("-history_id")
    last = approved.first()
    return last.instance if last is not None else None


def upcoming_sessions(couple: Couple, now: datetime.datetime, *, until=None) -> list:
    """The couple's booked medicine sessions still ahead, soonest first."""
    if until is None:
        return _UPCOMING.rows("all", couple_id=couple.pk, now=now)
    return _UPCOMING.rows("until", couple_id=couple.pk, now=now, until=until)


def _upcoming(shape, *, couple_id, now, until=None):
    found = MedicineSession.objects.filter(
        couple_id=couple_id,
        status=MedicineSession.Status.PLANNED,
        appointment__status=Appointment.Status.BOOKED,
        appointment__start__gt=now,
    )
    if shape == "until":
        found = found.filter(appointment__start__lte=until)
    return (
        found.select_related("appointment__room", "couple__clinic")
        .prefetch_related("couple__partners")
        .order_by("appointment__start")[:UPCOMING_LIMIT]
    )


# On the portal and the preparation pages: its SQL built once per process
# (kapcouples.prepared).
_UPCOMING = PreparedRows(_upcoming)


@dataclass
class ChecklistRow:
    item: str
    tick: ChecklistTick | None

    @property
    def done(self) -> bool:
        return self.tick is not None and self.tick.done


@dataclass
class RideHomeRow:
    partner: Partner
    confirmation: RideHomeConfirmation | None
    show_details: bool  # the person and phone: the partner themselves and the care team
    is_me: bool


@dataclass
class AgendaRow:
    item: CoupleAgendaItem
    may_withdraw: bool  # the reader added it and it is not withdrawn yet


@dataclass
class SessionPreparation:
    """One upcoming medicine session's checklist and ride-home confirmations."""

    session: MedicineSession
    checklist: list[ChecklistRow]
    rides: list[RideHomeRow]
    may_prepare: bool  # this user is a partner of the couple and the session is ahead

    @property
    def checklist_done(self) -> int:
        return sum(row.done for row in self.checklist)

    @property
    def checklist_complete(self) -> bool:
        return self.checklist_done == len(self.checklist)

    @property
    def my_ride(self) -> RideHomeRow | None:
        return next((row for row in self.rides if row.is_me), None)


def session_preparation(
    session: MedicineSession, user: User, now: datetime.datetime, *, items: list[str]
) -> SessionPreparation:
    from sessions.preparation.services import session_closed_reason

    ticks = {t.item: t for t in session.checklist_ticks.select_related("partner")}
    confirmed = {c.partner_id: c for c in session.ride_home_confirmations.all()}
    may_prepare = policy.can_prepare_together(user, session.couple)
    care = policy.can_view_clinical(user, session.couple) if not may_prepare else False
    rides = [
        RideHomeRow(
            partner=partner,
            confirmation=confirmed.get(partner.pk),
            show_details=care or partner.user_id == user.pk,
            is_me=partner.user_id == user.pk,
        )
        for partner in session.dosing_partners()
    ]
    return SessionPreparation(
        session=session,
        checklist=[ChecklistRow(item, ticks.get(item)) for item in items],
        rides=rides,
        may_prepare=may_prepare and not session_closed_reason(session, now),
    )


@dataclass
class PreparationSheet:
    """The couple's preparation page: shared intentions, the approved plan's agenda and
    approach, the couple's own agenda items, and each upcoming session's preparation."""

    couple: Couple
    intentions: CoupleIntentions | None
    plan: TreatmentPlan | None
    agenda_items: list[AgendaRow]
    sessions: list[SessionPreparation]
    may_prepare: bool
    partners: list[Partner] = field(default_factory=list)

    @property
    def extended(self) -> bool:
        return self.plan is not None and self.plan.approach == Approach.EXTENDED

    @property
    def solo(self) -> bool:
        return self.plan is not None and self.plan.approach == Approach.SOLO

    @property
    def dual(self) -> bool:
        return self.plan is not None and self.plan.approach in (
            Approach.DUAL_FULL,
            Approach.DUAL_HALF,
        )

    @property
    def half_dose(self) -> bool:
        return self.plan is not None and self.plan.approach == Approach.DUAL_HALF

    @property
    def has_sitter(self) -> bool:
        return self.solo and self.plan.support_role == SupportRole.SITTER

    @property
    def dosing_name(self) -> str:
        partner = next((p for p in self.partners if p.pk == self.plan.dosing_partner_id), None)
        return partner.first_name if partner else ""


def preparation_sheet(couple: Couple, user: User, now: datetime.datetime) -> PreparationSheet:
    plan = approved_plan(couple)
    items = protocol_for(couple.clinic_id).checklist_items
    agenda = (
        CoupleAgendaItem.objects.filter(couple=couple).select_related("partner")
        if plan is not None and plan.approach == Approach.EXTENDED
        else []
    )
    return PreparationSheet(
        couple=couple,
        intentions=CoupleIntentions.objects.filter(couple=couple).first(),
        plan=plan,
        agenda_items=[
            AgendaRow(item, item.withdrawn_at is None and item.partner.user_id == user.pk)
            for item in agenda
        ],
        sessions=[
            session_preparation(s, user, now, items=items) for s in upcoming_sessions(couple, now)
        ],
        may_prepare=policy.can_prepare_together(user, couple),
        partners=list(couple.partners.all()),
    )


# --- The portal's "next step" ------------------------------------------------------------------
@dataclass(frozen=True)
class PendingStep:
    """One thing a partner still has to do before a medicine session in the next days."""

    kind: str  # "checklist" or "ride_home"
    session: MedicineSession
    starts_at: datetime.datetime
    text: str
    url: str


def pending_preparation(partner: Partner, now: datetime.datetime) -> list[PendingStep]:
    """What `partner` still has to do for their couple's medicine sessions of the next 7
    days: the setting checklist not complete, and their own ride home not confirmed when
    they will dose. Soonest session first; empty when everything is done."""
    items = protocol_for(partner.couple.clinic_id).checklist_items
    steps = []
    for session in upcoming_sessions(partner.couple, now, until=now + PENDING_WITHIN):
        url = reverse("clinic_sessions:preparation_session", kwargs={"session_id": session.pk})
        starts_at = session.appointment.start
        done = set(session.checklist_ticks.filter(done=True).values_list("item", flat=True))
        if set(items) - done:
            text = _("Tick the setting checklist for your medicine session.")
            steps.append(PendingStep("checklist", session, starts_at, text, url))
        doses = partner in session.dosing_partners()
        if doses and not session.ride_home_confirmations.filter(partner=partner).exists():
            text = _("Confirm that you will not drive and who takes you home.")
            steps.append(PendingStep("ride_home", session, starts_at, text, url))
    return steps
