"""Horizontal bar charts drawn as inline SVG by the template: the geometry is computed here and
set through SVG attributes (`x`, `width`, `fill`), never a style attribute, so the Content
Security Policy (`style-src 'self'`) holds and no JavaScript is needed. The template gives each
chart a <title> and <desc>, and the same figures are in the table beside it."""

from dataclasses import dataclass, field

from django.template.defaultfilters import floatformat
from django.utils.formats import localize
from django.utils.html import format_html_join
from django.utils.text import Truncator

# GOV.UK colours with enough contrast against white (WCAG 1.4.11 non-text contrast).
COLOURS = {
    "current": "#00703c",
    "warning": "#594d00",
    "dormant": "#d4351c",
    "stale": "#0b0c0c",
    "unknown": "#505a5f",
    "bar": "#1d70b8",
}

LABEL_WIDTH = 260
BAR_AREA = 400
ROW_HEIGHT = 28
BAR_HEIGHT = 18


@dataclass
class Segment:
    key: str
    label: str
    value: int
    x: float
    width: float
    fill: str


@dataclass
class Row:
    label: str
    total: float
    y: int
    text_y: int
    segments: list[Segment] = field(default_factory=list)
    end_x: float = 0

    @property
    def segments_svg(self) -> str:
        return format_html_join(
            "",
            '<rect x="{}" y="{}" width="{}" height="18" fill="{}"><title>{}: {} {}</title></rect>',
            (
                (
                    f"{s.x:.1f}",
                    self.y,
                    f"{s.width:.1f}",
                    s.fill,
                    self.label,
                    s.label,
                    localize(s.value),
                )
                for s in self.segments
            ),
        )


@dataclass
class Chart:
    rows: list[Row]
    height: int
    width: int = LABEL_WIDTH + BAR_AREA + 60
    label_width: int = LABEL_WIDTH
    legend: list[tuple[str, str]] = field(default_factory=list)

    @property
    def rows_svg(self) -> str:
        """Each row's label, stacked segments (each titled with its figure) and total, as
        markup: drawn here, not by template loops with a filter per value (a report of many
        rows spent more on its chart than on its queries)."""
        return format_html_join(
            "\n",
            '<g><text x="{}" y="{}" text-anchor="end" font-size="14" fill="#0b0c0c">{}</text>'
            '{}<text x="{}" y="{}" font-size="14" fill="#0b0c0c">{}</text></g>',
            (
                (
                    self.label_width - 8,
                    row.text_y,
                    Truncator(row.label).chars(34),
                    row.segments_svg,
                    f"{row.end_x:.1f}",
                    row.text_y,
                    floatformat(row.total, "-1"),
                )
                for row in self.rows
            ),
        )


def bar_chart(items: list[tuple[str, list[tuple[str, str, float]]]], legend=None) -> Chart:
    """items: [(row label, [(key, label, value), ...])]; segments are stacked left to right and
    scaled so the longest row fills the bar area."""
    largest = max((sum(v for _, _, v in segs) for _, segs in items), default=0) or 1
    rows = []
    for index, (label, segments) in enumerate(items):
        y = index * ROW_HEIGHT + 4
        row = Row(label=label, total=sum(v for _, _, v in segments), y=y, text_y=y + 14)
        x = float(LABEL_WIDTH)
        for key, seg_label, value in segments:
            width = round(BAR_AREA * value / largest, 1)
            if value:
                row.segments.append(
                    Segment(key, seg_label, value, x, width, COLOURS.get(key, COLOURS["bar"]))
                )
            x += width
        row.end_x = x + 6
        rows.append(row)
    return Chart(
        rows=rows,
        height=max(len(rows), 1) * ROW_HEIGHT + 8,
        legend=[(label, COLOURS.get(key, COLOURS["bar"])) for key, label in (legend or [])],
    )


# Line charts: one series over time (followers), drawn with the same rules as the bar charts.

PLOT_LEFT = 90
PLOT_TOP = 12
PLOT_WIDTH = 560
PLOT_HEIGHT = 180


@dataclass
class Point:
    label: str
    value: float
    x: float
    y: float


@dataclass
class LineChart:
    points: list[Point]
    polyline: str
    y_ticks: list[tuple[float, str]]
    x_labels: list[tuple[float, str]]
    left: int = PLOT_LEFT
    top: int = PLOT_TOP
    right: int = PLOT_LEFT + PLOT_WIDTH
    bottom: int = PLOT_TOP + PLOT_HEIGHT
    width: int = PLOT_LEFT + PLOT_WIDTH + 30
    height: int = PLOT_TOP + PLOT_HEIGHT + 34
    stroke: str = COLOURS["bar"]

    @property
    def points_svg(self) -> str:
        """The points' circles, each titled with its label and value, as markup: drawn here, not
        by a template loop (a year of days is hundreds of nodes and filters per page)."""
        return format_html_join(
            "",
            '<circle cx="{}" cy="{}" r="4" fill="{}"><title>{}: {}</title></circle>',
            (
                (f"{p.x:.1f}", f"{p.y:.1f}", self.stroke, p.label, _figure(p.value))
                for p in self.points
            ),
        )


def _figure(value: float) -> str:
    """A value as the template's `floatformat:"-1"` shows it: no decimals when whole."""
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _floor_step(value: float) -> float:
    """A round step (1, 2 or 5 times a power of ten) at most `value`."""
    if value <= 0:
        return 1
    power = 10 ** (len(str(int(value))) - 1)
    return max(s * power for s in (1, 2, 5) if s * power <= value) if value >= 1 else 1


def line_chart(series: list[tuple[str, float]]) -> LineChart:
    """series: [(x label, value)] in time order, evenly spaced. The value axis starts at a
    round number below the smallest value (not at zero: a change of a few followers on
    thousands would be a flat line), and is labelled at its bottom, middle and top."""
    values = [v for _, v in series]
    low, high = (min(values), max(values)) if values else (0, 1)
    step = _floor_step((high - low) / 2 or max(high / 10, 1))
    bottom_value = max(0, (low // step) * step)
    top_value = max(bottom_value + step, -(-high // step) * step)
    span = top_value - bottom_value

    def y_of(value: float) -> float:
        return round(PLOT_TOP + PLOT_HEIGHT * (1 - (value - bottom_value) / span), 1)

    gap = PLOT_WIDTH / max(len(series) - 1, 1)
    points = [
        Point(
            label,
            value,
            round(PLOT_LEFT + (i * gap if len(series) > 1 else PLOT_WIDTH / 2), 1),
            y_of(value),
        )
        for i, (label, value) in enumerate(series)
    ]
    ticks = [bottom_value, bottom_value + span / 2, top_value]
    every = max(1, -(-len(points) // 6))  # at most about six date labels
    x_labels = [(p.x, p.label) for i, p in enumerate(points) if i % every == 0]
    if points and (points[-1].x, points[-1].label) not in x_labels:
        x_labels.append((points[-1].x, points[-1].label))
    return LineChart(
        points=points,
        polyline=" ".join(f"{p.x},{p.y}" for p in points),
        y_ticks=[(y_of(t), f"{t:,.0f}") for t in ticks],
        x_labels=x_labels,
    )
