"""What a partner has to do now: the one answer the portal and the reminders share.

The portal's next-step card, its due list and the still-wanted check of every reminder
about a task (intake nudge, questionnaire due, check-in prompt) read `items_due` /
`items_due_of`, so they cannot disagree. Each kind of task has one source function
below, reading what it needs for many partners in a fixed number of queries; a caller
that only asks about one kind (a batch of questionnaire reminders) runs that source
alone.

Never imports the sessions app (integration sits below it).
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from intake.forms import INTAKE_STEPS
from intake.models import Consent, ConsentText, IntakeForm, Partner
from intake.readiness import ScreeningFacts
from intake.selectors import questionnaires_due
from integration import followups
from integration.models import CheckIn, QuestionnaireDue, Reminder

INTAKE = "intake"
CONSENT = "consent"
QUESTIONNAIRE = "questionnaire"
CHECKIN = "checkin"
# The two sources of questionnaires: the clinic's schedule, and what screening still needs.
SCHEDULED = "scheduled"
SCREENING = "screening"

STEP_SLUGS = list(INTAKE_STEPS)

# What each instrument asks about, in the partner's words.
INSTRUMENT_TOPICS = {
    "PHQ-9": gettext_lazy("mood"),
    "GAD-7": gettext_lazy("worry and anxiety"),
    "PCL-5": gettext_lazy("stressful experiences"),
    "C-SSRS": gettext_lazy("safety"),
    "CSI-4": gettext_lazy("your relationship"),
}


@dataclass(frozen=True)
class DueItem:
    """One thing a partner has to do. `ref` names it for matching a reminder to it."""

    partner_id: int
    kind: str  # INTAKE, CONSENT, QUESTIONNAIRE or CHECKIN
    ref: str
    label: str
    link: str
    due_by: datetime | None = None
    detail: str = ""  # "Step 4 of 8", "Before your session", "A new version"
    step_number: int | None = None  # intake only: the next step to fill in
    step_count: int | None = None
    code: str = ""  # questionnaires only: the instrument


# --- The sources, one per kind -------------------------------------------------------------
def intake_items(partners: list[Partner], now: datetime, facts=None) -> Iterable[DueItem]:
    """An intake never submitted: to start, or the draft's next step to fill in."""
    forms: dict[int, dict[str, IntakeForm]] = defaultdict(dict)
    statuses = [IntakeForm.Status.SUBMITTED, IntakeForm.Status.DRAFT]
    for form in IntakeForm.objects.filter(partner__in=partners, status__in=statuses).only(
        "partner_id", "status", "steps_saved"
    ):
        forms[form.partner_id][form.status] = form
    for partner in partners:
        if IntakeForm.Status.SUBMITTED in forms[partner.pk]:
            continue
        yield _intake_item(partner, forms[partner.pk].get(IntakeForm.Status.DRAFT))


def _intake_item(partner: Partner, draft: IntakeForm | None) -> DueItem:
    saved = draft.steps_saved if draft else []
    todo = [slug for slug in STEP_SLUGS if slug not in saved]
    number = STEP_SLUGS.index(todo[0]) + 1 if todo else len(STEP_SLUGS)
    if todo:
        link = reverse("intake:intake_step", kwargs={"partner_id": partner.pk, "step": todo[0]})
    else:  # every step saved: only the submit button is left
        link = reverse("intake:intake_overview", kwargs={"partner_id": partner.pk})
    return DueItem(
        partner_id=partner.pk,
        kind=INTAKE,
        ref=INTAKE,
        label=_("Finish your intake form") if draft else _("Start your intake form"),
        link=link,
        detail=_intake_detail(todo, number),
        step_number=number,
        step_count=len(STEP_SLUGS),
    )


def _intake_detail(todo: list[str], number: int) -> str:
    if not todo:
        return _("Every step is answered: submit it")
    return _("Step %(number)s of %(count)s") % {"number": number, "count": len(STEP_SLUGS)}


