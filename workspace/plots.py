"""Outcome plots as geometry: scores over time mapped to SVG user units. No database.

A template draws what `build_plot` returns (points, lines, ticks, the cut-off, the
medicine-session markers) and lists the same numbers in a table beside it, so the picture
and its accessible text can never disagree.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

# The drawing area inside the SVG's viewBox (0 0 WIDTH HEIGHT); room left for the axes.
WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 44, 16, 12, 36
PLOT_WIDTH = WIDTH - LEFT - RIGHT
PLOT_HEIGHT = HEIGHT - TOP - BOTTOM
X_TICKS = 5  # at most this many date labels along the bottom


@dataclass(frozen=True)
class Frame:
    """Where the template draws the axes: the drawing area's edges in user units."""

    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    top: int = TOP
    bottom: int = HEIGHT - BOTTOM


FRAME = Frame()


@dataclass(frozen=True)
class Scale:
    """One instrument's range and clinical cut-off, and which way is better."""

    code: str
    topic: str  # in plain words, for captions and the partner's portal
    low: int
    high: int
    cutoff: float
    higher_is_worse: bool
    tick_step: int

    @property
    def reading(self) -> str:
        """How to read the plot, for its caption."""
        if self.higher_is_worse:
            return (
                f"Higher scores mean more symptoms; the dotted line marks the cut-off of "
                f"{_number(self.cutoff)} (scores at or above it are clinically significant)."
            )
        return (
            f"Higher scores mean more satisfaction; the dotted line marks the cut-off of "
            f"{_number(self.cutoff)} (scores below it indicate notable relationship distress)."
        )


SCALES = {
    "PHQ-9": Scale("PHQ-9", "mood", 0, 27, 10, True, 5),
    "GAD-7": Scale("GAD-7", "anxiety", 0, 21, 10, True, 5),
    "PCL-5": Scale("PCL-5", "stress after trauma", 0, 80, 33, True, 10),
    "CSI-4": Scale("CSI-4", "relationship satisfaction", 0, 21, 13.5, False, 5),
}


@dataclass(frozen=True)
class Series:
    """One line to draw: a label and its (day, score) readings. `style` picks the marker
    and dash (0: circles, solid; 1: squares, dashed) so lines differ without colour."""

    label: str
    readings: Sequence[tuple[datetime.date, int]]
    style: int = 0


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    day: datetime.date
    score: int

    # Style 1 draws an 8-unit square centred on the point: its top-left corner.
    @property
    def corner_x(self) -> float:
        return round(self.x - 4, 2)

    @property
    def corner_y(self) -> float:
        return round(self.y - 4, 2)


@dataclass(frozen=True)
class PlottedSeries:
    label: str
    style: int
    points: tuple[Point, ...]

    @property
    def polyline(self) -> str:
        """The `points` attribute of the SVG polyline joining the readings."""
        return " ".join(f"{point.x},{point.y}" for point in self.points)


@dataclass(frozen=True)
class Tick:
    at: float  # x for a date tick, y for a score tick
    label: str


@dataclass(frozen=True)
class Marker:
    """A medicine session: a vertical line at its day."""

    x: float
    day: datetime.date


@dataclass(frozen=True)
class Row:
    """One line of the data table beside the plot."""

    day: datetime.date
    label: str
    score: int


@dataclass(frozen=True)
class Plot:
    key: str  # unique on the page: the SVG's title and description ids start with it
    title: str
    scale: Scale
    series: tuple[PlottedSeries, ...]
    cutoff_y: float
    sessions: tuple[Marker, ...]
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    rows: tuple[Row, ...]

    frame: Frame = FRAME

    @property
    def is_empty(self) -> bool:
        return not self.rows

    @property
    def several_series(self) -> bool:
        return len(self.series) > 1

    @property
    def description(self) -> str:
        """The SVG's <desc>: what is drawn, in a sentence screen readers can read."""
        counts = "; ".join(f"{s.label}: {len(s.points)} scores" for s in self.series)
        sessions = len(self.sessions)
        return (
            f"{self.scale.code} totals ({self.scale.low} to {self.scale.high}) over time. "
            f"{counts}. {sessions} medicine session{'' if sessions == 1 else 's'} marked. "
            f"{self.scale.reading}"
        )


# --- Mapping -----------------------------------------------------------------------------
def x_of(day: datetime.date, start: datetime.date, end: datetime.date) -> float:
    """Days map linearly from `start` (left edge) to `end` (right edge); a range of one day
    puts everything in the middle."""
    span = (end - start).days
    if span <= 0:
        return round(LEFT + PLOT_WIDTH / 2, 2)
    return round(LEFT + PLOT_WIDTH * (day - start).days / span, 2)


def y_of(score: float, scale: Scale) -> float:
    """Scores map linearly from the scale's minimum (bottom edge) to its maximum (top)."""
    share = (score - scale.low) / (scale.high - scale.low)
    return round(TOP + PLOT_HEIGHT * (1 - share), 2)


def date_range(
    series: Sequence[Series], sessions: Sequence[datetime.date] = ()
) -> tuple[datetime.date, datetime.date] | None:
    """The first and last day of all readings and sessions, or None when there are none."""
    days = [day for one in series for day, _ in one.readings] + list(sessions)
    return (min(days), max(days)) if days else None


def build_plot(
    *,
    key: str,
    title: str,
    scale: Scale,
    series: Sequence[Series],
    sessions: Sequence[datetime.date],
    start: datetime.date,
    end: datetime.date,
) -> Plot:
    """The geometry of one plot over [start, end]. Readings and sessions outside the range
    are left out; scores are clamped to the scale so a bad row cannot draw off the chart."""
    if end < start:
        raise ValueError(f"The plot's range ends ({end}) before it starts ({start}).")
    plotted = tuple(_plotted(one, scale, start, end) for one in series)
    return Plot(
        key=key,
        title=title,
        scale=scale,
        series=plotted,
        cutoff_y=y_of(scale.cutoff, scale),
        sessions=tuple(
            Marker(x_of(day, start, end), day)
            for day in sorted(set(sessions))
            if start <= day <= end
        ),
        x_ticks=_x_ticks(start, end),
        y_ticks=tuple(
            Tick(y_of(value, scale), str(value))
            for value in range(scale.low, scale.high + 1, scale.tick_step)
        ),
        rows=tuple(
            sorted(
                (Row(p.day, s.label, p.score) for s in plotted for p in s.points),
                key=lambda row: (row.day, row.label),
            )
        ),
    )


def _plotted(one: Series, scale: Scale, start, end) -> PlottedSeries:
    readings = sorted((day, score) for day, score in one.readings if start <= day <= end)
    points = tuple(
        Point(
            x_of(day, start, end), y_of(min(max(score, scale.low), scale.high), scale), day, score
        )
        for day, score in readings
    )
    return PlottedSeries(one.label, one.style, points)


def _x_ticks(start: datetime.date, end: datetime.date) -> tuple[Tick, ...]:
    span = (end - start).days
    with_year = start.year != end.year
    if span == 0:
        return (Tick(x_of(start, start, end), _day_label(start, with_year=True)),)
    steps = min(X_TICKS - 1, span)
    days = sorted(
        {start + datetime.timedelta(days=round(span * n / steps)) for n in range(steps + 1)}
    )
    return tuple(Tick(x_of(day, start, end), _day_label(day, with_year=with_year)) for day in days)


def _day_label(day: datetime.date, *, with_year: bool) -> str:
    return f"{day.day} {day:%b %Y}" if with_year else f"{day.day} {day:%b}"


def _number(value: float) -> str:
    return f"{value:g}"
