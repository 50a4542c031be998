"""SVG chart geometry for templates to draw: plain numbers in, coordinates and labels out.

No chart library. Each function lays one kind of chart out in a fixed viewBox (the SVG then
scales to its container) and returns frozen dataclasses that a template draws as they are.
Every count axis starts at zero, so lengths stay honest; a missing value (None) is a gap in
the chart and "no data" in its table, never a zero.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from .figures import format_count

# The viewBox of the line and bar charts, sized so that text reads at about 11 px on a phone.
WIDTH = 340
HEIGHT = 210
# Roughly how wide one character of an 11-unit label is, to tell whether a value label fits.
CHAR_WIDTH = 6.4
NO_DATA = "no data"
# Series colours are classes (series-0 …), styled in site.css; they repeat after this many.
PALETTE_SIZE = 6


def format_tick(value: int) -> str:
    """Axis labels stay short: 2500 -> "2.5k", 3000000 -> "3M"."""
    for size, suffix in ((1_000_000_000, "G"), (1_000_000, "M"), (1_000, "k")):
        if value >= size:
            return f"{value / size:.1f}".removesuffix(".0") + suffix
    return str(value)


@dataclass(frozen=True)
class Box:
    """The plotting area inside the viewBox; the margins hold the axis labels."""

    left: float = 44
    top: float = 24
    right: float = WIDTH - 12
    bottom: float = HEIGHT - 40

    @property
    def center(self) -> float:
        return _at((self.left + self.right) / 2)

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.bottom - self.top


@dataclass(frozen=True)
class Scale:
    """A count axis from zero to `top`; an all-zero series gets the single tick 0."""

    top: int
    ticks: tuple[int, ...]

    def fraction(self, value: int) -> float:
        return value / self.top if self.top else 0.0


def count_scale(maximum: int, steps: int = 4) -> Scale:
    """Zero to a round number at or above `maximum`, in whole steps of 1, 2 or 5 x 10^n."""
    if maximum <= 0:
        return Scale(0, (0,))
    rough = maximum / steps
    magnitude = 10 ** math.floor(math.log10(rough)) if rough >= 1 else 1
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= rough)
    count = math.ceil(maximum / step)
    return Scale(step * count, tuple(step * i for i in range(count + 1)))


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


def spaced(ticks: Sequence[Tick], slot: float) -> tuple[Tick, ...]:
    """Every n-th category tick, counted back from the last, so that no two labels overlap."""
    widest = max((len(t.label) for t in ticks), default=0) * CHAR_WIDTH + 4
    every = max(1, math.ceil(widest / slot)) if slot else 1
    last = len(ticks) - 1
    return tuple(t for i, t in enumerate(ticks) if (last - i) % every == 0)


@dataclass(frozen=True)
class TableRow:
    label: str
    cells: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """The chart's numbers as a table, for screen readers and visitors without the picture."""

    corner: str
    columns: tuple[str, ...]
    rows: tuple[TableRow, ...]


def _at(coordinate: float) -> float:
    """Coordinates to a tenth of a unit: finer is invisible and only bloats the page."""
    return round(coordinate, 1)


def _cell(value: int | None) -> str:
    return NO_DATA if value is None else format_count(value)


def _y_ticks(scale: Scale, box: Box) -> tuple[Tick, ...]:
    return tuple(
        Tick(_at(box.bottom - scale.fraction(t) * box.height), format_tick(t)) for t in scale.ticks
    )


def _fits(text: str, width: float) -> bool:
    return len(text) * CHAR_WIDTH <= width


def largest(values: Sequence[int | None]) -> int:
    """The largest value present, 0 when there is none."""
    return max((v for v in values if v is not None), default=0)


def _gaps(missing: int) -> str:
    if not missing:
        return ""
    return f" {missing} missing {'value is' if missing == 1 else 'values are'} left as gaps."


# Line chart ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mark:
    """One series' value on one day: a dot, and its value label shown on hover or focus."""

    x: float
    y: float
    colour: int
    text: str


@dataclass(frozen=True)
class Column:
    """One category (a day): its tick, its hover area and its series' marks."""

    x: float
    left: float
    width: float
    title: str
    marks: tuple[Mark, ...]


@dataclass(frozen=True)
class Line:
    name: str
    colour: int
    segments: tuple[str, ...]  # SVG `points` of each unbroken run of values


@dataclass(frozen=True, kw_only=True)
class AxesChart:
    """What the line and bar charts share: their texts, plotting box, axes and data table."""

    id: str
    title: str
    desc: str
    y_title: str
    x_title: str
    box: Box
    y_ticks: tuple[Tick, ...]
    x_ticks: tuple[Tick, ...]
    table: Table
    width: int = WIDTH
    height: int = HEIGHT


@dataclass(frozen=True, kw_only=True)
class LineChart(AxesChart):
    columns: tuple[Column, ...]
    lines: tuple[Line, ...]

    @property
    def empty(self) -> bool:
        return not self.lines or not self.columns


