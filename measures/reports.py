"""The owner's five success measures over a period, from the daily counters.

Definitions (docs/measures.md): home bounce rate = home entry views whose tab showed no second
page ÷ home entry views; time on the enforcement page = visible seconds ÷ views that reported
their time; the other three are plain counts. The staff page and its CSV only lay these out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import astuple, dataclass
from datetime import date, timedelta

from django.db.models import Q

from .models import DailyClick, DailyCount

HOME_PATH = "/"
ENFORCEMENT_PATH = "/enforcement/"
DASHBOARD_PATH = "/metrics/"
MYSOVEREIGNTY_SLUG = "mysovereignty"
SHARE_PREFIX = "share-"
PERIOD_DAYS = 30


def bounce_rate(entry_views: int, continued_entries: int) -> float | None:
    """Share of entry views that were the only page of their tab's visit; None without any."""
    if entry_views <= 0:
        return None
    # A visit crossing midnight credits its second page to the next day: never below zero.
    return max(entry_views - continued_entries, 0) / entry_views


def average_seconds(visible_tenths: int, leaves: int) -> float | None:
    """Average visible seconds per view that reported its time; None without any."""
    return visible_tenths / 10 / leaves if leaves > 0 else None


@dataclass(frozen=True)
class Tally:
    """The counts behind the five measures, for one day or summed over a period."""

    home_entries: int = 0
    home_continued: int = 0
    enforcement_leaves: int = 0
    enforcement_tenths: int = 0
    mysovereignty_clicks: int = 0
    dashboard_views: int = 0
    shares: int = 0

    def __add__(self, other: Tally) -> Tally:
        return Tally(*(a + b for a, b in zip(astuple(self), astuple(other), strict=True)))

    @property
    def home_bounces(self) -> int:
        return max(self.home_entries - self.home_continued, 0)

    @property
    def home_bounce_rate(self) -> float | None:
        return bounce_rate(self.home_entries, self.home_continued)

    @property
    def enforcement_seconds(self) -> float | None:
        return average_seconds(self.enforcement_tenths, self.enforcement_leaves)


@dataclass(frozen=True)
class Period:
    """Each day's tally from `start` to `end` (inclusive, UTC), and their sum."""

    start: date
    end: date
    days: list[tuple[date, Tally]]
    total: Tally


def period_tallies(end: date, days: int = PERIOD_DAYS) -> Period:
    """The `days` days up to and including `end`, a zero tally for days nothing came."""
    start = end - timedelta(days=days - 1)
    counts: dict[date, dict[str, int]] = defaultdict(dict)
    rows = DailyCount.objects.filter(
        date__range=(start, end), path__in=(HOME_PATH, ENFORCEMENT_PATH, DASHBOARD_PATH)
    ).values_list("date", "path", "views", "entry_views", "continued_entries", "leaves",
                  "visible_tenths")
    for day, path, views, entries, continued, leaves, tenths in rows:
        if path == HOME_PATH:
            counts[day].update(home_entries=entries, home_continued=continued)
        elif path == ENFORCEMENT_PATH:
            counts[day].update(enforcement_leaves=leaves, enforcement_tenths=tenths)
        else:
            counts[day]["dashboard_views"] = views
    clicks = DailyClick.objects.filter(
        Q(link__slug=MYSOVEREIGNTY_SLUG) | Q(link__slug__startswith=SHARE_PREFIX),
        date__range=(start, end),
    ).values_list("date", "link__slug", "clicks")
    for day, slug, count in clicks:
        field = "mysovereignty_clicks" if slug == MYSOVEREIGNTY_SLUG else "shares"
        counts[day][field] = counts[day].get(field, 0) + count
    dates = [start + timedelta(days=n) for n in range(days)]
    tallies = [(day, Tally(**counts[day])) for day in dates]
    return Period(start, end, tallies, sum((tally for _, tally in tallies), Tally()))


