"""The access policy: who may see and do what. The only place such rules live.

Views declare their audience with `@public`, `@authenticated` or `@allow(...)`;
object-level questions go through the `can_…` predicates below, which views,
selectors and templates all use. A test walks every URL pattern and fails on a
view that declares nothing.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any, NoReturn

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from kapcouples import audit
from kapcouples.models import Role
from kapcouples.services import DomainError

PUBLIC = "public"
AUTHENTICATED = "authenticated"

CLINICAL_ROLES = frozenset({Role.CLINICIAN, Role.PRESCRIBER})
STAFF_ROLES = frozenset({Role.CLINICIAN, Role.PRESCRIBER, Role.FRONT_DESK, Role.CLINIC_ADMIN})
ALL_ROLES = STAFF_ROLES | {Role.PARTNER}

# The audiences views declare with `@allow(*policy.X)`: named here, never in view modules.
CARE_TEAM = (Role.CLINICIAN, Role.PRESCRIBER)
PRESCRIBERS = (Role.PRESCRIBER,)
PARTNERS = (Role.PARTNER,)
FRONT_DESK = (Role.FRONT_DESK,)
CLINIC_ADMINS = (Role.CLINIC_ADMIN,)
DESK_AND_CARE = (Role.FRONT_DESK, Role.CLINICIAN, Role.PRESCRIBER)
PARTNER_AND_CARE = (Role.PARTNER, Role.CLINICIAN, Role.PRESCRIBER)
VIEWERS_OF_APPOINTMENTS = (Role.FRONT_DESK, Role.CLINICIAN, Role.PRESCRIBER, Role.PARTNER)
ALL_STAFF = (Role.CLINICIAN, Role.PRESCRIBER, Role.FRONT_DESK, Role.CLINIC_ADMIN)
STOCK_READERS = (Role.CLINICIAN, Role.PRESCRIBER, Role.CLINIC_ADMIN)


# --- Who is this user? --------------------------------------------------------------
def role_of(user) -> str | None:
    """The user's one role, or None (anonymous, inactive staff, operators without a clinic)."""
    if not user.is_authenticated:
        return None
    if not hasattr(user, "_kap_role"):
        user._kap_role = _lookup_role(user)
    return user._kap_role


def _lookup_role(user) -> str | None:
    membership = getattr(user, "membership", None)
    if membership is not None:
        return membership.role if membership.is_active else None
    if getattr(user, "partner_profile", None) is not None:
        return Role.PARTNER
    return None


def staff_clinic_id(user) -> int | None:
    if role_of(user) in STAFF_ROLES:
        return user.membership.clinic_id
    return None


def needs_second_factor(user) -> bool:
    """Staff (outside prescribers included) and operators must prove a second factor;
    partners do not."""
    return user.is_staff or role_of(user) in STAFF_ROLES or role_of(user) in OUTSIDE_ROLES


# --- View declarations ----------------------------------------------------------------
def public(view: Callable) -> Callable:
    """Anyone, signed in or not (login, password reset, invitation, health, the SMS
    provider's signed webhooks)."""
    view = login_not_required(view)
    view.access_roles = PUBLIC
    return view


def authenticated(view: Callable) -> Callable:
    """Any signed-in user, whatever their role (home redirect, logout, own account)."""
    view.access_roles = AUTHENTICATED
    return view


def allow(*roles: str) -> Callable[[Callable], Callable]:
    """Only users holding one of `roles`; others get a logged 403."""
    allowed = frozenset(roles)

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs):
            if role_of(request.user) not in allowed:
                deny(request, reason=f"role {role_of(request.user)!r} may not open this page")
            return view(request, *args, **kwargs)

        wrapped.access_roles = allowed
        return wrapped

    return decorator


def before_second_factor(view: Callable) -> Callable:
    """A page staff may open before proving their second factor (enrolment, logout)."""
    view.two_factor_exempt = True
    return view


def deny(request: HttpRequest, *, reason: str, obj=None, hide: bool = False) -> NoReturn:
    """Log the refusal, then answer 403, or 404 where the object's existence is private."""
    audit.record_denial(request, reason=reason, obj=obj)
    if hide:
        raise Http404("Not found")
    raise PermissionDenied(reason)


# --- Object predicates ------------------------------------------------------------------
def is_staff_of_clinic(user, clinic_id: int) -> bool:
    return staff_clinic_id(user) == clinic_id


