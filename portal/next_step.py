"""The one next step at the top of the portal: pure, decided from a `Snapshot`.

Each provider looks at the snapshot and offers a step or None; the first that offers one
wins, in the order of `PROVIDERS`. To add a step (a preparation checklist, the ride home
to confirm, a shared reflection), write a provider and put it in `PROVIDERS` where it
ranks; the card and the "what happens next" page show whatever wins.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _

from integration import due
from portal.selectors import AppointmentRow, Snapshot
from waitlist.models import KIND_LABELS

# An appointment this close is the next step when nothing is left to do before it.
SOON = timedelta(days=7)


@dataclass(frozen=True)
class NextStep:
    key: str  # which provider offered it
    title: str
    detail: str = ""
    action: str = ""  # the button's words; no button without them
    link: str = ""
    notes: list[str] = field(default_factory=list)


# --- Words for times, in the partner's zone ---------------------------------------------------
def _local(moment: datetime, snapshot: Snapshot) -> datetime:
    return moment.astimezone(snapshot.zone)


def day_words(moment: datetime, snapshot: Snapshot) -> str:
    """ "today", "tomorrow", a weekday within the week, else the date."""
    days = (_local(moment, snapshot).date() - _local(snapshot.now, snapshot).date()).days
    if days == 0:
        return _("today")
    if days == 1:
        return _("tomorrow")
    if 1 < days < 7:
        return formats.date_format(_local(moment, snapshot), "l")
    return formats.date_format(_local(moment, snapshot), "j F")


def when_words(moment: datetime, snapshot: Snapshot) -> str:
    """ "Thursday 10:00", "tomorrow 09:30"."""
    return f"{day_words(moment, snapshot)} {formats.time_format(_local(moment, snapshot), 'H:i')}"


# --- The providers, in order ---------------------------------------------------------------
def _first(snapshot: Snapshot, kind: str) -> due.DueItem | None:
    return next((item for item in snapshot.due if item.kind == kind), None)


def consent_step(snapshot: Snapshot) -> NextStep | None:
    item = _first(snapshot, due.CONSENT)
    if item is None:
        return None
    detail = _("The clinic has changed its consent form; please read the new version.")
    return NextStep(
        key="consent",
        title=item.label,
        detail=detail if item.detail else _("Your care team needs it before treatment starts."),
        action=_("Read the consent form"),
        link=item.link,
    )


def intake_step(snapshot: Snapshot) -> NextStep | None:
    item = _first(snapshot, due.INTAKE)
    if item is None:
        return None
    started = item.step_number and item.step_number > 1
    return NextStep(
        key="intake",
        title=item.label,
        detail=item.detail,
        action=_("Continue") if started else _("Start"),
        link=item.link,
    )


def _sentence(words) -> str:
    """A due item's reason as a sentence of its own ("Before your session.")."""
    words = str(words or "").strip()
    return words if not words or words.endswith((".", "!", "?")) else f"{words}."


def questionnaire_step(snapshot: Snapshot) -> NextStep | None:
    item = _first(snapshot, due.QUESTIONNAIRE)
    if item is None:
        return None
    detail = _("By %(day)s.") % {"day": day_words(item.due_by, snapshot)} if item.due_by else ""
    return NextStep(
        key="questionnaire",
        title=item.label,
        detail=" ".join(part for part in (_sentence(item.detail), detail) if part),
        action=_("Answer it now"),
        link=item.link,
    )


def checkin_step(snapshot: Snapshot) -> NextStep | None:
    item = _first(snapshot, due.CHECKIN)
    if item is None:
        return None
    return NextStep(
        key="checkin", title=item.label, detail=item.detail, action=_("Answer"), link=item.link
    )


def _preparation_step(snapshot: Snapshot, kind: str, action: str) -> NextStep | None:
    pending = next((step for step in snapshot.preparation if step.kind == kind), None)
    if pending is None:
        return None
    detail = _("For your medicine session %(when)s.") % {
        "when": when_words(pending.starts_at, snapshot)
    }
    return NextStep(key=kind, title=pending.text, detail=detail, action=action, link=pending.url)


def ride_home_step(snapshot: Snapshot) -> NextStep | None:
    return _preparation_step(snapshot, "ride_home", _("Confirm my ride home"))


def checklist_step(snapshot: Snapshot) -> NextStep | None:
    return _preparation_step(snapshot, "checklist", _("Open the checklist"))


