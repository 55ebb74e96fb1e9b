"""The care team's outcome plots: every point, marker and line where its data says, and the
same numbers in the table beside it."""

import datetime

import pytest
from django.urls import reverse

from sessions.models import MedicineSession
from tests.sessions.factories import local
from tests.workspace.helpers import medicine_session, score, svg_of, table_rows

D = datetime.date
LEFT, RIGHT, TOP, BOTTOM = 44, 624, 12, 224  # the drawing area in SVG user units
FIRST, LAST = D(2026, 2, 1), D(2026, 11, 1)  # the couple's first and last data below


def expected_x(day: datetime.date) -> float:
    return LEFT + (RIGHT - LEFT) * (day - FIRST).days / (LAST - FIRST).days


def expected_y(total: float, high: int) -> float:
    return BOTTOM - (BOTTOM - TOP) * total / high


PHQ9_A = [(D(2026, 3, 1), 14), (D(2026, 6, 1), 9), (D(2026, 10, 1), 6)]
CSI4_A = [(D(2026, 2, 1), 11), (D(2026, 9, 1), 16)]
CSI4_B = [(D(2026, 2, 3), 8), (D(2026, 11, 1), 15)]
SESSIONS = [D(2026, 4, 15), D(2026, 7, 20)]


@pytest.fixture
def charted(cast):
    for day, total in PHQ9_A:
        score(cast, cast.partner_a, "PHQ-9", day, total)
    for partner, readings in ((cast.partner_a, CSI4_A), (cast.partner_b, CSI4_B)):
        for day, total in readings:
            score(cast, partner, "CSI-4", day, total)
    score(cast, cast.partner_a, "C-SSRS", D(2026, 5, 5), 0)  # not plotted
    for day in SESSIONS:
        medicine_session(cast, day)
    medicine_session(cast, D(2026, 8, 30), started=False)  # booked, never held: no marker
    return cast


def page(cast, client_for, who="clinician") -> str:
    url = reverse("workspace:outcomes", kwargs={"couple_id": cast.couple.pk})
    response = client_for(cast.user(who)).get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_each_point_of_a_partners_plot_sits_at_its_date_and_score(charted, client_for):
    svg = svg_of(page(charted, client_for), f"plot-{charted.partner_a.pk}-PHQ-9")
    circles = svg.findall(".//{http://www.w3.org/2000/svg}circle")
    assert len(circles) == len(PHQ9_A)
    for circle, (day, total) in zip(circles, PHQ9_A, strict=True):
        assert float(circle.get("cx")) == pytest.approx(expected_x(day), abs=0.01)
        assert float(circle.get("cy")) == pytest.approx(expected_y(total, 27), abs=0.01)
        assert (circle.get("data-day"), circle.get("data-score")) == (day.isoformat(), str(total))
    line = svg.find(".//{http://www.w3.org/2000/svg}polyline")
    assert line.get("points") == " ".join(f"{c.get('cx')},{c.get('cy')}" for c in circles)


def test_medicine_sessions_are_vertical_lines_at_their_dates(charted, client_for):
    html = page(charted, client_for)
    for key in (f"plot-{charted.partner_a.pk}-PHQ-9", f"plot-{charted.couple.pk}-couple"):
        markers = svg_of(html, key).findall(
            ".//{http://www.w3.org/2000/svg}line[@class='plot-session']"
        )
        assert [m.get("data-day") for m in markers] == [day.isoformat() for day in SESSIONS]
        for marker, day in zip(markers, SESSIONS, strict=True):
            assert float(marker.get("x1")) == float(marker.get("x2"))
            assert float(marker.get("x1")) == pytest.approx(expected_x(day), abs=0.01)
            assert (float(marker.get("y1")), float(marker.get("y2"))) == (TOP, BOTTOM)


@pytest.mark.parametrize(
    "code,cutoff,high", [("PHQ-9", 10, 27), ("GAD-7", 10, 21), ("PCL-5", 33, 80)]
)
def test_each_partner_plot_draws_its_cut_off(code, cutoff, high, charted, client_for):
    score(charted, charted.partner_b, code, D(2026, 5, 1), 3)
    svg = svg_of(page(charted, client_for), f"plot-{charted.partner_b.pk}-{code}")
    cut = svg.find(".//{http://www.w3.org/2000/svg}line[@class='plot-cutoff']")
    assert (
        float(cut.get("y1"))
        == float(cut.get("y2"))
        == pytest.approx(expected_y(cutoff, high), abs=0.01)
    )
    assert cut.get("data-cutoff") == str(cutoff)