def is_on_care_team(user, couple) -> bool:
    if role_of(user) not in CLINICAL_ROLES or not is_staff_of_clinic(user, couple.clinic_id):
        return False
    if couple.primary_clinician_id == user.pk:
        return True
    return couple.care_team.filter(pk=user.pk).exists() or has_break_glass(user, couple)


# Grants live in the intake app, which builds on this one: it registers its check at
# start-up (IntakeConfig.ready), so this core module imports no domain app.
_registered: dict[str, Callable[[int, int], bool]] = {}


def register_break_glass_check(check: Callable[[int, int], bool]) -> None:
    _registered["break_glass"] = check


def has_break_glass(user, couple) -> bool:
    """An unexpired break-the-glass grant of this clinician for this couple."""
    check = _registered.get("break_glass")
    return check is not None and check(user.pk, couple.pk)


def is_partner_of_couple(user, couple) -> bool:
    profile = getattr(user, "partner_profile", None) if user.is_authenticated else None
    return profile is not None and profile.couple_id == couple.pk


def can_view_couple_statuses(user, couple) -> bool:
    """Times, statuses and names: front desk and the care team of the couple's clinic."""
    if role_of(user) == Role.FRONT_DESK:
        return is_staff_of_clinic(user, couple.clinic_id)
    return is_on_care_team(user, couple)


def can_view_clinical(user, couple) -> bool:
    """Reviews, session records, vitals, notes, alerts: the care team only."""
    return is_on_care_team(user, couple)


def can_view_partner_private(user, partner) -> bool:
    """A partner's own answers and details: that partner and the couple's care team."""
    if user.is_authenticated and partner.user_id == user.pk:
        return True
    return is_on_care_team(user, partner.couple)


def can_fill_intake(user, partner) -> bool:
    """A partner's intake form: the partner, or their care team entering it with them."""
    return can_view_partner_private(user, partner)


def can_edit_partner_contact(user, partner) -> bool:
    """Correct a partner's contact details: whoever may read them (the partner, the care team)."""
    return can_view_partner_private(user, partner)


def can_view_couple_shared(user, couple) -> bool:
    """Shared intentions, the appointment list: both partners and the care team."""
    return is_partner_of_couple(user, couple) or is_on_care_team(user, couple)


def can_manage_clinic(user, clinic_id: int) -> bool:
    return role_of(user) == Role.CLINIC_ADMIN and is_staff_of_clinic(user, clinic_id)


def is_outsider_to_clinic(user, clinic_id: int) -> bool:
    """Partners and other clinics' staff must not learn that an object exists (404)."""
    return not is_staff_of_clinic(user, clinic_id)


# --- Screening (intake app) ---------------------------------------------------------------
def can_invite_partners(user, couple) -> bool:
    """Front desk of the clinic and the care team send, resend and revoke invitations."""
    return can_view_couple_statuses(user, couple)


def is_prescriber_on_care_team(user, couple) -> bool:
    return role_of(user) == Role.PRESCRIBER and is_on_care_team(user, couple)


def can_prescribe(user, couple) -> bool:
    """Write or cancel a prescription: a prescriber on the couple's care team, or an outside
    prescriber granted the couple."""
    return is_prescriber_on_care_team(user, couple) or is_granted_outside_prescriber(user, couple)


def can_sign_review(user, couple) -> bool:
    """Sign a contraindication review (not clearing a relative item): the care team, or an
    outside prescriber granted the couple."""
    return is_on_care_team(user, couple) or is_granted_outside_prescriber(user, couple)


def can_clear_relative_contraindication(user, couple) -> bool:
    return is_prescriber_on_care_team(user, couple) or is_granted_outside_prescriber(user, couple)


def can_answer_questionnaire(user, partner) -> bool:
    """A questionnaire is answered by the partner themselves, or given by the care team."""
    if user.is_authenticated and partner.user_id == user.pk:
        return True
    return is_on_care_team(user, partner.couple)


def can_review_questionnaire(user, couple) -> bool:
    """Review or acknowledge a partner's questionnaire (C-SSRS included): the care team, or
    an outside prescriber granted the couple (screening is theirs too)."""
    return is_on_care_team(user, couple) or is_granted_outside_prescriber(user, couple)