def consent_items(partners: list[Partner], now: datetime, facts=None) -> Iterable[DueItem]:
    """The clinic's current consent version, not signed yet (nothing if none is published)."""
    clinic_ids = {partner.couple.clinic_id for partner in partners}
    current: dict[int, ConsentText] = {}
    texts = ConsentText.objects.filter(clinic_id__in=clinic_ids).only("clinic_id", "version")
    for text in texts.order_by("-version"):
        current.setdefault(text.clinic_id, text)
    signed = Consent.objects.filter(partner__in=partners).values_list("partner_id", "consent_text")
    signed_by: dict[int, set[int]] = defaultdict(set)
    for partner_id, text_id in signed:
        signed_by[partner_id].add(text_id)
    for partner in partners:
        text = current.get(partner.couple.clinic_id)
        if text is None or text.pk in signed_by[partner.pk]:
            continue
        yield DueItem(
            partner_id=partner.pk,
            kind=CONSENT,
            ref=CONSENT,
            label=_("Read and sign the consent form"),
            link=reverse("intake:consent_sign", kwargs={"partner_id": partner.pk}),
            detail=_("A new version") if signed_by[partner.pk] else "",
        )


def scheduled_questionnaire_items(
    partners: list[Partner], now: datetime, facts=None
) -> Iterable[DueItem]:
    """The clinic's scheduled questionnaires open now and not answered since they opened."""
    for due in _scheduled_questionnaires(partners, now):
        ref = f"questionnaire-due:{due.pk}"
        yield _questionnaire_item(
            due.partner_id, due.code, ref=ref, due_by=due.due_at, detail=_(due.reason)
        )


def screening_questionnaire_items(
    partners: list[Partner], now: datetime, facts: ScreeningFacts | None = None
) -> Iterable[DueItem]:
    """The instruments screening still needs (intake's rule): never answered, or the C-SSRS
    screener with none inside its validity. `facts`: the page's, of these partners' couple."""
    for partner, codes in _screening_questionnaires(partners, now, facts):
        for code in codes:
            yield _questionnaire_item(partner.pk, code, ref=f"screening:{code}")


def _scheduled_questionnaires(partners: list[Partner], now: datetime) -> list[QuestionnaireDue]:
    dues = QuestionnaireDue.objects.filter(
        partner__in=partners, cancelled_at=None, opens_at__lte=now
    )
    dues = followups.with_completion(dues).filter(is_done=False)
    return list(dues.order_by("due_at", "pk"))


def _screening_questionnaires(partners: list[Partner], now: datetime, facts=None):
    """(partner, codes) from `intake.selectors.questionnaires_due`, one ScreeningFacts per
    couple (its consent and settings are the couple's clinic's)."""
    by_couple: dict[int, list[Partner]] = defaultdict(list)
    for partner in partners:
        by_couple[partner.couple_id].append(partner)
    for couple_partners in by_couple.values():
        shared = facts if facts is not None and len(by_couple) == 1 else None
        couple_facts = shared or ScreeningFacts(couple_partners)
        today = timezone.localdate(now, couple_partners[0].couple.clinic.zone)
        for partner in couple_partners:
            yield partner, questionnaires_due(partner, on=today, facts=couple_facts)


def _questionnaire_item(partner_id: int, code: str, *, ref: str, due_by=None, detail=""):
    slug = code.lower()
    topic = INSTRUMENT_TOPICS.get(code, "")
    return DueItem(
        partner_id=partner_id,
        kind=QUESTIONNAIRE,
        ref=ref,
        label=_("Questionnaire %(code)s (%(topic)s)") % {"code": code, "topic": topic},
        link=reverse("intake:questionnaire_fill", kwargs={"partner_id": partner_id, "code": slug}),
        due_by=due_by,
        detail=detail,
        code=code,
    )