@dataclass(frozen=True)
class Measure:
    """One of the five: which Tally value it is, its name, and how it reads."""

    key: str
    title: str
    unit: str  # "percent", "seconds" or "count"
    basis: Callable[[Tally], str] | None = None

    def value(self, tally: Tally) -> float | int | None:
        return getattr(tally, self.key)

    def text(self, value: float | int | None) -> str:
        """The value as staff read it; a dash when there is nothing to divide."""
        if value is None:
            return "–"
        if self.unit == "percent":
            return f"{value:.1%}"
        if self.unit == "seconds":
            return f"{value:.1f} s"
        return f"{value:,}"


MEASURES = (
    Measure(
        "home_bounce_rate",
        "Home page bounce rate",
        "percent",
        lambda t: f"{t.home_bounces:,} of {t.home_entries:,} visits entering at home saw no "
        "second page",
    ),
    Measure(
        "enforcement_seconds",
        "Time on the enforcement page (average visible seconds)",
        "seconds",
        lambda t: f"over {t.enforcement_leaves:,} views that reported their time",
    ),
    Measure("mysovereignty_clicks", "Click-throughs to MySovereignty", "count"),
    Measure("dashboard_views", "Metrics dashboard visits (views of /metrics/)", "count"),
    Measure("shares", "Social shares (clicks on the share links)", "count"),
)


@dataclass(frozen=True)
class Frame:
    """A chart's viewBox: bars stand on y = height, the date labels sit below it."""

    width: int = 300
    height: int = 80

    @property
    def viewbox(self) -> str:
        return f"0 0 {self.width} {self.height + 16}"

    @property
    def label_y(self) -> int:
        return self.height + 13


FRAME = Frame()


@dataclass(frozen=True)
class Bar:
    """One day's bar in a chart's viewBox, with the text its tooltip shows."""

    x: float
    y: float
    width: float
    height: float
    label: str


@dataclass(frozen=True)
class Summary:
    """A measure over the period: its total, what the total rests on, and the daily bars."""

    title: str
    total: str
    basis: str
    top: str
    bars: list[Bar]


def chart_bars(measure: Measure, period: Period) -> tuple[str, list[Bar]]:
    """The bars of each day with a value, scaled to the highest (a rate to 100%)."""
    values = [measure.value(tally) for _, tally in period.days]
    top = 1.0 if measure.unit == "percent" else max((v for v in values if v), default=0)
    slot = FRAME.width / len(values)
    bars = []
    for index, ((day, _), value) in enumerate(zip(period.days, values, strict=True)):
        if not value:  # nothing, or no data: the table below tells which
            continue
        height = FRAME.height * value / top
        bars.append(
            Bar(
                x=round(index * slot + slot * 0.1, 2),
                y=round(FRAME.height - height, 2),
                width=round(slot * 0.8, 2),
                height=round(height, 2),
                label=f"{day.day} {day:%b}: {measure.text(value)}",
            )
        )
    return measure.text(top or None), bars


def summaries(period: Period) -> list[Summary]:
    """The five measures as the staff page shows them."""
    result = []
    for measure in MEASURES:
        top, bars = chart_bars(measure, period)
        result.append(
            Summary(
                title=measure.title,
                total=measure.text(measure.value(period.total)),
                basis=measure.basis(period.total) if measure.basis else "",
                top=top,
                bars=bars,
            )
        )
    return result


def daily_rows(period: Period) -> list[tuple[date, list[str]]]:
    """Each day with the five measures as text, newest first."""
    return [
        (day, [measure.text(measure.value(tally)) for measure in MEASURES])
        for day, tally in reversed(period.days)
    ]


CSV_COLUMNS = (
    "home_entries",
    "home_bounces",
    "home_bounce_rate",
    "enforcement_leaves",
    "enforcement_seconds",
    "mysovereignty_clicks",
    "dashboard_views",
    "shares",
)


def csv_rows(period: Period) -> Iterator[list]:
    """The CSV download: a header, one row per day (oldest first), then the period's total."""
    yield ["date", *CSV_COLUMNS]
    for day, tally in period.days:
        yield [day.isoformat(), *_csv_values(tally)]
    yield ["total", *_csv_values(period.total)]


def _csv_values(tally: Tally) -> list:
    values = (getattr(tally, column) for column in CSV_COLUMNS)
    # Rates as fractions, seconds to the tenth; no data is an empty cell, never a zero.
    return ["" if v is None else round(v, 4) if isinstance(v, float) else v for v in values]
