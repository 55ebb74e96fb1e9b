"""This app's part of `manage.py seed_demo` (safe to run twice): scores over time, so the
chart, the outcome plots and the treatment summary have lines to draw.

- The Riveras: four monthly sets before today (their latest, of today, come from intake's
  demo): symptoms easing, satisfaction rising.
- The Brooks couple: scores and check-ins around their three medicine sessions. Jamie
  improves (PHQ-9 16 to 5), Quinn does not (PHQ-9 stays about 12), and both partners'
  CSI-4 rises above the distress cut-off.
"""

import datetime

from django.utils import timezone

from intake import instruments
from intake.models import Partner, QuestionnaireResponse
from integration.models import CheckIn
from kapcouples.demo import DemoSeed
from sessions.demo import BROOKS_MEDICINE_DAYS
from sessions.models import MedicineSession

RIVERA_DAYS_AGO = (120, 90, 60, 30)
# Totals on those days, by first name and code.
RIVERA_HISTORY = {
    "Alex": {"PHQ-9": (16, 13, 10, 8), "GAD-7": (14, 11, 8, 6), "PCL-5": (30, 28, 24, 22),
             "CSI-4": (8, 9, 10, 11)},
    "Sam": {"PHQ-9": (11, 12, 9, 7), "GAD-7": (9, 10, 7, 5), "PCL-5": (18, 20, 19, 16),
            "CSI-4": (10, 9, 11, 12)},
}  # fmt: skip
# Brooks: at baseline, then a week after each of the three medicine sessions held.
BROOKS_SCORES = {
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
# The PHQ-9's last item (thoughts of self-harm) stays 0: the demo raises no risk flag.
SCORED_ITEMS = {"PHQ-9": 8}


def seed(demo: DemoSeed) -> None:
    if demo.couples:
        _rivera(demo.couples[0])
    _brooks(demo)


def _rivera(couple) -> None:
    for partner in couple.partners.select_related("user", "couple__clinic"):
        totals = RIVERA_HISTORY.get(partner.first_name)
        already = partner.questionnaire_responses.filter(code="PHQ-9").count() > 1
        if not totals or already:
            continue
        today = timezone.localdate(timezone=partner.couple.clinic.zone)
        for code, values in totals.items():
            for days_ago, total in zip(RIVERA_DAYS_AGO, values, strict=True):
                day = today - datetime.timedelta(days=days_ago)
                _response(partner, code, total, _at(day, 10, partner.couple.clinic.zone))


def _brooks(demo: DemoSeed) -> None:
    for email, scores in BROOKS_SCORES.items():
        partner = Partner.objects.filter(email=email).select_related("couple__clinic").first()
        if partner is None or partner.questionnaire_responses.filter(code="CSI-4").exists():
            continue
        if partner.user is None:  # a login, so the partner's portal shows their history
            partner.user = demo.make_user(partner.email, partner.full_name)
            partner.save(update_fields=["user"])
            demo.logins.append(partner.email)
        zone = partner.couple.clinic.zone
        today = timezone.localdate(timezone=zone)
        days = [BROOKS_MEDICINE_DAYS[0] - 20, *(d + 7 for d in BROOKS_MEDICINE_DAYS[:3])]
        for code, totals in scores.items():
            for day, total in zip(days, totals, strict=True):
                _response(partner, code, total, _at(today + datetime.timedelta(day), 19, zone))
        _checkins(partner, CONNECTION_AFTER_EACH_SESSION[email])


def _at(day: datetime.date, hour: int, zone) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=zone)


def _response(partner: Partner, code: str, total: int, at: datetime.datetime) -> None:
    answers = answers_totalling(code, total)
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


def answers_totalling(code: str, total: int) -> list[int]:
    """Answers spread evenly over the items (the first items take the remainder)."""
    count = len(instruments.instrument(code).items)
    scored = SCORED_ITEMS.get(code, count)
    base, extra = divmod(total, scored)
    return [base + (n < extra) if n < scored else 0 for n in range(count)]


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
