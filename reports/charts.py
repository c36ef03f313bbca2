"""Horizontal bar charts drawn as inline SVG by the template: the geometry is computed here and
set through SVG attributes (`x`, `width`, `fill`), never a style attribute, so the Content
Security Policy (`style-src 'self'`) holds and no JavaScript is needed. The template gives each
chart a <title> and <desc>, and the same figures are in the table beside it."""

from dataclasses import dataclass, field

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


@dataclass
class Chart:
    rows: list[Row]
    height: int
    width: int = LABEL_WIDTH + BAR_AREA + 60
    label_width: int = LABEL_WIDTH
    legend: list[tuple[str, str]] = field(default_factory=list)


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