def test_the_couple_plot_shows_both_partners_csi4_with_different_markers(charted, client_for):
    svg = svg_of(page(charted, client_for), f"plot-{charted.couple.pk}-couple")
    cut = svg.find(".//{http://www.w3.org/2000/svg}line[@class='plot-cutoff']")
    assert float(cut.get("y1")) == pytest.approx(expected_y(13.5, 21), abs=0.01)
    groups = svg.findall(".//{http://www.w3.org/2000/svg}g[@data-label]")
    assert [g.get("data-label") for g in groups] == ["Alexa", "Bobbie"]
    circles = groups[0].findall("{http://www.w3.org/2000/svg}circle")
    squares = groups[1].findall("{http://www.w3.org/2000/svg}rect")
    assert not groups[0].findall("{http://www.w3.org/2000/svg}rect")
    assert not groups[1].findall("{http://www.w3.org/2000/svg}circle")
    centres_a = [(float(c.get("cx")), float(c.get("cy"))) for c in circles]
    centres_b = [(float(r.get("x")) + 4, float(r.get("y")) + 4) for r in squares]
    for centres, readings in ((centres_a, CSI4_A), (centres_b, CSI4_B)):
        assert centres == [
            (
                pytest.approx(expected_x(day), abs=0.01),
                pytest.approx(expected_y(total, 21), abs=0.01),
            )
            for day, total in readings
        ]
    assert "plot-series-1" in groups[1].get("class")  # dashed in plots.css


def test_the_table_beside_each_plot_lists_the_same_scores(charted, client_for):
    html = page(charted, client_for)
    assert table_rows(html, f"plot-{charted.partner_a.pk}-PHQ-9") == [
        ["1 Mar 2026", "14"],
        ["1 Jun 2026", "9"],
        ["1 Oct 2026", "6"],
    ]
    assert table_rows(html, f"plot-{charted.couple.pk}-couple") == [
        ["1 Feb 2026", "Alexa", "11"],
        ["3 Feb 2026", "Bobbie", "8"],
        ["1 Sep 2026", "Alexa", "16"],
        ["1 Nov 2026", "Bobbie", "15"],
    ]


def test_a_questionnaire_not_yet_answered_says_so_without_a_plot(charted, client_for):
    html = page(charted, client_for)
    key = f'id="plot-{charted.partner_b.pk}-GAD-7"'
    start = html.index(key)
    section = html[start : html.index("</figure>", start)]
    assert "No GAD-7 answered yet." in section and "<svg" not in section


def test_a_couple_with_no_scores_at_all_gets_a_page_of_empty_plots(cast, client_for):
    html = page(cast, client_for)
    assert "<svg" not in html
    assert html.count("answered yet.") == 7  # three per partner and the couple's CSI-4


def test_a_single_score_sits_in_the_middle(cast, client_for):
    score(cast, cast.partner_a, "GAD-7", D(2026, 5, 5), 12)
    svg = svg_of(page(cast, client_for), f"plot-{cast.partner_a.pk}-GAD-7")
    (circle,) = svg.findall(".//{http://www.w3.org/2000/svg}circle")
    assert float(circle.get("cx")) == (LEFT + RIGHT) / 2
    assert float(circle.get("cy")) == pytest.approx(expected_y(12, 21), abs=0.01)


def test_the_svg_is_labelled_for_screen_readers(charted, client_for):
    key = f"plot-{charted.partner_a.pk}-PHQ-9"
    svg = svg_of(page(charted, client_for), key)
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == f"{key}-title {key}-desc"
    assert svg.find("{http://www.w3.org/2000/svg}title").text == "Alexa: PHQ-9 (mood)"
    desc = svg.find("{http://www.w3.org/2000/svg}desc").text
    assert "3 scores" in desc and "2 medicine sessions" in desc
    assert "style=" not in page(charted, client_for)  # the CSP forbids inline styles


def test_late_evening_scores_and_sessions_fall_on_the_clinics_day_not_utcs(cast, client_for):
    evening = local(cast, D(2026, 3, 9), 23, 30)  # already 10 March in UTC
    score(cast, cast.partner_a, "PHQ-9", D(2026, 3, 1), 12)
    response = score(cast, cast.partner_a, "PHQ-9", D(2026, 3, 1), 8)
    response.completed_at = evening
    response.save()
    session = medicine_session(cast, D(2026, 3, 5))
    MedicineSession.objects.filter(pk=session.pk).update(
        started_at=local(cast, D(2026, 3, 5), 23, 45)
    )
    html = page(cast, client_for)
    svg = svg_of(html, f"plot-{cast.partner_a.pk}-PHQ-9")
    days = [c.get("data-day") for c in svg.iter("{http://www.w3.org/2000/svg}circle")]
    assert days == ["2026-03-01", "2026-03-09"]
    markers = svg.findall(".//{http://www.w3.org/2000/svg}line[@class='plot-session']")
    assert [m.get("data-day") for m in markers] == ["2026-03-05"]