def can_edit_couple_intentions(user, couple) -> bool:
    """The shared intentions are written by the two partners; the care team reads them."""
    return is_partner_of_couple(user, couple)


def can_break_glass(user, couple) -> bool:
    """A same-clinic clinician or prescriber who is not on the couple's care team."""
    return (
        role_of(user) in CLINICAL_ROLES
        and is_staff_of_clinic(user, couple.clinic_id)
        and couple.primary_clinician_id != user.pk
        and not couple.care_team.filter(pk=user.pk).exists()
    )


# --- Treatment plans, booking and the medicine session (sessions app) -----------------------
def can_edit_plan(user, couple) -> bool:
    """Write the treatment plan (goals, approach, roles): the care team."""
    return is_on_care_team(user, couple)


def can_approve_plan(user, couple) -> bool:
    """Approve a plan and its dosing approach: a prescriber of the care team."""
    return is_prescriber_on_care_team(user, couple)


def can_book(user, couple) -> bool:
    """Book, move, cancel, check in: front desk of the clinic and the care team."""
    return can_view_couple_statuses(user, couple)


def can_record_session(user, couple) -> bool:
    """Start a medicine session, record vitals, doses, adverse events and discharge, end it."""
    return is_on_care_team(user, couple)


def can_sign_off_vitals(user, couple) -> bool:
    """Acknowledge a caution reading, override a hold, sign off a discharge's blood pressure or
    a reading under the clinical floor: a prescriber of the care team, or an outside
    prescriber granted the couple."""
    return is_prescriber_on_care_team(user, couple) or is_granted_outside_prescriber(user, couple)


def can_override_readiness(user, couple) -> bool:
    """Override readiness items 4–6 for one appointment: a prescriber of the care team, or an
    outside prescriber granted the couple."""
    return is_prescriber_on_care_team(user, couple) or is_granted_outside_prescriber(user, couple)


def can_manage_protocol(user, clinic_id: int) -> bool:
    return can_manage_clinic(user, clinic_id)


def can_read_audit_log(user, clinic_id: int) -> bool:
    """Who read what, including colleagues' emergency access: the clinic's admin only
    (the care team reads the record, not the record of who read it)."""
    return can_manage_clinic(user, clinic_id)


def can_acknowledge_alert(user, couple) -> bool:
    """Acknowledge or resolve a care-team alert: the couple's care team."""
    return is_on_care_team(user, couple)


# --- Controlled-substance stock (stock app) ----------------------------------------------------
def can_view_stock(user, clinic_id: int) -> bool:
    """The lots, balances and the printable log: the clinic's clinicians, prescribers and admin
    (the admin answers to inspectors for the records, but handles no medicine)."""
    return role_of(user) in STOCK_READERS and is_staff_of_clinic(user, clinic_id)


def can_handle_stock(user, clinic_id: int) -> bool:
    """Receive a lot, draw a dose, record waste: the clinic's clinicians and prescribers."""
    return role_of(user) in CLINICAL_ROLES and is_staff_of_clinic(user, clinic_id)


def can_witness_stock(user, clinic_id: int) -> bool:
    """Witness a draw, waste or correction: an active clinician or prescriber of the clinic."""
    return can_handle_stock(user, clinic_id)


def can_correct_stock(user, clinic_id: int) -> bool:
    """Correct a lot's balance after a count: a prescriber of the clinic (the registrant's
    side of the record), never a clinician alone."""
    return role_of(user) == Role.PRESCRIBER and is_staff_of_clinic(user, clinic_id)


PRESCRIBER_OR_GRANTED = "a prescriber on the couple's care team or an outside prescriber granted it"

