"""The medicine-session rules of DESIGN §4 as plain functions over one partner's record.

The services in `sessions.medicine` call these before writing, and the session record
page reads the same answers through `sessions.selectors.session_sheet`, so what the
page offers and what the service allows cannot drift apart. Each function takes what
it judges (readings, doses, the protocol) and the moment `at`: a rule holds at the
moment of the act, not at the moment the page was drawn.
"""

import datetime
import re
import unicodedata
from dataclasses import dataclass

from sessions.models import (
    DOSE_SHARE_PERCENT,
    Approach,
    DoseAdministration,
    MedicineSession,
    ProtocolSettings,
    Setting,
    TreatmentPlan,
    VitalSigns,
)


@dataclass
class PartnerRecord:
    """One partner's readings, doses and discharge in one session, oldest first."""

    readings: list[VitalSigns]
    doses: list[DoseAdministration]
    discharged_at: datetime.datetime | None

    def readings_until(self, at: datetime.datetime) -> list[VitalSigns]:
        return [r for r in self.readings if r.taken_at <= at]

    def latest_reading(self, at: datetime.datetime) -> VitalSigns | None:
        readings = self.readings_until(at)
        return readings[-1] if readings else None

    @property
    def last_dose(self) -> DoseAdministration | None:
        return max(self.doses, key=lambda d: d.given_at) if self.doses else None


def _hhmm(moment: datetime.datetime, zone) -> str:
    return f"{moment.astimezone(zone):%H:%M}"


# --- Readings ---------------------------------------------------------------------------
def floor_concerns(reading: VitalSigns, protocol: ProtocolSettings) -> list[str]:
    """What on this reading is under the clinical floor: sedation, breathing, SpO₂."""
    concerns = []
    if reading.sedation:
        concerns.append("sedation")
    if reading.respiratory_depression:
        concerns.append("respiratory depression")
    if reading.spo2 < protocol.spo2_floor:
        concerns.append(f"SpO₂ {reading.spo2} % (under {protocol.spo2_floor} %)")
    return concerns


def needs_sign_off(reading: VitalSigns, protocol: ProtocolSettings) -> bool:
    """A caution or hold level, or a floor concern: a prescriber may acknowledge it."""
    return reading.level != VitalSigns.Level.NORMAL or bool(floor_concerns(reading, protocol))


def hold_in_force(
    record: PartnerRecord, protocol: ProtocolSettings, at: datetime.datetime
) -> VitalSigns | None:
    """The hold reading still in force at `at`, if any.

    A hold stays in force until a prescriber overrides it (or a later hold) with a reason,
    or a reading under the caution level is taken at least `hold_repeat_minutes` after
    it: a lower reading a second later clears nothing.
    """
    readings = record.readings_until(at)
    repeat = datetime.timedelta(minutes=protocol.hold_repeat_minutes)
    for index, reading in enumerate(readings):
        if reading.level != VitalSigns.Level.HOLD:
            continue
        later = readings[index:]
        overridden = any(r.level == VitalSigns.Level.HOLD and r.acknowledged_by_id for r in later)
        repeated = any(
            r.level == VitalSigns.Level.NORMAL and r.taken_at >= reading.taken_at + repeat
            for r in later
        )
        if not (overridden or repeated):
            return reading
    return None


def reading_blockers(
    name: str,
    record: PartnerRecord,
    protocol: ProtocolSettings,
    at: datetime.datetime,
    zone,
    *,
    signed_off_hold: bool = False,
    for_discharge: bool = False,
) -> list[str]:
    """What the partner's readings forbid at `at` (for a dose, and for discharge, where a
    caution level needs no acknowledgement)."""
    problems = []
    hold = hold_in_force(record, protocol, at)
    if hold is not None and not signed_off_hold:
        clears_at = hold.taken_at + datetime.timedelta(minutes=protocol.hold_repeat_minutes)
        problems.append(
            f"{name}'s blood pressure {hold.systolic}/{hold.diastolic} at "
            f"{_hhmm(hold.taken_at, zone)} is at the hold level: it holds until a prescriber "
            f"overrides it with a reason, or a reading under {protocol.caution_systolic}/"
            f"{protocol.caution_diastolic} is taken from {_hhmm(clears_at, zone)} on."
        )
    latest = record.latest_reading(at)
    if latest is None:
        return problems
    caution = latest.level == VitalSigns.Level.CAUTION and not for_discharge
    if caution and not latest.acknowledged_by_id:
        problems.append(
            f"{name}'s latest blood pressure {latest.systolic}/{latest.diastolic} is at the "
            "caution level: a prescriber must acknowledge it first."
        )
    concerns = floor_concerns(latest, protocol)
    if concerns and not latest.acknowledged_by_id:
        problems.append(
            f"{name}'s latest reading at {_hhmm(latest.taken_at, zone)} shows "
            f"{', '.join(concerns)}: wait for a later clear reading, or a prescriber signs it off."
        )
    return problems


