"""Helpers for the medicine-session record tests: readings, doses and a full discharge."""

import datetime
from decimal import Decimal

from django.utils import timezone

from sessions import medicine
from sessions.models import Approach, VitalSigns
from tests.sessions.factories import started_session

PRE = VitalSigns.Moment.PRE_DOSE
POST = VitalSigns.Moment.POST_DOSE_40
LEAVING = VitalSigns.Moment.PRE_DISCHARGE


def minutes(n: float) -> datetime.timedelta:
    return datetime.timedelta(minutes=n)


def vitals(
    cast, session, partner, systolic=120, diastolic=80, *, moment=PRE, at=None, by=None, **extra
):
    return medicine.vitals_record(
        session=session,
        partner=partner,
        moment=moment,
        systolic=systolic,
        diastolic=diastolic,
        heart_rate=extra.pop("heart_rate", 70),
        spo2=extra.pop("spo2", 98),
        by=by or cast.clinician,
        at=at,
        **extra,
    )


def dose(cast, session, partner, mg, at=None, by=None):
    return medicine.dose_record(
        session=session, partner=partner, mg=Decimal(mg), by=by or cast.clinician, at=at
    )


def dosed_session(cast, approach=Approach.SOLO, *, mg="80"):
    """A started session where partner A had a fresh reading and a dose a moment ago."""
    session = started_session(cast, approach)
    given = timezone.now()
    vitals(cast, session, cast.partner_a, at=given - minutes(1))
    dose(cast, session, cast.partner_a, mg, at=given)
    return session, given


def readings_for_discharge(cast, session, partner, given, leave_at, *, systolic=125):
    """The ~40-minute reading after the dose and a pre-discharge reading just before leaving."""
    vitals(cast, session, partner, moment=POST, at=given + minutes(40))
    return vitals(cast, session, partner, systolic, 80, moment=LEAVING, at=leave_at - minutes(1))


def discharge(cast, session, partner, at, *, by=None, reason="", **escort):
    escort = escort or {
        "escort_name": "Jamie Friend",
        "escort_phone": "+1 555 010 2030",
        "escort_relationship": "friend",
    }
    return medicine.discharge_record(
        session=session,
        partner=partner,
        by=by or cast.clinician,
        bp_sign_off_reason=reason,
        at=at,
        **escort,
    )