# Every predicate a service checks, with the rule a refusal names.
RULES = {
    "can_complete_appointment": "a clinician or prescriber on the couple's care team",
    "can_prescribe": PRESCRIBER_OR_GRANTED,
    "can_sign_review": (
        "a clinician or prescriber on the couple's care team, or an outside prescriber granted it"
    ),
    "can_clear_relative_contraindication": PRESCRIBER_OR_GRANTED,
    "can_review_questionnaire": (
        "a clinician or prescriber on the couple's care team, or an outside prescriber granted it"
    ),
    "can_answer_questionnaire": "the partner themselves or the couple's care team",
    "can_edit_partner_contact": "the partner themselves or the couple's care team",
    "can_fill_intake": "the partner themselves or the couple's care team",
    "can_edit_plan": "a clinician or prescriber on the couple's care team",
    "can_approve_plan": "a prescriber on the couple's care team",
    "can_book": "front desk of the clinic or the couple's care team",
    "can_record_session": "a clinician or prescriber on the couple's care team",
    "can_sign_off_vitals": PRESCRIBER_OR_GRANTED,
    "can_override_readiness": PRESCRIBER_OR_GRANTED,
    "can_manage_protocol": "the clinic's admin",
    "can_acknowledge_alert": "a clinician or prescriber on the couple's care team",
    "can_write_integration_note": "a clinician or prescriber on the couple's care team",
    "can_invite_partners": "front desk of the clinic or the couple's care team",
    "can_edit_couple_intentions": "the couple's two partners",
    "can_manage_clinic": "the clinic's admin",
    "can_break_glass": "a clinician or prescriber of the clinic who is not on the care team",
    "can_answer_checkin": "the partner this check-in was written for",
    "can_view_outbox": "staff of the clinic",
    "can_handle_stock": "a clinician or prescriber of the clinic",
    "can_correct_stock": "a prescriber of the clinic",
    "can_start_conversation": "the couple's partners or the couple's care team",
    "can_read_conversation": "the conversation's partners or the couple's care team",
    "can_post_to": "the conversation's partners or the couple's care team",
    "can_write_reflection": "the couple's two partners",
    "can_share_reflection": "the couple's two partners",
    "can_prepare_together": "the couple's two partners",
    "can_withdraw_agenda_item": "the partner who added the item",
    "can_choose_language": "the partner themselves",
    "can_edit_own_profile": "the partner themselves",
}


class NotAllowed(DomainError):
    """The acting user may not do this; the message names the rule and who may."""


def ensure(predicate: Callable[..., bool], user, obj, *, to: str) -> None:
    """Services call this with the acting user before writing: refuse with the rule's name.

    `to` completes "Only … may …", e.g. to="record a dose".
    """
    if predicate(user, obj):
        return
    who = RULES[predicate.__name__]
    raise NotAllowed(f"Only {who} may {to} (rule: {predicate.__name__}).")


# --- Integration ---------------------------------------------------------------------------
def can_view_outbox(user, clinic_id: int) -> bool:
    """Who was sent what and when (never the content): any staff role of the clinic."""
    return is_staff_of_clinic(user, clinic_id)


def can_answer_checkin(user, checkin) -> bool:
    """Only the partner a check-in was written for answers it."""
    return user.is_authenticated and checkin.partner.user_id == user.pk


def checkin_answer_reader(user) -> Callable[[Any, str], bool]:
    """may_read(checkin, share_flag): whether `user` may read that answer of a check-in (its
    partner and the care team; the other partner once it is shared). For the many answers
    of one page, the care-team question is asked once per partner."""
    private: dict[int, bool] = {}

    def may_read(checkin, share_flag: str) -> bool:
        if checkin.partner_id not in private:
            private[checkin.partner_id] = can_view_partner_private(user, checkin.partner)
        if private[checkin.partner_id]:
            return True
        return getattr(checkin, share_flag) and is_partner_of_couple(user, checkin.partner.couple)

    return may_read


def can_complete_appointment(user, couple) -> bool:
    """Mark an appointment held: it counts for readiness, so the care team only."""
    return is_on_care_team(user, couple)


def can_write_integration_note(user, couple) -> bool:
    """Clinicians and prescribers of the care team write, sign and amend integration notes."""
    return is_on_care_team(user, couple)


# --- Secure messages (messaging app) ---------------------------------------------------------
def can_start_conversation(user, couple) -> bool:
    """Write to the care team (a partner) or to a partner (the care team)."""
    return is_partner_of_couple(user, couple) or is_on_care_team(user, couple)


def is_conversation_partner(user, conversation) -> bool:
    """A partner the conversation is addressed to: its one partner, or either when to both."""
    if not is_partner_of_couple(user, conversation.couple):
        return False
    return conversation.partner_id is None or conversation.partner_id == user.partner_profile.pk


def can_read_conversation(user, conversation) -> bool:
    """A private conversation: its partner and the care team, never the other partner."""
    return is_conversation_partner(user, conversation) or is_on_care_team(user, conversation.couple)


