"""Demo history for `manage.py seed_demo`: the Riveras' questionnaires over the months before
today, so their outcome plots have lines to draw. Their latest answers, of today, come
from intake's demo; these are the earlier ones."""

import datetime

from django.utils import timezone

from intake import instruments
from intake.models import Partner, QuestionnaireResponse
from kapcouples.demo import DemoSeed

DAYS_AGO = (120, 90, 60, 30)
# Totals on those days, by first name and code: symptoms easing, satisfaction rising.
HISTORY = {
    "Alex": {"PHQ-9": (16, 13, 10, 8), "GAD-7": (14, 11, 8, 6), "PCL-5": (30, 28, 24, 22),
             "CSI-4": (8, 9, 10, 11)},
    "Sam": {"PHQ-9": (11, 12, 9, 7), "GAD-7": (9, 10, 7, 5), "PCL-5": (18, 20, 19, 16),
            "CSI-4": (10, 9, 11, 12)},
}  # fmt: skip
# The PHQ-9's last item (thoughts of self-harm) stays 0: the demo raises no risk flag.
SCORED_ITEMS = {"PHQ-9": 8}


def seed(demo: DemoSeed) -> None:
    """Earlier scores of the first demo couple's partners (once)."""
    if not demo.couples:
        return
    for partner in demo.couples[0].partners.select_related("user", "couple__clinic"):
        totals = HISTORY.get(partner.first_name)
        already = partner.questionnaire_responses.filter(code="PHQ-9").count() > 1
        if totals and not already:
            _history(partner, totals)


def _history(partner: Partner, totals: dict[str, tuple[int, ...]]) -> None:
    today = timezone.localdate(timezone=partner.couple.clinic.zone)
    for code, values in totals.items():
        for days_ago, total in zip(DAYS_AGO, values, strict=True):
            answers = _answers_totalling(code, total)
            result = instruments.score(code, answers)
            day = today - datetime.timedelta(days=days_ago)
            QuestionnaireResponse.objects.create(
                partner=partner,
                code=code,
                answers=answers,
                total=result.total,
                band=result.band,
                flags=sorted(result.flags),
                completed_at=datetime.datetime.combine(
                    day, datetime.time(10), tzinfo=partner.couple.clinic.zone
                ),
                completed_by=partner.user,
            )


def _answers_totalling(code: str, total: int) -> list[int]:
    """Answers spread evenly over the items (the first items take the remainder)."""
    count = len(instruments.instrument(code).items)
    scored = SCORED_ITEMS.get(code, count)
    base, extra = divmod(total, scored)
    return [base + (n < extra) if n < scored else 0 for n in range(count)]
