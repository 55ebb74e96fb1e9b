"""The partners' writes while preparing: the agenda, the setting checklist, the ride home.

Each service asks the policy who acts (never a role from its caller) and, for a medicine
session, that it is still ahead: a cancelled, held or past session takes no ticks and no
confirmations. Rows are updated, never deleted; their history keeps who changed what.
"""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from intake.models import Couple, Partner
from kapcouples import policy
from kapcouples.models import User
from kapcouples.services import DomainError
from sessions import rules
from sessions.medicine import InvalidFields
from sessions.models import Appointment, Approach, MedicineSession
from sessions.preparation.models import ChecklistTick, CoupleAgendaItem, RideHomeConfirmation
from sessions.preparation.selectors import approved_plan
from sessions.protocol import protocol_for

AGENDA_ITEM_MAX = 500
# Words in a name that mean the partner would take themselves home.
SELF_WORDS = frozenset({"self", "myself", "driving"})


def _partner_of(by: User) -> Partner:
    return by.partner_profile


def _locked(session: MedicineSession) -> MedicineSession:
    return (
        MedicineSession.objects.select_for_update(of=("self",))
        .select_related("appointment", "couple__clinic")
        .get(pk=session.pk)
    )


def session_closed_reason(session: MedicineSession, now: datetime.datetime) -> str:
    """Why this medicine session takes no more preparation (empty while it is ahead)."""
    appointment = session.appointment
    if appointment.status in (Appointment.Status.CANCELLED, Appointment.Status.NO_SHOW):
        return _("This medicine session was cancelled, so there is nothing to prepare for it.")
    started = session.status != MedicineSession.Status.PLANNED
    if started or appointment.status != Appointment.Status.BOOKED:
        return _("This medicine session has already been held: preparation is closed.")
    if appointment.start <= now:
        return _("The time of this medicine session has passed: preparation is closed.")
    return ""


def _require_open(session: MedicineSession, now: datetime.datetime) -> None:
    reason = session_closed_reason(session, now)
    if reason:
        raise DomainError(reason)


# --- The setting checklist ---------------------------------------------------------------
@transaction.atomic
def checklist_save(
    *, session: MedicineSession, tick: set[str], untick: set[str], by: User
) -> list[ChecklistTick]:
    """Tick and untick items of the clinic's setting checklist for an upcoming session.

    The page sends only what this partner changed, so a tick the other partner made
    meanwhile is never undone by a page drawn before it. Returns the rows changed.
    """
    session = _locked(session)
    policy.ensure(policy.can_prepare_together, by, session.couple, to="tick the checklist")
    now = timezone.now()
    _require_open(session, now)
    items = protocol_for(session.couple.clinic_id).checklist_items
    unknown = (tick | untick) - set(items)
    if unknown:
        raise DomainError(_("The clinic's checklist has changed: reload the page and tick again."))
    current = {t.item: t for t in session.checklist_ticks.all()}
    wanted = {item: True for item in tick} | {item: False for item in untick - tick}
    changed = []
    for item, done in wanted.items():
        row = current.get(item)
        if row is not None and row.done == done:
            continue
        row = row or ChecklistTick(medicine_session=session, item=item)
        row.done, row.partner, row.changed_at = done, _partner_of(by), now
        row.save()
        changed.append(row)
    return changed


