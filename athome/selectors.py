"""What the at-home pages show, read from the same rules the services apply."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from athome.models import ChaperoneCheck, HomeChaperone
from athome.services import check_not_open
from intake.models import Partner, ScreeningSettings
from integration.models import Reminder
from kapcouples.prepared import PreparedRows
from sessions import medicine, rules
from sessions.models import Appointment, MedicineSession, Setting, VitalSigns
from sessions.protocol import protocol_for

# The portal offers an at-home session from this long before its start until it ends.
OFFER_BEFORE = datetime.timedelta(hours=2)


@dataclass
class CheckRow:
    check: ChaperoneCheck
    not_open: str  # why it cannot be reported yet (empty: it can, unless done and well)

    @property
    def may_report(self) -> bool:
        return not self.not_open and not self.check.all_well


@dataclass
class HomeSheet:
    """One at-home session as the dosing partner or the chaperone sees it at `now`."""

    session: MedicineSession
    role: str  # "dosing" or "chaperone"
    chaperone: HomeChaperone | None
    clinic_phone: str
    ended: bool
    checks: list[CheckRow] = field(default_factory=list)
    # The dosing partner's side only (never shown to the chaperone):
    readings: list[VitalSigns] = field(default_factory=list)
    hold: VitalSigns | None = None
    dose_blockers: list[str] = field(default_factory=list)
    doses: list = field(default_factory=list)
    remaining_mg: Decimal | None = None

    @property
    def presence_done(self) -> bool:
        return any(
            r.check.kind == ChaperoneCheck.Kind.PRESENCE and r.check.is_done for r in self.checks
        )

    @property
    def may_measure(self) -> bool:
        return self.role == "dosing" and not self.ended

    @property
    def may_dose(self) -> bool:
        return (
            self.role == "dosing" and not self.ended and not self.doses and not self.dose_blockers
        )

    @property
    def next_check(self) -> CheckRow | None:
        return next((row for row in self.checks if not row.check.all_well), None)


def checks_of(session: MedicineSession, now: datetime.datetime) -> list[CheckRow]:
    checks = list(session.chaperone_checks.all())
    forty_done = any(c.kind == ChaperoneCheck.Kind.CHECK_40 and c.is_done for c in checks)
    zone = session.couple.clinic.zone
    return [CheckRow(c, check_not_open(c, now, zone, forty_done=forty_done)) for c in checks]


def home_sheet(session: MedicineSession, role: str, now: datetime.datetime) -> HomeSheet:
    ended = session.status in (MedicineSession.Status.COMPLETED, MedicineSession.Status.ENDED_EARLY)
    phone = ScreeningSettings.objects.filter(clinic_id=session.couple.clinic_id).first()
    sheet = HomeSheet(
        session=session,
        role=role,
        chaperone=HomeChaperone.objects.filter(medicine_session=session).first(),
        clinic_phone=phone.clinic_phone if phone else "",
        ended=ended,
        checks=checks_of(session, now),
    )
    if role == "dosing":
        _fill_dosing_side(sheet, now)
    return sheet


def _fill_dosing_side(sheet: HomeSheet, now: datetime.datetime) -> None:
    session = sheet.session
    partner = session.dosing_partner or session.dosing_partners()[0]
    record = medicine.partner_record(session, partner)
    protocol = protocol_for(session.couple.clinic_id)
    sheet.readings, sheet.doses = record.readings, record.doses
    sheet.hold = rules.hold_in_force(record, protocol, now)
    if not sheet.presence_done:
        sheet.dose_blockers.append(
            _("Your chaperone confirms on their phone that they are with you.")
        )
    if session.status == MedicineSession.Status.PLANNED:
        sheet.dose_blockers.append(_("Measure your blood pressure first."))
        return
    plan = medicine.current_plan(session)
    sheet.dose_blockers += medicine.dose_blockers(session, partner, now, plan=plan, record=record)
    sheet.remaining_mg = _remaining(session, partner, plan, record, now)


def _remaining(session, partner, plan, record, now) -> Decimal | None:
    from intake import readiness as screening

    day = now.astimezone(session.couple.clinic.zone).date()
    prescription = screening.ScreeningFacts([partner]).prescription(
        partner, on=day, route=session.route
    )
    capped = medicine.dose_cap_with(session, partner, plan, prescription)
    if capped is None:
        return None
    given = sum((d.mg for d in record.doses), Decimal("0"))
    return max(capped[0] - given, Decimal("0"))


# --- Finding the partner's at-home session --------------------------------------------------
def home_session_for_partner(partner: Partner, now: datetime.datetime):
    """(session, role) of the partner's at-home session about to start or under way, where
    they dose or are the chaperone; None when there is none."""
    found = _HOME_SESSION.rows(
        None,
        couple_id=partner.couple_id,
        starts_by=now + OFFER_BEFORE,
        ended_after=now - datetime.timedelta(hours=6),
    )
    if not found:
        return None
    session = found[0]
    if session.role_of(partner) == "dosing":
        return session, "dosing"
    chaperone = getattr(session, "home_chaperone", None)
    if chaperone is not None and chaperone.partner_id == partner.pk:
        return session, "chaperone"
    return None


# On every portal page: its SQL built once per process (kapcouples.prepared).
_HOME_SESSION = PreparedRows(
    lambda _shape, couple_id, starts_by, ended_after: (
        MedicineSession.objects.filter(
            couple_id=couple_id,
            setting=Setting.AT_HOME,
            status__in=[MedicineSession.Status.PLANNED, MedicineSession.Status.IN_PROGRESS],
            appointment__start__lte=starts_by,
            appointment__end__gte=ended_after,
        )
        .filter(appointment__status__in=[Appointment.Status.BOOKED, Appointment.Status.CHECKED_IN])
        .select_related("appointment", "couple__clinic", "home_chaperone")
        .order_by("appointment__start")[:1]
    )
)


# --- The care team's view -----------------------------------------------------------------
@dataclass
class TeamRow:
    at: datetime.datetime
    what: str
    who: str
    concern: bool = False


def team_rows(session: MedicineSession) -> list[TeamRow]:
    """Everything self-reported at home, oldest first, each saying who reported it."""
    partners = {p.user_id: p for p in session.couple.partners.all()}
    rows = [_reading_row(r, partners) for r in session.vitals.select_related("recorded_by")]
    rows += [
        TeamRow(d.given_at, f"Took {d.mg.normalize():f} mg", _who(d.given_by, partners, "Taken"))
        for d in session.doses.select_related("given_by")
    ]
    rows += [
        _check_row(c)
        for c in session.chaperone_checks.filter(done_at__isnull=False).select_related(
            "reported_by_user", "reported_by_chaperone"
        )
    ]
    return sorted(rows, key=lambda row: row.at)


def _who(user, partners: dict, verb: str) -> str:
    partner = partners.get(user.pk)
    if partner is not None:
        return f"{verb} by {partner.first_name} (self-reported)"
    return f"{verb} by {user}"


def _reading_row(reading: VitalSigns, partners: dict) -> TeamRow:
    return TeamRow(
        reading.taken_at,
        f"{reading.systolic}/{reading.diastolic}, pulse {reading.heart_rate}, "
        f"SpO₂ {reading.spo2} % ({reading.get_level_display().split(':')[0].lower()})",
        _who(reading.recorded_by, partners, "Self-measured"),
        concern=reading.level != VitalSigns.Level.NORMAL,
    )


def _check_row(check: ChaperoneCheck) -> TeamRow:
    if check.reported_by_chaperone_id:
        who = f"Reported by {check.reported_by_chaperone.name} (chaperone's link)"
    else:
        who = f"Reported by {check.reported_by_user} (chaperone, signed in)"
    what = check.get_kind_display()
    if check.kind != ChaperoneCheck.Kind.PRESENCE:
        what += ": " + ("all well" if check.all_well else "concern reported")
    return TeamRow(check.done_at, what, who, concern=not check.all_well)


def link_message(chaperone: HomeChaperone | None) -> Reminder | None:
    """The latest message carrying the named adult's link (cancelled ones left out)."""
    if chaperone is None or chaperone.is_partner:
        return None
    return (
        Reminder.objects.filter(chaperone=chaperone, kind=Reminder.Kind.CHAPERONE_LINK)
        .exclude(status=Reminder.Status.CANCELLED)
        .order_by("-created_at", "-pk")
        .first()
    )