def can_post_to(user, conversation) -> bool:
    """Reply in a conversation: whoever may read it (break-the-glass included, as for the
    rest of the chart)."""
    return can_read_conversation(user, conversation)


# --- The couple's shared reflection (integration app) ----------------------------------------
def can_write_reflection(user, reflection) -> bool:
    """Each partner of the couple writes their own entry; nobody else writes at all."""
    return is_partner_of_couple(user, reflection.couple)


def can_share_reflection(user, reflection) -> bool:
    """Either partner shares the reflection with the care team, or withdraws it."""
    return is_partner_of_couple(user, reflection.couple)


def can_read_reflection(user, reflection) -> bool:
    """Both partners; the care team only while the couple shares it with them."""
    return reflection_reader(user, reflection.couple)(reflection)


def can_see_reflection_exists(user, reflection) -> bool:
    """That a reflection exists (never its words): the partners and the care team."""
    return can_view_couple_shared(user, reflection.couple)


def reflection_reader(user, couple) -> Callable[[Any], bool]:
    """may_read(reflection): `can_read_reflection` for the many reflections of one couple's
    page, asking once who `user` is to the couple."""
    partner, team = is_partner_of_couple(user, couple), is_on_care_team(user, couple)
    return lambda reflection: partner or (reflection.shared_with_care_team and team)


# --- Preparing together (sessions app) -----------------------------------------------------
def can_prepare_together(user, couple) -> bool:
    """Tick the setting checklist, confirm one's own ride home, add to the couple's agenda:
    the couple's two partners (the care team reads what they wrote)."""
    return is_partner_of_couple(user, couple)


def can_withdraw_agenda_item(user, item) -> bool:
    """A couple's agenda item is withdrawn by the partner who added it, nobody else."""
    return user.is_authenticated and item.partner.user_id == user.pk


# --- Languages (kapcouples/languages.py) ---------------------------------------------------
def can_choose_language(user, partner) -> bool:
    """The language a partner's pages are shown in is chosen by that partner alone."""
    return user.is_authenticated and partner.user_id == user.pk


# --- The partner's portal (portal app) -------------------------------------------------------
def can_edit_own_profile(user, partner) -> bool:
    """A partner's contact details, time zone and reminder preferences: that partner only."""
    return user.is_authenticated and partner.user_id == user.pk


# --- Discovery-call requests (discovery app) ---------------------------------------------------
# A request is a prospective couple's contact details, not a chart: every staff role of the
# clinic may read the inbox; the front desk and the clinic admin answer it; enrolling from it
# is the front desk's, who also enrol couples (the clinic admin does not).
DISCOVERY_READERS = ALL_STAFF
DISCOVERY_HANDLERS = (Role.FRONT_DESK, Role.CLINIC_ADMIN)
DISCOVERY_ENROLLERS = (Role.FRONT_DESK,)


def can_read_discovery_request(user, discovery_request) -> bool:
    """Names, contact and what brings them: any staff role of the request's clinic."""
    return is_staff_of_clinic(user, discovery_request.clinic_id)


def can_handle_discovery_request(user, discovery_request) -> bool:
    """Book the call, mark it declined or unanswered: the clinic's front desk and admin."""
    return role_of(user) in DISCOVERY_HANDLERS and is_staff_of_clinic(
        user, discovery_request.clinic_id
    )


def can_enrol_from_discovery_request(user, discovery_request) -> bool:
    """Enrol the couple with what they gave: the clinic's front desk."""
    return role_of(user) in DISCOVERY_ENROLLERS and is_staff_of_clinic(
        user, discovery_request.clinic_id
    )


RULES.update(
    {
        "can_handle_discovery_request": "the clinic's front desk or admin",
        "can_enrol_from_discovery_request": "the clinic's front desk",
    }
)


# --- Retreats and groups (groups app) ---------------------------------------------------------
# Group rules take the program (or an object naming it) and never import the groups app.
def is_facilitator(user, program) -> bool:
    """A clinician or prescriber of the program's clinic named among its facilitators."""
    return (
        role_of(user) in CLINICAL_ROLES
        and is_staff_of_clinic(user, program.clinic_id)
        and program.facilitators.filter(pk=user.pk).exists()
    )


def can_create_group_program(user, clinic_id: int) -> bool:
    """Start a retreat or group program: a clinician or prescriber of the clinic."""
    return role_of(user) in CLINICAL_ROLES and is_staff_of_clinic(user, clinic_id)


