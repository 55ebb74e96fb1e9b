"""The plot geometry alone (no database): each score and date lands where it should."""

import datetime

import pytest

from workspace import plots

D = datetime.date
PHQ9 = plots.SCALES["PHQ-9"]
CSI4 = plots.SCALES["CSI-4"]

# The drawing area, written out here rather than read from the module under test.
LEFT, RIGHT, TOP, BOTTOM = 44, 624, 12, 224


def expected_x(day, start, end) -> float:
    return LEFT + (RIGHT - LEFT) * (day - start).days / (end - start).days


def expected_y(score, low, high) -> float:
    return BOTTOM - (BOTTOM - TOP) * (score - low) / (high - low)


YEAR_START, YEAR_END = D(2026, 1, 1), D(2026, 12, 31)


def phq9(readings, *, sessions=(), start=YEAR_START, end=YEAR_END):
    return plots.build_plot(
        key="k",
        title="PHQ-9",
        scale=PHQ9,
        series=[plots.Series("Alexa", readings)],
        sessions=sessions,
        start=start,
        end=end,
    )


def test_each_point_sits_at_its_date_and_score():
    readings = [
        (D(2026, 3, 2), 14),
        (D(2026, 6, 30), 9),
        (D(2026, 10, 15), 0),
        (D(2026, 12, 31), 27),
    ]
    plot = phq9(readings)
    points = plot.series[0].points
    assert [(p.day, p.score) for p in points] == readings
    for point, (day, score) in zip(points, readings, strict=True):
        assert point.x == pytest.approx(expected_x(day, D(2026, 1, 1), D(2026, 12, 31)), abs=0.01)
        assert point.y == pytest.approx(expected_y(score, 0, 27), abs=0.01)


def test_the_scale_ends_are_the_edges_of_the_drawing_area():
    plot = phq9([(D(2026, 1, 1), 0), (D(2026, 12, 31), 27)])
    first, last = plot.series[0].points
    assert (first.x, first.y) == (LEFT, BOTTOM)
    assert (last.x, last.y) == (RIGHT, TOP)


@pytest.mark.parametrize(
    "code,cutoff,low,high",
    [("PHQ-9", 10, 0, 27), ("GAD-7", 10, 0, 21), ("PCL-5", 33, 0, 80), ("CSI-4", 13.5, 0, 21)],
)
def test_the_cut_off_line_is_drawn_at_the_instruments_cut_off(code, cutoff, low, high):
    scale = plots.SCALES[code]
    assert (scale.cutoff, scale.low, scale.high) == (cutoff, low, high)
    plot = plots.build_plot(
        key="k",
        title=code,
        scale=scale,
        series=[],
        sessions=[],
        start=D(2026, 1, 1),
        end=D(2026, 2, 1),
    )
    assert plot.cutoff_y == pytest.approx(expected_y(cutoff, low, high), abs=0.01)


def test_medicine_sessions_are_marked_at_their_dates_and_those_outside_the_range_left_out():
    start, end = D(2026, 1, 1), D(2026, 4, 10)
    sessions = [D(2026, 2, 14), D(2026, 3, 20), D(2025, 12, 1), D(2026, 2, 14)]
    plot = phq9([(D(2026, 1, 5), 12)], sessions=sessions, start=start, end=end)
    assert [(m.day, m.x) for m in plot.sessions] == [
        (D(2026, 2, 14), pytest.approx(expected_x(D(2026, 2, 14), start, end), abs=0.01)),
        (D(2026, 3, 20), pytest.approx(expected_x(D(2026, 3, 20), start, end), abs=0.01)),
    ]


def test_a_single_point_sits_in_the_middle_of_a_one_day_range():
    day = D(2026, 5, 5)
    plot = phq9([(day, 20)], sessions=[day], start=day, end=day)
    (point,) = plot.series[0].points
    assert point.x == pytest.approx((LEFT + RIGHT) / 2)
    assert point.y == pytest.approx(expected_y(20, 0, 27), abs=0.01)
    assert plot.sessions[0].x == point.x
    assert [tick.label for tick in plot.x_ticks] == ["5 May 2026"]


def test_several_scores_on_one_day_share_its_x_and_keep_their_own_y():
    day = D(2026, 5, 5)
    plot = phq9([(day, 4), (day, 18)], start=day, end=day)
    assert {p.x for p in plot.series[0].points} == {(LEFT + RIGHT) / 2}
    assert sorted(p.y for p in plot.series[0].points) == [
        pytest.approx(expected_y(18, 0, 27), abs=0.01),
        pytest.approx(expected_y(4, 0, 27), abs=0.01),
    ]


def test_no_readings_make_an_empty_plot():
    plot = phq9([])
    assert plot.is_empty
    assert plot.series[0].points == ()
    assert plots.date_range([plots.Series("Alexa", [])]) is None


def test_the_table_lists_every_reading_by_date_with_its_series():
    plot = plots.build_plot(
        key="k",
        title="CSI-4",
        scale=CSI4,
        series=[
            plots.Series("Bobbie", [(D(2026, 2, 1), 9), (D(2026, 1, 1), 12)], style=1),
            plots.Series("Alexa", [(D(2026, 1, 1), 15)]),
        ],
        sessions=[],
        start=D(2026, 1, 1),
        end=D(2026, 2, 1),
    )
    assert [(r.day, r.label, r.score) for r in plot.rows] == [
        (D(2026, 1, 1), "Alexa", 15),
        (D(2026, 1, 1), "Bobbie", 12),
        (D(2026, 2, 1), "Bobbie", 9),
    ]
    assert plot.several_series
    assert [s.style for s in plot.series] == [1, 0]


def test_a_score_beyond_the_scale_is_drawn_at_its_edge_and_listed_as_it_is():
    plot = phq9([(D(2026, 3, 1), 40)])
    (point,) = plot.series[0].points
    assert point.y == TOP and point.score == 40


def test_date_ticks_span_the_range_and_name_the_year_when_it_changes():
    plot = phq9([], start=D(2025, 11, 1), end=D(2026, 3, 1))
    labels = [tick.label for tick in plot.x_ticks]
    assert labels[0] == "1 Nov 2025" and labels[-1] == "1 Mar 2026"
    assert len(labels) == 5
    assert plot.x_ticks[0].at == LEFT and plot.x_ticks[-1].at == RIGHT


def test_score_ticks_run_from_the_scales_minimum_in_its_steps():
    assert [t.label for t in phq9([]).y_ticks] == ["0", "5", "10", "15", "20", "25"]
    pcl5 = plots.build_plot(
        key="k",
        title="PCL-5",
        scale=plots.SCALES["PCL-5"],
        series=[],
        sessions=[],
        start=D(2026, 1, 1),
        end=D(2026, 1, 2),
    )
    assert [t.label for t in pcl5.y_ticks] == [str(n) for n in range(0, 81, 10)]


def test_a_range_ending_before_it_starts_is_refused():
    with pytest.raises(ValueError, match="ends"):
        phq9([], start=D(2026, 2, 1), end=D(2026, 1, 1))


def test_the_captions_say_which_way_is_better():
    assert "Higher scores mean more symptoms" in PHQ9.reading
    assert "Higher scores mean more satisfaction" in CSI4.reading
    assert "below it indicate notable relationship distress" in CSI4.reading