def fresh_reading(
    record: PartnerRecord, protocol: ProtocolSettings, at: datetime.datetime
) -> VitalSigns | None:
    """The latest reading taken within `reading_valid_minutes` before `at`."""
    latest = record.latest_reading(at)
    valid = datetime.timedelta(minutes=protocol.reading_valid_minutes)
    if latest is not None and latest.taken_at >= at - valid:
        return latest
    return None


# --- Doses ----------------------------------------------------------------------------------
def plan_share_percent(plan: TreatmentPlan | None, partner_id: int) -> int:
    """The share of their prescribed dose the approved plan allows this partner (0: none)."""
    if plan is None or not plan.is_approved:
        return 0
    if plan.approach == Approach.SOLO and plan.dosing_partner_id != partner_id:
        return 0
    return DOSE_SHARE_PERCENT[plan.approach]


def effective_share_percent(
    session: MedicineSession, plan: TreatmentPlan | None, partner_id: int
) -> int:
    """The session's share, lowered to the plan's when the plan was lowered after booking."""
    return min(session.share_percent, plan_share_percent(plan, partner_id))


def dose_reading_blockers(
    name: str,
    record: PartnerRecord,
    protocol: ProtocolSettings,
    at: datetime.datetime,
    zone,
) -> list[str]:
    """Discharge, a fresh reading, and the reading rules, for a dose at `at`."""
    if record.discharged_at is not None and record.discharged_at <= at:
        return [
            f"{name} was discharged at {_hhmm(record.discharged_at, zone)}: no dose after "
            "discharge."
        ]
    if fresh_reading(record, protocol, at) is None:
        return [
            f"Take {name}'s vitals first: each dose needs a reading from the last "
            f"{protocol.reading_valid_minutes} minutes."
        ]
    return reading_blockers(name, record, protocol, at, zone)


# --- At home ---------------------------------------------------------------------------------
def home_setting_problems(
    plan: TreatmentPlan | None, protocol: ProtocolSettings, *, approved_by_prescriber: bool
) -> list[str]:
    """Why a session may not be at home now (empty: it may). Asked when it starts and at
    each dose: the clinic may withdraw at-home sessions, a plan may go back to draft."""
    problems = []
    if not protocol.allows_at_home:
        problems.append(
            "The clinic does not allow at-home medicine sessions now: this session must be "
            "held in the clinic."
        )
    plan_says_home = (
        plan is not None
        and plan.status == TreatmentPlan.Status.ACTIVE
        and plan.setting == Setting.AT_HOME
    )
    if not (plan_says_home and approved_by_prescriber):
        problems.append(
            "The treatment plan is not approved for at-home sessions now: a prescriber "
            "approves a plan whose setting is at home, or the session is held in the clinic."
        )
    return problems


# --- Discharge ------------------------------------------------------------------------------
def post_dose_window(record: PartnerRecord, protocol: ProtocolSettings):
    """When the reading after the last dose is due: (opens, closes)."""
    given = record.last_dose.given_at
    return (
        given + datetime.timedelta(minutes=protocol.post_dose_reading_from_minutes),
        given + datetime.timedelta(minutes=protocol.post_dose_reading_until_minutes),
    )


def post_dose_reading_taken(
    record: PartnerRecord, protocol: ProtocolSettings, at: datetime.datetime
) -> bool:
    """A reading was taken in the post-dose window (by `at`)."""
    opens, closes = post_dose_window(record, protocol)
    return any(opens <= r.taken_at <= closes for r in record.readings_until(at))


