"""This app's part of `manage.py seed_demo` (safe to run twice): the Brooks couple's
scores and check-ins around their medicine sessions, so the chart, the outcome plots and
the treatment summary have a whole program to show.

Jamie improves (PHQ-9 16 to 5), Quinn does not (PHQ-9 stays about 12), and both
partners' CSI-4 rises above the distress cut-off."""

import datetime

from django.utils import timezone

from intake import instruments
from intake.models import Partner, QuestionnaireResponse
from integration.models import CheckIn
from kapcouples.demo import DemoSeed
from sessions.demo import BROOKS_MEDICINE_DAYS
from sessions.models import MedicineSession

# Scores at baseline, then a week after each of the three medicine sessions held.
SCORES = {
    "jamie.brooks@demo.kap": {
        "PHQ-9": (16, 12, 8, 5),
        "GAD-7": (13, 10, 7, 5),
        "PCL-5": (41, 35, 27, 20),
        "CSI-4": (9, 11, 14, 16),
    },
    "quinn.brooks@demo.kap": {
        "PHQ-9": (11, 12, 13, 12),
        "GAD-7": (9, 10, 10, 11),
        "PCL-5": (28, 30, 29, 31),
        "CSI-4": (10, 12, 13, 15),
    },
}
CONNECTION_AFTER_EACH_SESSION = {
    "jamie.brooks@demo.kap": (5, 7, 8),
    "quinn.brooks@demo.kap": (4, 5, 7),
}


def seed(demo: DemoSeed) -> None:
    for email, scores in SCORES.items():
        partner = Partner.objects.filter(email=email).select_related("couple__clinic").first()
        if (
            partner is None
            or QuestionnaireResponse.objects.filter(partner=partner, code="CSI-4").exists()
        ):
            continue
        if partner.user is None:  # a login, so the partner's portal shows their history
            partner.user = demo.make_user(partner.email, partner.full_name)
            partner.save(update_fields=["user"])
            demo.logins.append(partner.email)
        zone = partner.couple.clinic.zone
        days = [BROOKS_MEDICINE_DAYS[0] - 20, *(d + 7 for d in BROOKS_MEDICINE_DAYS[:3])]
        for code, totals in scores.items():
            for day, total in zip(days, totals, strict=True):
                _response(partner, code, total, _on(day, zone))
        _checkins(partner, CONNECTION_AFTER_EACH_SESSION[email])


def _on(days: int, zone) -> datetime.datetime:
    day = timezone.localdate(timezone=zone) + datetime.timedelta(days=days)
    return datetime.datetime.combine(day, datetime.time(19, 30), tzinfo=zone)


def _response(partner: Partner, code: str, total: int, at: datetime.datetime) -> None:
    answers = answers_adding_up_to(code, total)
    result = instruments.score(code, answers)
    QuestionnaireResponse.objects.create(
        partner=partner,
        code=code,
        answers=answers,
        total=result.total,
        band=result.band,
        flags=sorted(result.flags),
        completed_at=at,
        completed_by=partner.user,
    )


def answers_adding_up_to(code: str, total: int) -> list[int]:
    """Item answers whose sum is `total`, filled from the first item on (so PHQ-9's item 9,
    the last, stays 0 at the totals the demo uses)."""
    answers = []
    left = total
    for item in instruments.instrument(code).items:
        values = sorted(option.value for option in item.options)
        value = max((v for v in values if v <= left), default=values[0])
        answers.append(value)
        left -= value
    return answers


def _checkins(partner: Partner, connections: tuple[int, ...]) -> None:
    sessions = MedicineSession.objects.filter(
        couple=partner.couple, status=MedicineSession.Status.COMPLETED
    ).order_by("started_at")
    for session, connection in zip(sessions, connections, strict=False):
        due = session.completed_at + datetime.timedelta(days=1)
        CheckIn.objects.get_or_create(
            partner=partner,
            medicine_session=session,
            day=1,
            defaults={
                "couple": partner.couple,
                "due_at": due,
                "answered_at": due + datetime.timedelta(hours=3),
                "connection": connection,
                "came_up": "Feeling more able to say what I need.",
                "practice": "A weekly walk to check in with each other.",
            },
        )