def can_view_group_program(user, program) -> bool:
    """The program page (times, statuses, roster): front desk of the clinic, its facilitators
    and the care team of any couple enrolled. Clinical detail per couple is asked of
    `can_view_clinical` row by row."""
    if role_of(user) == Role.FRONT_DESK:
        return is_staff_of_clinic(user, program.clinic_id)
    if role_of(user) not in CLINICAL_ROLES or not is_staff_of_clinic(user, program.clinic_id):
        return False
    if is_facilitator(user, program):
        return True
    enrolled = program.enrolments.filter(status="enrolled")
    return (
        enrolled.filter(couple__primary_clinician=user).exists()
        or enrolled.filter(couple__care_team=user).exists()
    )


def can_manage_group_program(user, program) -> bool:
    """Change the program, read and write its group notes: its facilitators."""
    return is_facilitator(user, program)


def can_enrol_couple(user, enrolment) -> bool:
    """Enrol a couple or withdraw it: a facilitator who is on that couple's care team (the
    couple's own team agrees to the group; its facilitators then join that care team)."""
    return is_facilitator(user, enrolment.program) and is_on_care_team(user, enrolment.couple)


def can_book_group_session(user, program) -> bool:
    """Book or cancel a group session for every couple: front desk of the clinic or a
    facilitator (each couple's readiness gate still runs)."""
    if role_of(user) == Role.FRONT_DESK:
        return is_staff_of_clinic(user, program.clinic_id)
    return is_facilitator(user, program)


def can_set_room_capacity(user, room) -> bool:
    return can_manage_clinic(user, room.clinic_id)


RULES.update(
    {
        "can_create_group_program": "a clinician or prescriber of the clinic",
        "can_manage_group_program": "a facilitator of the program",
        "can_enrol_couple": "a facilitator of the program on the couple's care team",
        "can_book_group_session": "front desk of the clinic or a facilitator of the program",
        "can_set_room_capacity": "the clinic's admin",
    }
)
# --- Outside prescriber (outside app) ----------------------------------------------------------
# A physician of another practice, invited by the clinic for named couples only. The role is
# not in STAFF_ROLES, so every rule about "staff of the clinic" stays closed to them; the
# predicates below, and the few above that name them, open exactly what their grants cover.
OUTSIDE_ROLES = frozenset({Role.OUTSIDE_PRESCRIBER})
OUTSIDE_PRESCRIBERS = (Role.OUTSIDE_PRESCRIBER,)
# The audiences of the pages opened to them (the object checks then ask for a grant):
# a partner's screening, intake versions and questionnaire results;
SCREENING_READERS = (*PARTNER_AND_CARE, Role.OUTSIDE_PRESCRIBER)
# contraindication reviews, questionnaire acknowledgement, the medicine-session record;
CARE_TEAM_AND_GRANTED = (*CARE_TEAM, Role.OUTSIDE_PRESCRIBER)
# prescriptions, vitals sign-offs, readiness overrides.
PRESCRIBERS_AND_GRANTED = (*PRESCRIBERS, Role.OUTSIDE_PRESCRIBER)


def register_outside_grant_check(check: Callable[[int, int], bool]) -> None:
    """check(user_id, couple_id) -> an unrevoked grant exists (registered by the outside app)."""
    _registered["outside_grant"] = check


def is_granted_outside_prescriber(user, couple) -> bool:
    """An active outside prescriber of the couple's clinic holding an unrevoked grant for it.

    Read from the database on every call, so a revocation takes effect at the next request
    and at the next service call."""
    if role_of(user) not in OUTSIDE_ROLES or user.membership.clinic_id != couple.clinic_id:
        return False
    check = _registered.get("outside_grant")
    return check is not None and check(user.pk, couple.pk)


def is_hidden_couple(user, couple) -> bool:
    """Partners, other clinics' staff and outside prescribers without a grant for this couple
    must not learn that its records exist (404)."""
    return is_outsider_to_clinic(user, couple.clinic_id) and not is_granted_outside_prescriber(
        user, couple
    )


def can_read_screening(user, partner) -> bool:
    """A partner's intake, questionnaires and prescriptions: whoever reads that partner's
    private pages, and an outside prescriber granted the couple."""
    return can_view_partner_private(user, partner) or is_granted_outside_prescriber(
        user, partner.couple
    )


