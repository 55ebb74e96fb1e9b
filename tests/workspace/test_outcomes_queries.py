"""The outcome plots and the portal's own history read a fixed number of rows' worth of
queries, however many questionnaires the partners have answered."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.workspace.helpers import medicine_session, score

CODES = ("PHQ-9", "GAD-7", "PCL-5", "CSI-4")
# session, user, 2FA, couple, care-team checks (5), audit (and its subject: the couple's
# initials), data (2), nav
OUTCOMES_BOUND = 15
HISTORY_BOUND = 10  # the portal's history page, as in tests/kapcouples/test_query_counts.py


def grow(cast, per_partner: int, *, offset: int = 0) -> None:
    """`per_partner` more scores for each partner (the four plotted codes in turn), and a
    medicine session every tenth."""
    first = datetime.date(2025, 1, 1)
    for n in range(offset, offset + per_partner):
        day = first + datetime.timedelta(days=3 * n)
        for partner in (cast.partner_a, cast.partner_b):
            score(cast, partner, CODES[n % 4], day, n % 20)
        if n % 10 == 9:
            medicine_session(cast, day + datetime.timedelta(days=1))


def count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "who,url_of,bound",
    [
        (
            "prescriber",  # on the team through care_team, not as primary clinician
            lambda cast: reverse("workspace:outcomes", kwargs={"couple_id": cast.couple.pk}),
            OUTCOMES_BOUND,
        ),
        ("partner_a", lambda cast: reverse("portal:history"), HISTORY_BOUND),
    ],
)
def test_the_page_makes_as_many_queries_with_3_or_40_scores_a_partner(
    who, url_of, bound, cast, client_for, django_assert_max_num_queries
):
    client = client_for(cast.user(who))
    url = url_of(cast)
    client.get(url)  # first request: sessions and settings rows settle
    grow(cast, 3)
    small = count(client, url)
    grow(cast, 37, offset=3)
    with django_assert_max_num_queries(bound):
        large = count(client, url)
    assert large == small
