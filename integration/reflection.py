"""The couple's shared reflection, written after the integration session.

One entry per partner rather than one text both edit: each partner's words stay theirs
(attributed, never changed by the other), two phones saving at once cannot overwrite
each other, and each entry keeps its own history. The page shows both side by side.

Sharing with the care team is the couple's choice: either partner shares, either
withdraws (from then on the care team sees only that it exists). The latest change
names who and when; the history keeps every change.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from intake.models import Partner
from integration.models import ReflectionEntry, Reminder, SharedReflection
from integration.outbox import reminder_schedule
from kapcouples import policy
from kapcouples.prepared import PreparedRows
from kapcouples.services import DomainError

PROMPTS = {
    "noticed": gettext_lazy("What did you notice about each other?"),
    "agreement": gettext_lazy("An agreement you want to keep"),
    "practise": gettext_lazy("What do you want to practise together?"),
}
# The prompt goes out the morning after the integration session, in each partner's zone
# (then later still if the clinic's quiet hours run past it).
PROMPT_AT = time(10, 0)
# The portal offers an unwritten reflection for this long after the session.
INVITED_FOR = timedelta(days=30)


# --- Prompting ------------------------------------------------------------------------------
def reflection_prompts_schedule(*, appointment) -> list[Reminder]:
    """A completed integration appointment of a medicine session opens the couple's
    reflection and prompts each partner who has not written their part yet, next morning."""
    if appointment.kind != "integration" or not appointment.medicine_session_id:
        return []
    reflection, _ = SharedReflection.objects.get_or_create(
        couple_id=appointment.couple_id, medicine_session_id=appointment.medicine_session_id
    )
    written = set(reflection.entries.values_list("partner_id", flat=True))
    completed = timezone.now()
    return [
        reminder_schedule(
            clinic_id=appointment.clinic_id,
            partner=partner,
            kind=Reminder.Kind.REFLECTION_PROMPT,
            about=reflection,
            due_at=next_morning(completed, partner.timezone),
            idempotency_key=f"reflection:{reflection.pk}:prompt:{partner.pk}",
            link_path=reverse("integration:reflection_detail", args=[reflection.pk]),
        )
        for partner in Partner.objects.filter(couple_id=appointment.couple_id)
        if partner.pk not in written
    ]


def next_morning(moment: datetime, zone_name: str) -> datetime:
    """`PROMPT_AT` on the day after `moment`, on the partner's own calendar."""
    zone = ZoneInfo(zone_name)
    day = timezone.localdate(moment, zone) + timedelta(days=1)
    return datetime.combine(day, PROMPT_AT, tzinfo=zone).astimezone(UTC)


def _cancel_prompt(reflection: SharedReflection, partner: Partner) -> None:
    """A partner who has written their part is not prompted to write it."""
    Reminder.objects.about(reflection).filter(
        partner=partner, kind=Reminder.Kind.REFLECTION_PROMPT, status=Reminder.Status.PENDING
    ).update(status=Reminder.Status.CANCELLED)


# --- Writing and sharing ---------------------------------------------------------------------
@transaction.atomic
def reflection_entry_save(*, reflection: SharedReflection, by, values: dict) -> ReflectionEntry:
    """Write or change the acting partner's own entry (the earlier wording stays in history)."""
    reflection = _locked(reflection)
    policy.ensure(policy.can_write_reflection, by, reflection, to="write in this reflection")
    texts = {name: (values.get(name) or "").strip() for name in PROMPTS}
    if not any(texts.values()):
        raise DomainError(_("Write something for at least one of the three prompts."))
    partner = by.partner_profile
    entry = ReflectionEntry.objects.select_for_update().filter(
        reflection=reflection, partner=partner
    ).first() or ReflectionEntry(reflection=reflection, partner=partner)
    if entry.pk and all(getattr(entry, name) == text for name, text in texts.items()):
        return entry  # nothing changed: no new version
    for name, text in texts.items():
        setattr(entry, name, text)
    entry.updated_at = timezone.now()
    entry.full_clean()
    entry.save()
    _cancel_prompt(reflection, partner)
    return entry