def reflection_step(snapshot: Snapshot) -> NextStep | None:
    if not snapshot.reflection_invited:
        return None
    return NextStep(
        key="reflection",
        title=_("Write your part of your shared reflection"),
        detail=_(
            "What you noticed about each other, an agreement you want to keep, what you "
            "want to practise together. Your partner reads it; your care team only if you "
            "share it."
        ),
        action=_("Write my part"),
        link=reverse(
            "integration:reflection_detail", kwargs={"reflection_id": snapshot.reflection.pk}
        ),
    )


def offer_step(snapshot: Snapshot) -> NextStep | None:
    """A cancelled time offered from the waitlist: it goes to the first couple to accept."""
    if not snapshot.offers:
        return None
    offer = snapshot.offers[0].offer
    return NextStep(
        key="waitlist_offer",
        title=_("A time has come free: %(when)s") % {"when": when_words(offer.start, snapshot)},
        detail=_("%(kind)s. It goes to the first couple who accepts.")
        % {"kind": KIND_LABELS[offer.kind]},
        action=_("See the offered time"),
        link=reverse("waitlist:offer", kwargs={"recipient_id": snapshot.offers[0].pk}),
    )


def _soon(snapshot: Snapshot) -> AppointmentRow | None:
    upcoming = [row for row in snapshot.upcoming if row.start - snapshot.now <= SOON]
    return upcoming[0] if upcoming else None


def appointment_step(snapshot: Snapshot) -> NextStep | None:
    row = _soon(snapshot)
    if row is None:
        return None
    title = _("%(kind)s %(when)s at %(room)s") % {
        "kind": row.kind_label,
        "when": when_words(row.start, snapshot),
        "room": row.room,
    }
    return NextStep(
        key="appointment",
        title=title,
        detail=_("What to bring and who takes you home:") if row.is_medicine else "",
        action=_("Add to my calendar"),
        link=row.ics_link,
        notes=_medicine_notes(snapshot) if row.is_medicine else [],
    )


def _medicine_notes(snapshot: Snapshot) -> list[str]:
    if snapshot.ride_home:
        ride = _("%(name)s takes you home; you may not drive until the next day.") % {
            "name": snapshot.ride_home
        }
    else:
        ride = _("Arrange for someone to take you home: you may not drive until the next day.")
    return [*snapshot.preparation_lines, ride]


def home_session_step(snapshot: Snapshot) -> NextStep | None:
    """An at-home medicine session today: the dosing partner measures and doses, the
    chaperone partner confirms presence and checks. Only a new consent form comes before it
    (the session cannot go on without current consent anyway)."""
    if snapshot.home_session is None:
        return None
    session, role = snapshot.home_session
    when = when_words(session.appointment.start, snapshot)
    if role == "dosing":
        title = _("Your at-home session %(when)s") % {"when": when}
        detail = _(
            "Measure your blood pressure, then take your medicine once your chaperone is with you."
        )
        action = _("Open my at-home session")
    else:
        title = _("You are the chaperone %(when)s") % {"when": when}
        detail = _(
            "Confirm you are there before the medicine, then answer each check when it is due."
        )
        action = _("Open the chaperone checks")
    link = reverse("athome:home_session", kwargs={"session_id": session.pk})
    return NextStep(key="home_session", title=title, detail=detail, action=action, link=link)


def nothing_step(snapshot: Snapshot) -> NextStep:
    """Nothing to do now: say what happens next."""
    if snapshot.upcoming:
        row = snapshot.upcoming[0]
        detail = _("Your next appointment: %(kind)s, %(when)s.") % {
            "kind": row.kind_label,
            "when": when_words(row.start, snapshot),
        }
    else:
        detail = _("Your care team will be in touch to arrange your next appointment.")
    return NextStep(key="nothing", title=_("Nothing to do right now"), detail=detail)


Provider = Callable[[Snapshot], NextStep | None]

# The order in which steps win. Insert new providers here, where they rank.
# An offered time comes right after a new consent form: it is the one step that is lost
# if left for later (it goes to the first couple who accepts).
PROVIDERS: list[Provider] = [
    consent_step,
    home_session_step,
    offer_step,
    intake_step,
    questionnaire_step,
    checkin_step,
    ride_home_step,
    checklist_step,
    reflection_step,
    appointment_step,
]


def next_step(snapshot: Snapshot, providers: list[Provider] | None = None) -> NextStep:
    """The first step a provider offers, else what happens next."""
    for provider in PROVIDERS if providers is None else providers:
        step = provider(snapshot)
        if step is not None:
            return step
    return nothing_step(snapshot)