# --- "I will not drive today" and who takes me home --------------------------------------------
@transaction.atomic
def ride_home_confirm(
    *,
    session: MedicineSession,
    by: User,
    will_not_drive: bool,
    escort_name: str,
    escort_phone: str,
    escort_relationship: str,
) -> RideHomeConfirmation:
    """A partner who will dose confirms they will not drive and who takes them home.

    The person is checked as the discharge checks another adult: a full name that is
    nobody dosing in this session, a reachable phone and how they are related. Confirming
    again replaces the details; the history keeps the earlier ones.
    """
    session = _locked(session)
    policy.ensure(policy.can_prepare_together, by, session.couple, to="confirm a ride home")
    now = timezone.now()
    _require_open(session, now)
    partner = _partner_of(by)
    dosing = session.dosing_partners()
    if partner not in dosing:
        raise DomainError(
            _("You do not take the medicine in this session, so you have no ride to confirm.")
        )
    errors = escort_problems(escort_name, escort_phone, escort_relationship, dosing)
    if not will_not_drive:
        errors["will_not_drive"] = _("Confirm that you will not drive today.")
    if errors:
        raise InvalidFields(errors)
    confirmation = RideHomeConfirmation.objects.filter(
        medicine_session=session, partner=partner
    ).first() or RideHomeConfirmation(medicine_session=session, partner=partner)
    confirmation.will_not_drive = True
    confirmation.escort_name = rules.clean_text(escort_name)
    confirmation.escort_phone = rules.clean_text(escort_phone)
    confirmation.escort_relationship = rules.clean_text(escort_relationship)
    confirmation.confirmed_by, confirmation.confirmed_at = by, now
    confirmation.save()
    return confirmation


def escort_problems(
    name: str, phone: str, relationship: str, dosing: list[Partner]
) -> dict[str, str]:
    """Why this person cannot take a dosing partner home, by form field (empty: fine).

    The same tests as the discharge's (`sessions.rules.escort_problems`), in words written
    to the partner: nobody drives themselves, and nobody who doses that day drives anyone.
    """
    tokens = rules.name_tokens(name)
    if not tokens:
        return {"escort_name": _("Write the full name of the adult taking you home.")}
    if " ".join(tokens) in rules.REFUSED_ESCORT_WORDS or set(tokens) & SELF_WORDS:
        return {"escort_name": _("Nobody drives themselves: name the adult taking you home.")}
    for partner in dosing:
        if set(tokens) <= set(rules.name_tokens(partner.full_name)):
            return {
                "escort_name": _(
                    "%(name)s takes the medicine in this session and cannot drive anyone "
                    "home: name someone who does not."
                )
                % {"name": partner.first_name}
            }
    errors = {}
    if len(tokens) < 2:
        errors["escort_name"] = _("Write their full name (first and last).")
    if sum(ch.isdigit() for ch in phone) < 7:
        errors["escort_phone"] = _("Give a phone number we can reach them on (at least 7 digits).")
    if not rules.name_tokens(relationship):
        errors["escort_relationship"] = _("Say how they are related to you (e.g. sister, friend).")
    return errors


# --- The couple's own agenda (extended discussion) ------------------------------------------------
@transaction.atomic
def agenda_item_add(*, couple: Couple, text: str, by: User) -> CoupleAgendaItem:
    """Add a topic of the couple's own to their extended-discussion agenda."""
    policy.ensure(policy.can_prepare_together, by, couple, to="add to the couple's agenda")
    plan = approved_plan(couple)
    if plan is None or plan.approach != Approach.EXTENDED:
        raise DomainError(
            _("Your own agenda items belong to an approved extended-discussion plan.")
        )
    cleaned = text.strip()
    if not cleaned:
        raise InvalidFields({"text": _("Write the topic you would like to talk about.")})
    if len(cleaned) > AGENDA_ITEM_MAX:
        raise InvalidFields(
            {"text": _("Keep it to %(max)d characters.") % {"max": AGENDA_ITEM_MAX}}
        )
    return CoupleAgendaItem.objects.create(couple=couple, text=cleaned, partner=_partner_of(by))


@transaction.atomic
def agenda_item_withdraw(*, item: CoupleAgendaItem, by: User) -> CoupleAgendaItem:
    """Withdraw one's own agenda item. It stays in the record, marked withdrawn."""
    item = CoupleAgendaItem.objects.select_for_update().select_related("partner").get(pk=item.pk)
    policy.ensure(policy.can_withdraw_agenda_item, by, item, to="withdraw this agenda item")
    if item.withdrawn_at is None:
        item.withdrawn_at = timezone.now()
        item.save(update_fields=["withdrawn_at"])
    return item