def discharge_reading_blockers(
    name: str,
    record: PartnerRecord,
    protocol: ProtocolSettings,
    at: datetime.datetime,
    zone,
    *,
    signed_off_hold: bool,
) -> list[str]:
    """Monitoring time, the post-dose reading, a fresh pre-discharge reading, the readings.

    `signed_off_hold`: a prescriber signs the discharge off with a reason, which stands in
    for a hold reading and for a post-dose reading missed in its window (it cannot be taken
    later: without that sign-off the partner could never leave)."""
    last = record.last_dose
    if last is None:
        return [f"{name} was not dosed in this session."]
    problems = []
    minimum = datetime.timedelta(minutes=protocol.min_monitoring_minutes)
    if at - last.given_at < minimum:
        minutes = int((at - last.given_at).total_seconds() // 60)
        problems.append(
            f"{name} has been monitored {minutes} minutes since the last dose; the minimum is "
            f"{protocol.min_monitoring_minutes} (discharge possible from "
            f"{_hhmm(last.given_at + minimum, zone)})."
        )
    if not post_dose_reading_taken(record, protocol, at) and not signed_off_hold:
        opens, closes = post_dose_window(record, protocol)
        problems.append(
            f"{name} has no reading between {_hhmm(opens, zone)} and {_hhmm(closes, zone)} "
            f"({protocol.post_dose_reading_from_minutes}–{protocol.post_dose_reading_until_minutes}"
            " minutes after the last dose): take it in that window, or once it has passed a "
            "prescriber signs the discharge off with a reason."
        )
    fresh = fresh_reading(record, protocol, at)
    if fresh is None or fresh.moment != VitalSigns.Moment.PRE_DISCHARGE:
        problems.append(
            f"Take {name}'s pre-discharge reading (valid {protocol.reading_valid_minutes} minutes)."
        )
    problems += reading_blockers(
        name, record, protocol, at, zone, signed_off_hold=signed_off_hold, for_discharge=True
    )
    return problems


# --- The person taking a partner home -------------------------------------------------------
REFUSED_ESCORT_WORDS = frozenset(
    {"self", "myself", "me", "i", "driving", "drive", "drives", "none", "nobody", "no one"}
)
_PHONE_DIGITS = re.compile(r"\d")


def name_tokens(name: str) -> list[str]:
    """Casefolded words of a name without punctuation, invisible characters or initials."""
    visible = "".join(
        ch for ch in unicodedata.normalize("NFKC", name) if unicodedata.category(ch)[0] != "C"
    )
    words = re.sub(r"[^\w\s]|_", " ", visible).casefold().split()
    return [word for word in words if len(word) > 1]


def clean_text(value: str) -> str:
    """Collapse whitespace and drop invisible characters."""
    visible = "".join(ch for ch in value if unicodedata.category(ch)[0] != "C")
    return " ".join(visible.split())


def escort_problems(
    *, name: str, phone: str, relationship: str, dosed_names: list[tuple[str, str]]
) -> dict[str, str]:
    """Why another adult cannot be named as the escort, by form field (empty: fine).

    `dosed_names` holds (first, last) of each partner dosed in this session: none of them
    may take anyone home, however the name is written.
    """
    tokens = name_tokens(name)
    text = " ".join(tokens)
    if not tokens:
        return {"escort_name": "Write the full name of the adult taking them home."}
    if text in REFUSED_ESCORT_WORDS or set(tokens) & {"self", "myself", "driving"}:
        return {"escort_name": "Nobody drives themselves: name the adult taking them home."}
    for first, last in dosed_names:
        own = set(name_tokens(f"{first} {last}"))
        if set(tokens) <= own:
            return {
                "escort_name": f"{first} {last} received the medicine today and cannot take "
                "anyone home: name someone who did not dose."
            }
    errors = {}
    if len(tokens) < 2:
        errors["escort_name"] = "Write their full name (first and last)."
    if len(_PHONE_DIGITS.findall(phone)) < 7:
        errors["escort_phone"] = "Give a phone number we can reach them on (at least 7 digits)."
    if not name_tokens(relationship):
        errors["escort_relationship"] = "Say how they are related (e.g. sister, friend)."
    return errors
