"""At-home medicine sessions: naming the chaperone, the partner's own readings and dose,
the chaperone's checks, and the end that replaces discharge.

Every rule of a dose in the clinic holds at home, from the same code: the partner's
reading and dose go through `sessions.medicine.vitals_write` and `dose_write` (readiness
at the start, a fresh reading, caution and hold, the floor, the plan, screening and the
cap, and whether the session may still be at home). What home adds: the chaperone must
be present before the dose, owes a check about 40 minutes after it and at the end, and
a check not reported in time, a hold reading or a worrying answer alerts the care team
at once (urgent alerts are emailed through the outbox).

Caution at home: nobody can acknowledge a reading in person, so a caution reading blocks
the dose exactly as in the clinic until a prescriber acknowledges it remotely (on the
session record); a hold likewise until a repeat reading or a prescriber's override.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from athome.models import (
    LINK_VALID_AFTER_END,
    ChaperoneCheck,
    HomeChaperone,
    new_link_token,
    token_digest,
)
from intake.models import Partner
from integration import services as integration
from integration.chaperones import Contact
from integration.models import Alert, Reminder
from kapcouples import policy
from kapcouples.models import User
from kapcouples.services import DomainError
from sessions import medicine, rules
from sessions.medicine import InvalidFields
from sessions.models import DoseAdministration, MedicineSession, VitalSigns
from sessions.protocol import protocol_for

CHECK_AFTER_DOSE = datetime.timedelta(minutes=40)
# The named adult's link goes out when they are named, and again this long before the
# session if that one was not opened (moved out of quiet hours, never after the start).
LINK_AGAIN_BEFORE_START = datetime.timedelta(hours=2)
# A check not reported this long after it is due raises an urgent alert.
CHECK_GRACE = datetime.timedelta(minutes=10)


def _locked(session: MedicineSession) -> MedicineSession:
    return (
        MedicineSession.objects.select_for_update(of=("self",))
        .select_related("appointment", "couple__clinic")
        .get(pk=session.pk)
    )


def _require_at_home(session: MedicineSession) -> None:
    if not session.at_home:
        raise DomainError("This medicine session is in the clinic, not at home.")


def _ended(session: MedicineSession) -> bool:
    return session.status in (MedicineSession.Status.COMPLETED, MedicineSession.Status.ENDED_EARLY)


# --- The care team names the chaperone ------------------------------------------------------
@transaction.atomic
def chaperone_name(
    *,
    session: MedicineSession,
    by: User,
    partner: Partner | None = None,
    name: str = "",
    phone: str = "",
    email: str = "",
) -> HomeChaperone:
    """Name who stays with the dosing partner: the other partner, or an adult with name and
    phone. A named adult's link goes out through the outbox (`_link_messages_schedule`);
    nobody sees it here. Naming again before the session starts replaces the first, and
    the messages to the first."""
    session = _locked(session)
    policy.ensure(policy.can_record_session, by, session.couple, to="name an at-home chaperone")
    _require_at_home(session)
    if session.status != MedicineSession.Status.PLANNED:
        raise DomainError("The chaperone is named before the session starts.")
    chaperone = HomeChaperone.objects.filter(medicine_session=session).first()
    chaperone = chaperone or HomeChaperone(medicine_session=session)
    chaperone.named_by, chaperone.named_at = by, timezone.now()
    if partner is not None:
        _check_partner_chaperone(session, partner)
        chaperone.partner, chaperone.name = partner, partner.full_name
        chaperone.phone, chaperone.email = partner.phone, ""
        chaperone.token_digest, chaperone.link_expires_at = "", None
    else:
        _named_adult(session, chaperone, name, phone, email)
    chaperone.link_claimed_at = None
    medicine._validated_fields(chaperone)
    chaperone.save()
    integration.reminders_cancel_about(about=chaperone, kinds=[Reminder.Kind.CHAPERONE_LINK])
    if partner is None:
        _link_messages_schedule(session, chaperone, f"named:{chaperone.named_at.isoformat()}")
    ChaperoneCheck.objects.get_or_create(
        medicine_session=session,
        kind=ChaperoneCheck.Kind.PRESENCE,
        defaults={"due_at": session.appointment.start},
    )
    return chaperone


def _check_partner_chaperone(session: MedicineSession, partner: Partner) -> None:
    if partner.couple_id != session.couple_id:
        raise InvalidFields({"partner": "Choose the other partner of this couple."})
    if session.role_of(partner) == "dosing":
        raise InvalidFields(
            {
                "partner": f"{partner.first_name} takes the medicine in this session and cannot "
                "be the chaperone: name the other partner (in a solo session) or another adult."
            }
        )


def _named_adult(session, chaperone, name, phone, email) -> None:
    dosing = [(p.first_name, p.last_name) for p in session.dosing_partners()]
    errors = rules.escort_problems(
        name=name, phone=phone, relationship="chaperone", dosed_names=dosing
    )
    if errors:
        raise InvalidFields(
            {"name" if key == "escort_name" else "phone": text for key, text in errors.items()}
        )
    if (
        not email.strip()
        and not integration.messaging_settings_for(session.couple.clinic_id).sms_enabled
    ):
        raise InvalidFields(
            {
                "email": "This clinic does not send text messages: give the chaperone's email "
                "address so their link can be sent."
            }
        )
    chaperone.partner = None
    chaperone.name, chaperone.phone = rules.clean_text(name), rules.clean_text(phone)
    chaperone.email = email.strip()
    _unknown_link(chaperone)
    chaperone.link_expires_at = session.appointment.end + LINK_VALID_AFTER_END


def _unknown_link(chaperone: HomeChaperone) -> None:
    """A digest of a token nobody holds: any earlier link stops, and the link that works
    is the one minted when the next message goes out (`chaperone_link_mint`)."""
    chaperone.token_digest = token_digest(new_link_token())
    chaperone.link_claimed_at = None


# --- The named adult's link, through the outbox ----------------------------------------------
def _link_messages_schedule(session: MedicineSession, chaperone: HomeChaperone, why: str):
    """The link now, and again before the session (the still-wanted check drops that one if
    the first link was opened by then)."""
    now = timezone.now()
    first = _link_message(session, chaperone, due_at=now, key=why)
    again = session.appointment.start - LINK_AGAIN_BEFORE_START
    if again > now:
        _link_message(session, chaperone, due_at=again, key=f"{why}:day")
    return first


def _link_message(session, chaperone, *, due_at, key) -> Reminder:
    return integration.reminder_schedule(
        clinic_id=session.couple.clinic_id,
        chaperone_id=chaperone.pk,
        kind=Reminder.Kind.CHAPERONE_LINK,
        about=chaperone,
        due_at=due_at,
        event_at=session.appointment.start,
        idempotency_key=f"athome:chaperone:{chaperone.pk}:link:{key}",
    )


@transaction.atomic
def chaperone_link_resend(*, session: MedicineSession, by: User) -> Reminder:
    """The care team sends the named adult a new link (a lost message, a new phone): the
    earlier link stops now, even if it was opened, and a new one goes out at once."""
    session = _locked(session)
    policy.ensure(policy.can_record_session, by, session.couple, to="send a chaperone link")
    chaperone = HomeChaperone.objects.select_for_update().filter(medicine_session=session).first()
    if chaperone is None or chaperone.is_partner:
        raise DomainError("Only a named adult chaperone has a link: name one first.")
    if _ended(session) or timezone.now() >= chaperone.link_expires_at:
        raise DomainError("This session has ended: its chaperone link is not sent any more.")
    integration.reminders_cancel_about(about=chaperone, kinds=[Reminder.Kind.CHAPERONE_LINK])
    _unknown_link(chaperone)
    chaperone.save(update_fields=["token_digest", "link_claimed_at"])
    return _link_messages_schedule(session, chaperone, f"again:{timezone.now().isoformat()}")


def chaperone_link_mint(*, chaperone_id: int) -> str:
    """A fresh token for the named adult, for the message going out now (the outbox's
    delivery asks, inside its savepoint); the earlier link stops. Returns the token."""
    chaperone = HomeChaperone.objects.select_for_update().get(pk=chaperone_id)
    token = new_link_token()
    chaperone.token_digest, chaperone.link_claimed_at = token_digest(token), None
    chaperone.save(update_fields=["token_digest", "link_claimed_at"])
    return token


def chaperone_link_path(chaperone_id: int) -> str:
    return reverse("athome:chaperone_link", args=[chaperone_link_mint(chaperone_id=chaperone_id)])


def chaperone_contact(chaperone_id: int) -> Contact:
    """How a message reaches the named adult: in the dosing partner's zone and language
    (the chaperone has no profile; a couple session: the first partner's)."""
    chaperone = HomeChaperone.objects.select_related(
        "medicine_session__couple__clinic", "medicine_session__dosing_partner"
    ).get(pk=chaperone_id)
    session = chaperone.medicine_session
    dosing = session.dosing_partner or session.couple.partners.order_by("slot").first()
    return Contact(
        name=chaperone.name,
        phone=chaperone.phone,
        email=chaperone.email,
        timezone=dosing.timezone if dosing else session.couple.clinic.timezone,
        language=dosing.language if dosing else settings.LANGUAGE_CODE,
    )


def chaperone_link_wanted(reminder: Reminder) -> bool:
    """A link message still goes out while the chaperone is a named adult, the session has
    not ended, the link is still valid and not opened since it was queued."""
    chaperone = (
        HomeChaperone.objects.select_related("medicine_session")
        .filter(pk=reminder.chaperone_id, partner__isnull=True)
        .first()
    )
    return (
        chaperone is not None
        and chaperone.link_claimed_at is None
        and not _ended(chaperone.medicine_session)
        and timezone.now() < chaperone.link_expires_at
    )


def chaperone_by_link(token: str, *, at: datetime.datetime | None = None) -> HomeChaperone | None:
    """The named adult a link belongs to, while it is valid (None: unknown or expired)."""
    found = (
        HomeChaperone.objects.select_related("medicine_session__couple__clinic")
        .filter(token_digest=token_digest(token), partner__isnull=True)
        .first()
    )
    if found is None or (at or timezone.now()) >= found.link_expires_at:
        return None
    return found


@transaction.atomic
def chaperone_link_claim(*, chaperone: HomeChaperone) -> bool:
    """The first opening of a named adult's link claims it for that browser (the view keeps
    the claim in the browser's session). False: someone opened it already."""
    chaperone = HomeChaperone.objects.select_for_update().get(pk=chaperone.pk)
    if chaperone.link_claimed_at is not None:
        return False
    chaperone.link_claimed_at = timezone.now()
    chaperone.save(update_fields=["link_claimed_at"])
    return True


# --- The dosing partner at home -------------------------------------------------------------
def _dosing_partner_of(by: User, session: MedicineSession, to: str) -> Partner:
    policy.ensure(policy.can_self_report_at_home, by, session, to=to)
    return by.partner_profile


@transaction.atomic
def home_vitals_record(
    *,
    session: MedicineSession,
    systolic: int,
    diastolic: int,
    heart_rate: int,
    spo2: int,
    by: User,
    at: datetime.datetime | None = None,
) -> VitalSigns:
    """The partner's own blood pressure, pulse and SpO₂. The first one starts the session
    (the readiness gate and the home setting are checked then). A hold reading alerts the
    care team at once: the partner must not take the medicine and should call the clinic."""
    session = _locked(session)
    partner = _dosing_partner_of(by, session, "record a reading at home")
    at = at or timezone.now()
    if session.status == MedicineSession.Status.PLANNED:
        session = medicine.session_begin(session=session, by=by, at=at)
    dosed = DoseAdministration.objects.filter(medicine_session=session, partner=partner).exists()
    vitals = medicine.vitals_write(
        session=session,
        partner=partner,
        moment=VitalSigns.Moment.OTHER if dosed else VitalSigns.Moment.PRE_DOSE,
        systolic=systolic,
        diastolic=diastolic,
        heart_rate=heart_rate,
        spo2=spo2,
        by=by,
        at=at,
    )
    if vitals.level == VitalSigns.Level.HOLD:
        _alert(
            session,
            partner,
            Alert.Kind.HOME_HOLD,
            f"At home, {partner.first_name} measured {systolic}/{diastolic} (hold level) and "
            "was told not to take the medicine and to call the clinic.",
            f"athome:vitals:{vitals.pk}:hold",
        )
    return vitals


@transaction.atomic
def home_dose_record(
    *, session: MedicineSession, mg: Decimal, by: User, at: datetime.datetime | None = None
) -> DoseAdministration:
    """The partner took their lozenge: recorded after the chaperone confirmed presence and
    every check of a dose in the clinic (`sessions.medicine.dose_write`). One dose per
    session at home: nobody is there to judge a second one. Schedules the
    chaperone's checks and the watches that alert when one is missed."""
    session = _locked(session)
    partner = _dosing_partner_of(by, session, "record a dose taken at home")
    at = at or timezone.now()
    presence = ChaperoneCheck.objects.filter(
        medicine_session=session, kind=ChaperoneCheck.Kind.PRESENCE, done_at__lte=at
    ).first()
    if presence is None:
        raise DomainError(
            _(
                "No dose yet: your chaperone must first confirm on their phone that they are "
                "with you."
            )
        )
    if DoseAdministration.objects.filter(medicine_session=session, partner=partner).exists():
        raise DomainError(
            _(
                "You have taken your medicine for this session already: do not take more. "
                "If you think you need more, call the clinic."
            )
        )
    dose = medicine.dose_write(session=session, partner=partner, mg=mg, by=by, at=at)
    _schedule_checks(session, dose.given_at)
    return dose


def _schedule_checks(session: MedicineSession, given_at: datetime.datetime) -> None:
    """The 40-minute and end checks, due from the latest dose (a later dose moves them)."""
    protocol = protocol_for(session.couple.clinic_id)
    due = {
        ChaperoneCheck.Kind.CHECK_40: given_at + CHECK_AFTER_DOSE,
        ChaperoneCheck.Kind.END: given_at
        + datetime.timedelta(minutes=protocol.min_monitoring_minutes),
    }
    for kind, due_at in due.items():
        check, created = ChaperoneCheck.objects.get_or_create(
            medicine_session=session, kind=kind, defaults={"due_at": due_at}
        )
        if not created and due_at > check.due_at:
            check.due_at = due_at
            check.save(update_fields=["due_at"])
        _watch(session, check)


def _watch(session: MedicineSession, check: ChaperoneCheck) -> Reminder:
    """An outbox row due when the check's grace runs out: never sent, it raises the alert
    if the check is still missing then (`athome.watch`)."""
    return integration.reminder_schedule(
        clinic_id=session.couple.clinic_id,
        staff_user=session.couple.primary_clinician,
        kind=Reminder.Kind.CHAPERONE_WATCH,
        about=check,
        due_at=check.due_at + CHECK_GRACE,
        event_at=check.due_at,
        idempotency_key=f"athome:check:{check.pk}:watch:{check.due_at.isoformat()}",
        link_path=reverse("intake:couple_detail", args=[session.couple_id]),
    )


# --- The chaperone's checks -----------------------------------------------------------------
@transaction.atomic
def chaperone_check_record(
    *,
    session: MedicineSession,
    kind: str,
    by: User | None = None,
    link_chaperone: HomeChaperone | None = None,
    drowsy_hard_to_wake: bool | None = None,
    breathing_normal: bool | None = None,
    feels_settled: bool | None = None,
    stays_with_them: bool | None = None,
    at: datetime.datetime | None = None,
) -> ChaperoneCheck:
    """The chaperone reports a check, as the signed-in partner (`by`) or through a named
    adult's valid link (`link_chaperone`). A worrying answer alerts the care team; an end
    check with all well, after the clinic's monitoring minutes, completes the session (it
    replaces discharge at home) and the next-day check-ins follow as after any session."""
    session = _locked(session)
    at = at or timezone.now()
    reporter = _reporter(session, by, link_chaperone, at)
    check = _check_to_report(session, kind, at)
    check.done_at, check.drowsy_hard_to_wake = at, drowsy_hard_to_wake
    check.breathing_normal, check.feels_settled = breathing_normal, feels_settled
    check.stays_with_them = stays_with_them
    check.reported_by_user, check.reported_by_chaperone = reporter
    _require_answers(check)
    medicine._validated_fields(check)
    check.save()
    if not check.all_well:
        _alert(
            session,
            session.dosing_partners()[0] if session.dosing_partner_id else None,
            Alert.Kind.HOME_CONCERN,
            f"At home, the chaperone's {check.get_kind_display().lower()} reports a concern "
            "(drowsiness, breathing or not settled). Call them now.",
            f"athome:check:{check.pk}:concern:{at.isoformat()}",
        )
    elif kind == ChaperoneCheck.Kind.END:
        medicine.session_finish(session)
    return check


def _reporter(session, by, link_chaperone, at) -> tuple[User | None, HomeChaperone | None]:
    _require_at_home(session)
    if link_chaperone is not None:
        valid = HomeChaperone.objects.filter(
            pk=link_chaperone.pk, partner__isnull=True, medicine_session=session
        ).first()
        if valid is None or at >= valid.link_expires_at:
            raise DomainError("This chaperone link is not valid any more: call the clinic.")
        return None, valid
    policy.ensure(policy.can_chaperone, by, session, to="report a chaperone check")
    return by, None


def _check_to_report(session: MedicineSession, kind: str, at: datetime.datetime):
    if _ended(session):
        raise DomainError("This session has ended; thank you.")
    check = (
        ChaperoneCheck.objects.select_for_update()
        .filter(medicine_session=session, kind=kind)
        .first()
    )
    if kind == ChaperoneCheck.Kind.PRESENCE:
        if check is None:
            raise DomainError("No chaperone is named for this session yet: call the clinic.")
        if check.is_done:
            raise DomainError("You already confirmed that you are there.")
        return check
    if check is None:
        raise DomainError("This check comes after the dose is taken.")
    if check.all_well:
        raise DomainError("This check is already done.")
    _require_its_time(session, check, at)
    return check


def _require_its_time(session: MedicineSession, check: ChaperoneCheck, at) -> None:
    forty = ChaperoneCheck.objects.filter(
        medicine_session=session, kind=ChaperoneCheck.Kind.CHECK_40, done_at__isnull=False
    )
    problem = check_not_open(check, at, session.couple.clinic.zone, forty_done=forty.exists())
    if problem:
        raise DomainError(problem)


def check_not_open(check: ChaperoneCheck, at, zone, *, forty_done: bool) -> str:
    """Why the chaperone cannot report `check` at `at` yet (empty: they can). The partner
    page asks this too, so it offers a check exactly when the service takes it."""
    if check.kind == ChaperoneCheck.Kind.PRESENCE:
        return ""
    if check.kind == ChaperoneCheck.Kind.END:
        if not forty_done:
            return _("Do the 40-minute check first.")
        if at < check.due_at:
            return _(
                "The end check is from %(time)s: the clinic's monitoring time after the dose "
                "is not over yet. Stay with them until then."
            ) % {"time": f"{check.due_at.astimezone(zone):%H:%M}"}
        return ""
    opens = check.due_at - CHECK_GRACE
    if at < opens:
        return _("This check is due at %(due)s (open from %(opens)s).") % {
            "due": f"{check.due_at.astimezone(zone):%H:%M}",
            "opens": f"{opens.astimezone(zone):%H:%M}",
        }
    return ""


def _require_answers(check: ChaperoneCheck) -> None:
    if check.kind == ChaperoneCheck.Kind.PRESENCE:
        return
    questions = ["drowsy_hard_to_wake", "breathing_normal", "feels_settled"]
    if check.kind == ChaperoneCheck.Kind.END:
        questions.append("stays_with_them")
    missing = {name: "Answer yes or no." for name in questions if getattr(check, name) is None}
    if missing:
        raise InvalidFields(missing)


def _alert(session, partner, kind, message, dedupe_key) -> Alert:
    return integration.alert_raise(
        couple=session.couple,
        partner=partner,
        kind=kind,
        message=message,
        dedupe_key=dedupe_key,
        urgent=True,
    )