@transaction.atomic
def reflection_sharing_set(*, reflection: SharedReflection, by, share: bool) -> SharedReflection:
    """Share the reflection with the care team, or withdraw it from them from now on."""
    reflection = _locked(reflection)
    verb = _("share this reflection") if share else _("withdraw this reflection")
    policy.ensure(policy.can_share_reflection, by, reflection, to=verb)
    if reflection.shared_with_care_team == share:
        raise DomainError(
            _("It is already shared with your care team.")
            if share
            else _("It is not shared with your care team.")
        )
    if share and not reflection.entries.exists():
        raise DomainError(_("There is nothing to share yet: write your part first."))
    reflection.shared_with_care_team = share
    reflection.sharing_changed_by, reflection.sharing_changed_at = by, timezone.now()
    reflection.full_clean()
    reflection.save()
    return reflection


def _locked(reflection: SharedReflection) -> SharedReflection:
    return (
        SharedReflection.objects.select_for_update().select_related("couple").get(pk=reflection.pk)
    )


# --- Reading ---------------------------------------------------------------------------------
def reflection_invited(partner: Partner, now: datetime) -> SharedReflection | None:
    """The reflection this partner is invited to write now, or None: their couple's latest,
    opened within `INVITED_FOR` and without their part. For the portal's next step."""
    latest, invited = portal_reflection(partner, now)
    return latest if invited else None


def portal_reflection(partner: Partner, now: datetime) -> tuple[SharedReflection | None, bool]:
    """The couple's latest reflection and whether it invites this partner (one query)."""
    mine = ReflectionEntry.objects.filter(reflection=OuterRef("pk"), partner=partner)
    latest = (
        SharedReflection.objects.filter(couple_id=partner.couple_id, created_at__lte=now)
        .annotate(written_by_me=Exists(mine))
        .order_by("-created_at")
        .first()
    )
    invited = latest is not None and not latest.written_by_me
    return latest, invited and latest.created_at > now - INVITED_FOR


@dataclass(frozen=True)
class Answer:
    prompt: str
    text: str


@dataclass(frozen=True)
class EntryView:
    partner: Partner
    is_mine: bool
    answers: list[Answer]
    updated_at: datetime


@dataclass(frozen=True)
class ReflectionSheet:
    """What one reader may see and do on a reflection's page."""

    reflection: SharedReflection
    readable: bool
    entries: list[EntryView] = field(default_factory=list)
    waiting_for: list[Partner] = field(default_factory=list)
    may_write: bool = False
    own_values: dict = field(default_factory=dict)


def reflection_sheet(user, reflection: SharedReflection) -> ReflectionSheet:
    """The page of `reflection` as `user` may see it: the words only for its readers."""
    if not policy.can_read_reflection(user, reflection):
        return ReflectionSheet(reflection=reflection, readable=False)
    entries = list(reflection.entries.select_related("partner"))
    written = {entry.partner_id for entry in entries}
    mine = [entry for entry in entries if entry.partner.user_id == user.pk]
    return ReflectionSheet(
        reflection=reflection,
        readable=True,
        entries=[_entry_view(entry, user) for entry in entries],
        waiting_for=[p for p in reflection.couple.partners.all() if p.pk not in written],
        may_write=policy.can_write_reflection(user, reflection),
        own_values={name: getattr(mine[0], name) for name in PROMPTS} if mine else {},
    )


def _entry_view(entry: ReflectionEntry, user) -> EntryView:
    answers = [Answer(str(PROMPTS[name]), getattr(entry, name)) for name in PROMPTS]
    return EntryView(
        partner=entry.partner,
        is_mine=entry.partner.user_id == user.pk,
        answers=[answer for answer in answers if answer.text],
        updated_at=entry.updated_at,
    )


@dataclass(frozen=True)
class ReflectionRow:
    """A reflection on the care team's couple page: who wrote, and the link while shared."""

    reflection: SharedReflection
    held_on: datetime
    written_by: list[str]
    readable: bool


def reflections_for_care_team(user, couple) -> list[ReflectionRow]:
    """The couple's reflections; the care team may open one only while it is shared."""
    may_read = policy.reflection_reader(user, couple)
    return [
        ReflectionRow(
            reflection=reflection,
            held_on=reflection.medicine_session.appointment.start,
            written_by=[entry.partner.first_name for entry in reflection.entries.all()],
            readable=may_read(reflection),
        )
        for reflection in _COUPLES_REFLECTIONS.rows(None, couple_id=couple.pk)
    ]


def _reflections_of(_shape, *, couple_id: int) -> QuerySet[SharedReflection]:
    return (
        SharedReflection.objects.filter(couple_id=couple_id)
        .select_related("couple", "medicine_session__appointment")
        .prefetch_related("entries__partner")
    )


# On every couple page: its SQL built once per process (kapcouples.prepared).
_COUPLES_REFLECTIONS = PreparedRows(_reflections_of)
