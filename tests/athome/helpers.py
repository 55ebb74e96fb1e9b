"""Helpers for the at-home tests: a solo session at home today, partner A dosing and
partner B (or a named adult) as the chaperone."""

import datetime
from decimal import Decimal

from django.utils import timezone

from athome import services
from athome.models import ChaperoneCheck
from integration.models import MessagingSettings
from sessions import services as session_services
from sessions.models import Appointment, Approach, Setting, TreatmentPlan
from sessions.protocol import protocol_for
from tests.sessions.factories import book, make_ready

STARTED_EARLIER = "The at-home session of a test began an hour ago"


def minutes(n: float) -> datetime.timedelta:
    return datetime.timedelta(minutes=n)


def texts_on(cast, on: bool = True) -> None:
    """The clinic sends text messages (a named adult's link goes to their phone)."""
    MessagingSettings.objects.update_or_create(clinic=cast.clinic, defaults={"sms_enabled": on})


def allow_at_home(cast, allowed: bool = True) -> None:
    protocol = protocol_for(cast.clinic)
    protocol.allows_at_home = allowed
    protocol.save()


def approve_for_home(cast) -> TreatmentPlan:
    plan = session_services.plan_save(
        couple=cast.couple, by=cast.clinician, values={"setting": Setting.AT_HOME}
    )
    return session_services.plan_approve(plan=plan, by=cast.prescriber)


def home_session(cast, *, dose=Decimal("100"), chaperone="partner", start=None):
    """A planned at-home solo session that began an hour ago (so readings and doses of the
    last hour fall inside it on the day screened for), its chaperone named."""
    start = start or timezone.now() - minutes(60)
    allow_at_home(cast)
    make_ready(cast, start, Approach.SOLO, dose=dose)
    approve_for_home(cast)
    session = book(
        cast, Appointment.Kind.MEDICINE, start, minutes=240, backdated_reason=STARTED_EARLIER
    ).medicine_record
    assert session.at_home
    if chaperone == "partner":
        services.chaperone_name(session=session, by=cast.clinician, partner=cast.partner_b)
        return session, None
    texts_on(cast)
    chaperone = services.chaperone_name(
        session=session, by=cast.clinician, name="Jordan Rivers", phone="+1 555 010 2030"
    )
    # The token the outbox would put in the message it sends now.
    return session, services.chaperone_link_mint(chaperone_id=chaperone.pk)


def reading(cast, session, systolic=120, diastolic=80, *, at=None, spo2=98):
    return services.home_vitals_record(
        session=session,
        systolic=systolic,
        diastolic=diastolic,
        heart_rate=72,
        spo2=spo2,
        by=cast.partner_a.user,
        at=at,
    )


def present(cast, session, at=None):
    return services.chaperone_check_record(
        session=session, kind=ChaperoneCheck.Kind.PRESENCE, by=cast.partner_b.user, at=at
    )


def take(cast, session, mg="100", at=None):
    return services.home_dose_record(session=session, mg=Decimal(mg), by=cast.partner_a.user, at=at)


def check(cast, session, kind, at, *, well=True, **answers):
    values = {
        "drowsy_hard_to_wake": not well,
        "breathing_normal": True,
        "feels_settled": True,
        "stays_with_them": True if kind == ChaperoneCheck.Kind.END else None,
    } | answers
    return services.chaperone_check_record(
        session=session, kind=kind, by=cast.partner_b.user, at=at, **values
    )


def dosed_at_home(cast, *, given=None):
    """An at-home session where partner A measured, B confirmed presence and A took 100 mg."""
    session, _ = home_session(cast)
    given = given or timezone.now() - minutes(1)
    reading(cast, session, at=given - minutes(2))
    present(cast, session, at=given - minutes(1))
    take(cast, session, at=given)
    session.refresh_from_db()
    return session, given