def _x_positions(count: int, box: Box, inset: float) -> list[float]:
    if count == 1:
        return [_at(box.left + box.width / 2)]
    step = (box.width - 2 * inset) / (count - 1)
    return [_at(box.left + inset + i * step) for i in range(count)]


def _runs(points: list[tuple[float, float] | None]) -> tuple[str, ...]:
    """Split at each missing value, so a gap stays a gap instead of a line drawn through it."""
    runs: list[list[str]] = [[]]
    for point in points:
        if point is None:
            runs.append([])
        else:
            runs[-1].append(f"{point[0]:.1f},{point[1]:.1f}")
    return tuple(" ".join(run) for run in runs if run)


def line_chart(
    id: str,
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[int | None]]],
    *,
    y_title: str,
    x_title: str,
    corner: str = "",
) -> LineChart:
    """One line per series over the categories `labels`; None values are gaps."""
    box = Box()
    values = [v for _, row in series for v in row]
    scale = count_scale(largest(values))
    xs = _x_positions(len(labels), box, inset=14)
    slot = box.width / max(len(labels), 1)

    def y(value: int) -> float:
        return _at(box.bottom - scale.fraction(value) * box.height)

    lines = tuple(
        Line(
            name,
            i % PALETTE_SIZE,
            _runs([None if v is None else (x, y(v)) for x, v in zip(xs, row, strict=True)]),
        )
        for i, (name, row) in enumerate(series)
    )
    columns = tuple(
        Column(
            x=x,
            left=_at(max(box.left, x - slot / 2)),
            width=_at(min(slot, box.width, box.right - max(box.left, x - slot / 2))),
            title=f"{label}: " + "; ".join(f"{name} {_cell(row[day])}" for name, row in series),
            marks=tuple(
                Mark(x, y(row[day]), i % PALETTE_SIZE, format_count(row[day]))
                for i, (_, row) in enumerate(series)
                if row[day] is not None
            ),
        )
        for day, (x, label) in enumerate(zip(xs, labels, strict=True))
    )
    desc = f"{len(series)} lines; highest value {format_count(largest(values))}." + _gaps(
        sum(v is None for v in values)
    )
    table = Table(
        corner,
        tuple(labels),
        tuple(TableRow(name, tuple(_cell(v) for v in row)) for name, row in series),
    )
    return LineChart(
        id=id,
        title=title,
        desc=desc,
        y_title=y_title,
        x_title=x_title,
        box=box,
        y_ticks=_y_ticks(scale, box),
        x_ticks=spaced([Tick(x, label) for x, label in zip(xs, labels, strict=True)], slot),
        table=table,
        columns=columns,
        lines=lines,
    )


# Bar charts and histograms ------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    center: float
    text: str
    title: str


@dataclass(frozen=True, kw_only=True)
class BarChart(AxesChart):
    bars: tuple[Bar, ...]
    values_shown: bool  # every value label fits above its bar, so none waits for hover

    @property
    def empty(self) -> bool:
        return not self.bars


def _bars(
    spans: Sequence[tuple[float, float]],
    values: Sequence[int | None],
    titles: Sequence[str],
    scale: Scale,
    box: Box,
    gap: float,
) -> tuple[Bar, ...]:
    """Bars over horizontal spans given as fractions of the plot width (None: no bar)."""
    bars = []
    for (start, end), value, title in zip(spans, values, titles, strict=True):
        x = _at(box.left + start * box.width + gap / 2)
        width = _at(max((end - start) * box.width - gap, 1.0))
        height = 0.0 if value is None else _at(scale.fraction(value) * box.height)
        bars.append(
            Bar(x, _at(box.bottom - height), width, height, _at(x + width / 2), _cell(value), title)
        )
    return tuple(bars)


def _bar_chart(box: Box, scale: Scale, bars: tuple[Bar, ...], gap: float, **fields) -> BarChart:
    """The chart of `bars`; their value labels show at once when every one fits its bar."""
    return BarChart(
        box=box,
        y_ticks=_y_ticks(scale, box),
        bars=bars,
        values_shown=all(_fits(bar.text, bar.width + gap) for bar in bars),
        **fields,
    )


def bar_chart(
    id: str,
    title: str,
    items: Sequence[tuple[str, int | None]],
    *,
    y_title: str,
    x_title: str,
    corner: str = "",
) -> BarChart:
    """One bar per labelled value, in equal slots; a None value is a missing bar."""
    box = Box()
    values = [v for _, v in items]
    scale = count_scale(largest(values))
    count = len(items)
    spans = [(i / count, (i + 1) / count) for i in range(count)]
    bars = _bars(spans, values, [f"{label}: {_cell(v)}" for label, v in items], scale, box, 8)
    x_ticks = spaced(
        [Tick(bar.center, label) for bar, (label, _) in zip(bars, items, strict=True)],
        box.width / max(count, 1),
    )
    desc = f"{count} bars; highest value {format_count(largest(values))}." + _gaps(
        sum(v is None for v in values)
    )
    table = Table(corner, (y_title,), tuple(TableRow(label, (_cell(v),)) for label, v in items))
    return _bar_chart(
        box, scale, bars, 8, id=id, title=title, desc=desc, y_title=y_title, x_title=x_title,
        x_ticks=x_ticks, table=table,
    )


