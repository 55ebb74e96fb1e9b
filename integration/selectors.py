"""Reads of messages, check-ins, notes and due questionnaires, scoped to the viewer."""

from dataclasses import dataclass

from django.apps import apps
from django.db.models import Case, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from intake.selectors import couples_for_user
from integration import followups
from integration.models import Alert, CheckIn, IntegrationNote, QuestionnaireDue, Reminder
from kapcouples import policy
from kapcouples.prepared import PreparedCount, PreparedRows

ANSWER_FIELDS = (
    ("came_up", "share_came_up", _("What came up")),
    ("practice", "share_practice", _("What to practise")),
    ("connection", "share_connection", _("How connected (0–10)")),
)


def outbox_for_user(user, *, status: str = "", kind: str = "") -> QuerySet[Reminder]:
    """The clinic's outbox, newest first; recipients joined so the page makes one query."""
    reminders = Reminder.objects.filter(clinic_id=policy.staff_clinic_id(user))
    if status:
        reminders = reminders.filter(status=status)
    if kind:
        reminders = reminders.filter(kind=kind)
    return reminders.select_related("partner", "staff_user", "chaperone").order_by("-due_at", "-pk")


def couples_openable(user, reminders) -> set[int]:
    """Of the couples these messages went to, those whose page this user may open (front
    desk: the clinic's; clinicians: their care teams'), in one query whatever the page."""
    couple_ids = {r.partner.couple_id for r in reminders if r.partner_id}
    if not couple_ids:
        return set()
    mine = couples_for_user(user).prefetch_related(None).filter(pk__in=couple_ids)
    return set(mine.values_list("pk", flat=True))


@dataclass(frozen=True)
class VisibleAnswer:
    label: str
    value: object
    shared: bool


def visible_answers(user, checkin: CheckIn, *, may_read=None) -> list[VisibleAnswer]:
    """The answers of a check-in this user may read (the other partner: shared ones only).

    `may_read`: the page's `policy.checkin_answer_reader(user)`, when it lists several."""
    may_read = may_read or policy.checkin_answer_reader(user)
    return [
        VisibleAnswer(label, getattr(checkin, field), getattr(checkin, flag))
        for field, flag, label in ANSWER_FIELDS
        if may_read(checkin, flag) and getattr(checkin, field) not in (None, "")
    ]


def answered_checkins(user, checkins) -> list[tuple[CheckIn, list[VisibleAnswer]]]:
    """Each check-in with the answers this user may read of it."""
    may_read = policy.checkin_answer_reader(user)
    return [(checkin, visible_answers(user, checkin, may_read=may_read)) for checkin in checkins]


def checkins_of_couple(couple) -> QuerySet[CheckIn]:
    """`couple`: the couple or its id (as for every `…_of_couple` here)."""
    return CheckIn.objects.filter(couple=couple).select_related("partner__couple")


def shared_checkins_for_partner(user, partner) -> list[tuple[CheckIn, list[VisibleAnswer]]]:
    """Answered check-ins of the couple with what this partner may read of each."""
    answered = checkins_of_couple(partner.couple).exclude(answered_at=None).order_by("-due_at")
    return [
        (checkin, answers) for checkin, answers in answered_checkins(user, answered[:20]) if answers
    ]


def questionnaires_due_of(partners, *, most: int = 20) -> dict[int, list[QuestionnaireDue]]:
    """The open due questionnaires (soonest `most`) of each of `partners`, in one query."""
    found = {partner.pk: [] for partner in partners}
    dues = _OPEN_DUES.rows(None, partner_ids=list(found), now=timezone.now())
    for due in dues:
        if len(found[due.partner_id]) < most:
            found[due.partner_id].append(due)
    return found


def _open_dues(_shape, *, partner_ids: list[int], now) -> QuerySet[QuestionnaireDue]:
    dues = QuestionnaireDue.objects.filter(partner__in=partner_ids, cancelled_at=None)
    dues = followups.with_completion(dues.filter(opens_at__lte=now))
    return dues.filter(is_done=False).order_by("due_at")


# On every couple page: its SQL built once per process (kapcouples.prepared).
_OPEN_DUES = PreparedRows(_open_dues)


def notes_of_couple(couple) -> QuerySet[IntegrationNote]:
    return IntegrationNote.objects.filter(couple=couple).select_related("appointment")


def integration_appointments_without_note(couple):
    Appointment = apps.get_model("clinic_sessions", "Appointment")  # see integration.lookups
    return Appointment.objects.filter(
        couple=couple, kind=Appointment.Kind.INTEGRATION, integration_note__isnull=True
    ).exclude(status=Appointment.Status.CANCELLED)


def open_alerts_of_couple(couple) -> QuerySet[Alert]:
    """The couple's unresolved alerts, urgent first."""
    alerts = Alert.objects.filter(couple=couple, resolved_at=None)
    return _urgent_first(alerts).select_related("partner", "acknowledged_by")


def open_alerts_for_user(user) -> QuerySet[Alert]:
    """Unresolved alerts of the couples on this user's care team, urgent first, then the
    newest (the alerts inbox). Nobody else's: front desk and admins get none."""
    clinic_id = policy.staff_clinic_id(user)
    if clinic_id is None or policy.role_of(user) not in policy.CARE_TEAM:
        return Alert.objects.none()
    return _urgent_first(_open_alerts_of(member_id=user.pk, clinic_id=clinic_id))


def _open_alerts_of(*, member_id: int, clinic_id: int) -> QuerySet[Alert]:
    Couple = apps.get_model("intake", "Couple")
    mine = Couple.objects.of_clinic(clinic_id).with_care_team_member(member_id).values("pk")
    return Alert.objects.filter(clinic_id=clinic_id, resolved_at=None, couple__in=mine)


_OPEN_ALERTS = PreparedCount(lambda _shape, **ids: _open_alerts_of(**ids))


def open_alert_count(user) -> int:
    """The navigation badge: how many alerts wait in this user's inbox (its SQL built once
    per process: the navigation shows it on every page)."""
    clinic_id = policy.staff_clinic_id(user)
    if clinic_id is None or policy.role_of(user) not in policy.CARE_TEAM:
        return 0
    return _OPEN_ALERTS.count("care team", member_id=user.pk, clinic_id=clinic_id)


def _urgent_first(alerts: QuerySet[Alert]) -> QuerySet[Alert]:
    urgent = Case(When(urgency=Alert.Urgency.URGENT, then=Value(0)), default=Value(1))
    return alerts.order_by(urgent, "-raised_at", "-pk")