def checkin_items(partners: list[Partner], now: datetime, facts=None) -> Iterable[DueItem]:
    """Check-ins open now (their day has come) and not answered."""
    open_now = CheckIn.objects.filter(partner__in=partners, answered_at=None, due_at__lte=now)
    for checkin in open_now.order_by("due_at", "pk"):
        yield DueItem(
            partner_id=checkin.partner_id,
            kind=CHECKIN,
            ref=f"checkin:{checkin.pk}",
            label=_("Your day %(day)s check-in") % {"day": checkin.day},
            link=reverse("integration:checkin_answer", kwargs={"checkin_id": checkin.pk}),
            detail=_("A few questions about how you are since your session"),
        )


# In this order on the portal's list.
# Each takes (partners, now, facts): `facts` is a page's ScreeningFacts, used where it helps.
SOURCES: dict[str, Callable[..., Iterable[DueItem]]] = {
    CONSENT: consent_items,
    INTAKE: intake_items,
    SCHEDULED: scheduled_questionnaire_items,
    SCREENING: screening_questionnaire_items,
    CHECKIN: checkin_items,
}


# --- Asking -----------------------------------------------------------------------------------
def items_due_of(
    partners,
    *,
    now: datetime,
    kinds: Iterable[str] | None = None,
    facts: ScreeningFacts | None = None,
) -> dict[int, list[DueItem]]:
    """What each of `partners` has to do at `now`, by partner id (only the `kinds` of
    `SOURCES`, if given). An instrument both scheduled and needed by screening is listed
    once, as the scheduled one (it has a day to do it by).

    The consent and screening sources read each partner's couple and clinic; `facts`: the
    page's ScreeningFacts of these partners (one couple), so their rows are read once."""
    partners = list(partners)
    found: dict[int, list[DueItem]] = {partner.pk: [] for partner in partners}
    wanted = SOURCES if kinds is None else [kind for kind in SOURCES if kind in set(kinds)]
    for kind in wanted if partners else []:
        for item in SOURCES[kind](partners, now, facts):
            found[item.partner_id].append(item)
    return {partner_id: _asked_once(items) for partner_id, items in found.items()}


def _asked_once(items: list[DueItem]) -> list[DueItem]:
    scheduled = {item.code for item in items if item.ref.startswith("questionnaire-due:")}
    return [
        item for item in items if not (item.ref.startswith("screening:") and item.code in scheduled)
    ]


def items_due(
    partner: Partner, *, now: datetime, facts: ScreeningFacts | None = None
) -> list[DueItem]:
    """What `partner` has to do at `now`, in the order the portal lists it."""
    return items_due_of([partner], now=now, facts=facts)[partner.pk]


# --- Reminders about a task ------------------------------------------------------------------
# A reminder of these kinds is about one item: it goes out only while that item is due.
KIND_OF_REMINDER = {
    Reminder.Kind.INTAKE_NUDGE: INTAKE,
    Reminder.Kind.QUESTIONNAIRE_DUE: SCHEDULED,
    Reminder.Kind.CHECKIN_PROMPT: CHECKIN,
}


def reminder_ref(reminder: Reminder) -> str:
    """The `DueItem.ref` a task reminder is about."""
    if reminder.kind == Reminder.Kind.INTAKE_NUDGE:
        return INTAKE
    if reminder.kind == Reminder.Kind.QUESTIONNAIRE_DUE:
        return f"questionnaire-due:{reminder.about_id}"
    return f"checkin:{reminder.about_id}"


def due_refs_for_reminders(reminders: list[Reminder], now: datetime) -> dict[int, set[str]]:
    """For reminders of one task kind: each recipient's refs due now, in one source's reads."""
    kinds = {KIND_OF_REMINDER[reminder.kind] for reminder in reminders}
    partners = list({reminder.partner_id: reminder.partner for reminder in reminders}.values())
    due = items_due_of(partners, now=now, kinds=kinds)
    return {partner_id: {item.ref for item in items} for partner_id, items in due.items()}


def is_reminder_due(reminder: Reminder, refs: dict[int, set[str]]) -> bool:
    return reminder_ref(reminder) in refs.get(reminder.partner_id, set())