def histogram(
    id: str,
    title: str,
    bins: Sequence[tuple[float, float, int]],
    *,
    y_title: str,
    x_title: str,
    unit: str = "",
    corner: str = "",
) -> BarChart:
    """Adjacent bars over contiguous (from, to, count) bins, each as wide as its range."""
    box = Box()
    if bins:
        low, high = bins[0][0], bins[-1][1]
    else:
        low, high = 0.0, 1.0
    span = (high - low) or 1.0
    counts = [count for _, _, count in bins]
    scale = count_scale(largest(counts))
    ranges = [f"{lower:g}–{upper:g}{unit}" for lower, upper, _ in bins]
    spans = [((lower - low) / span, (upper - low) / span) for lower, upper, _ in bins]
    bars = _bars(
        spans,
        counts,
        [f"{r}: {format_count(c)}" for r, c in zip(ranges, counts, strict=True)],
        scale,
        box,
        2,
    )
    edges = [low] + [upper for _, upper, _ in bins] if bins else []
    x_ticks: list[Tick] = []
    for edge in edges:
        x = _at(box.left + (edge - low) / span * box.width)
        # Crowded edges keep only the labels with room beside their left neighbour.
        if not x_ticks or x - x_ticks[-1].position >= 30:
            x_ticks.append(Tick(x, f"{edge:g}{unit}"))
    desc = (
        f"{len(bins)} bins from {low:g}{unit} to {high:g}{unit};"
        f" highest value {format_count(largest(counts))}."
    )
    table = Table(
        corner,
        (y_title,),
        tuple(TableRow(r, (format_count(c),)) for r, c in zip(ranges, counts, strict=True)),
    )
    return _bar_chart(
        box, scale, bars, 2, id=id, title=title, desc=desc, y_title=y_title, x_title=x_title,
        x_ticks=tuple(x_ticks), table=table,
    )


# Ranking (horizontal bars, for long labels) --------------------------------------------------

RANK_ROW = 34
RANK_LABEL_CHARS = 48


@dataclass(frozen=True)
class Rank:
    label: str  # shortened to fit; `title` has it whole
    label_y: float
    bar_y: float
    width: float
    text: str
    text_x: float
    title: str


@dataclass(frozen=True)
class RankingChart:
    id: str
    title: str
    desc: str
    left: float
    ranks: tuple[Rank, ...]
    table: Table
    height: float
    width: int = WIDTH
    bar_height: float = 10

    @property
    def empty(self) -> bool:
        return not self.ranks


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def ranking_chart(
    id: str, title: str, items: Sequence[tuple[str, int]], *, value_title: str, corner: str = ""
) -> RankingChart:
    """A labelled horizontal bar per item, in the given order, its value at the bar's end."""
    left, right = 8.0, WIDTH - 60.0
    top = 4.0
    top_value = largest([v for _, v in items])
    ranks = []
    for i, (label, value) in enumerate(items):
        row = top + i * RANK_ROW
        width = _at((right - left) * (value / top_value if top_value else 0.0))
        ranks.append(
            Rank(
                shorten(label, RANK_LABEL_CHARS),
                row + 12,
                row + 17,
                width,
                format_count(value),
                _at(left + width + 6),
                f"{label}: {format_count(value)}",
            )
        )
    desc = f"{len(items)} bars; highest value {format_count(top_value)}."
    table = Table(
        corner, (value_title,), tuple(TableRow(label, (format_count(v),)) for label, v in items)
    )
    return RankingChart(id, title, desc, left, tuple(ranks), table, top + len(items) * RANK_ROW + 4)


# Status strip -------------------------------------------------------------------------------

STRIP_CELL = 10
STRIP_HEIGHT = 40


@dataclass(frozen=True)
class Cell:
    x: float
    state: str
    title: str


@dataclass(frozen=True)
class Strip:
    id: str
    title: str
    desc: str
    cells: tuple[Cell, ...]
    width: int
    height: int = STRIP_HEIGHT
    cell_width: float = STRIP_CELL - 2


def strip(id: str, title: str, desc: str, cells: Sequence[tuple[str, str]]) -> Strip:
    """One slim cell per (state, title), left to right, like a status page's uptime bars."""
    return Strip(
        id,
        title,
        desc,
        tuple(Cell(i * STRIP_CELL + 1, state, text) for i, (state, text) in enumerate(cells)),
        max(len(cells), 1) * STRIP_CELL,
    )