def can_view_prescribing(user, couple) -> bool:
    """Contraindication reviews and the medicine-session record a prescriber signs off: the
    care team, and an outside prescriber granted the couple (nothing else of the chart)."""
    return can_view_clinical(user, couple) or is_granted_outside_prescriber(user, couple)


def can_grant_outside_access(user, couple) -> bool:
    """Grant or revoke an outside prescriber's access to a couple: the clinic's admin, or the
    couple's primary clinician."""
    if can_manage_clinic(user, couple.clinic_id):
        return True
    return (
        role_of(user) in CLINICAL_ROLES
        and is_staff_of_clinic(user, couple.clinic_id)
        and couple.primary_clinician_id == user.pk
    )


RULES["can_grant_outside_access"] = "the clinic's admin or the couple's primary clinician"


# --- Maintenance (booster) sessions (maintenance app) ---------------------------------------
def can_complete_program(user, couple) -> bool:
    """Mark a couple's program completed: a clinician or prescriber on the care team."""
    return is_on_care_team(user, couple)


def can_write_maintenance_plan(user, couple) -> bool:
    """Write or end a maintenance plan: a clinician or prescriber on the care team."""
    return is_on_care_team(user, couple)


def can_approve_maintenance_plan(user, couple) -> bool:
    """Approve (or re-approve after review) a maintenance plan: a prescriber on the team."""
    return is_prescriber_on_care_team(user, couple)


RULES.update(
    {
        "can_complete_program": "a clinician or prescriber on the couple's care team",
        "can_write_maintenance_plan": "a clinician or prescriber on the couple's care team",
        "can_approve_maintenance_plan": "a prescriber on the couple's care team",
    }
)


# --- At-home medicine sessions (athome app) --------------------------------------------------
def can_self_report_at_home(user, session) -> bool:
    """Record one's own readings and dose at home: a dosing partner of that at-home session."""
    profile = getattr(user, "partner_profile", None) if user.is_authenticated else None
    return (
        profile is not None
        and session.at_home
        and profile.couple_id == session.couple_id
        and session.role_of(profile) == "dosing"
    )


def can_chaperone(user, session) -> bool:
    """Confirm presence and report the checks: the partner named as the session's chaperone
    (a named adult reports through their link instead)."""
    chaperone = getattr(session, "home_chaperone", None)
    return (
        user.is_authenticated
        and chaperone is not None
        and chaperone.partner_id is not None
        and chaperone.partner.user_id == user.pk
    )


def can_open_home_session(user, session) -> bool:
    """The partner's at-home page: the dosing partner or the chaperone partner."""
    return can_self_report_at_home(user, session) or can_chaperone(user, session)


RULES |= {
    "can_self_report_at_home": "a dosing partner of this at-home session",
    "can_chaperone": "the partner named as this session's chaperone",
}


# --- Waitlist (waitlist app) ---------------------------------------------------------------
WAITLIST_STAFF = (Role.FRONT_DESK, Role.CLINICIAN, Role.PRESCRIBER)


def can_manage_waitlist(user, couple) -> bool:
    """Put a couple on the waitlist, take them off, offer them a cancelled time: front desk
    of the clinic and the couple's care team (as for booking)."""
    return can_book(user, couple)


def can_offer_slots(user, clinic_id: int) -> bool:
    """Offer a cancelled appointment's time to waitlisted couples: the clinic's front desk,
    clinicians and prescribers (each couple offered must also be theirs to manage)."""
    return role_of(user) in WAITLIST_STAFF and is_staff_of_clinic(user, clinic_id)


def can_answer_offer(user, recipient) -> bool:
    """Accept or decline an offered time: a partner of the couple it was offered to."""
    return is_partner_of_couple(user, recipient.entry.couple)


def can_withdraw_from_waitlist(user, entry) -> bool:
    """Leave the waitlist: either partner of the couple, or whoever manages the couple's entry."""
    return is_partner_of_couple(user, entry.couple) or can_manage_waitlist(user, entry.couple)


RULES.update(
    {
        "can_manage_waitlist": "front desk of the clinic or the couple's care team",
        "can_offer_slots": "front desk, clinicians or prescribers of the clinic",
        "can_answer_offer": "a partner of the couple the time was offered to",
        "can_withdraw_from_waitlist": "the couple's partners, front desk or care team",
    }
)
