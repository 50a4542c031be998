"""The /metrics/ dashboard: charts from the latest snapshot, history from all stored snapshots.

Charts read only the latest snapshot's own rows, so no chart shows a number it did not report.
The 90-day history strip reads every snapshot of those days with one aggregate query, so its
cost follows the days shown, never how long the site has been collecting. The rendered
dashboard is kept in the database's cache table per snapshot, editor change and UTC day, so it
is built once per snapshot, with or without the shared cache.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property

from django.db.models import Count, DateField, F, Max, Min, Value
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.dateformat import format as format_date

from tractatus_site import state

from .charts import (
    BarChart,
    LineChart,
    RankingChart,
    Strip,
    bar_chart,
    histogram,
    line_chart,
    ranking_chart,
    strip,
)
from .figures import Figures, State, live_values
from .models import WINDOWS, FrameworkService, PressureBucket, RuleBlocks, ServiceDay, Snapshot

CHART_DAYS = 7
HISTORY_DAYS = 90
CACHE_SECONDS = 24 * 60 * 60


class UTCDate(TruncDate):
    """A timestamp's UTC date, computed by the database itself.

    Django's TruncDate calls back into Python once per row on SQLite, which is what made the
    history strip slow there; SQLite stores these timestamps as UTC text that date() reads.
    """

    def __init__(self, expression: str):
        super().__init__(expression, tzinfo=UTC)

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.lhs)
        return f"date({sql})", params


@dataclass(frozen=True)
class HistoryDay:
    """One UTC day of the history strip: snapshots accepted, and whether a bypass was reported.

    The feed's bypass count is cumulative since deployment, so a day "reports a bypass" when
    its highest count exceeds that of the previous day with a snapshot (or, with no earlier
    day to compare, when the count rose during the day): a steady non-zero count is an old
    bypass, already marked on the day it appeared, not a new one every day after.
    """

    date: date
    snapshots: int
    bypass: bool

    @property
    def state(self) -> str:
        if self.bypass:
            return "bypass"
        return "ok" if self.snapshots else "missing"

    @property
    def summary(self) -> str:
        if not self.snapshots:
            return "no snapshot accepted"
        plural = "snapshot" if self.snapshots == 1 else "snapshots"
        reported = "a bypass reported" if self.bypass else "no bypass reported"
        return f"{self.snapshots:,} {plural}, {reported}"


def history(today: date, days: int = HISTORY_DAYS) -> list[HistoryDay]:
    """The last `days` UTC days up to `today`, from one aggregate query over the snapshots."""
    first = today - timedelta(days=days - 1)
    # One day more than shown: its highest count is what the first shown day is compared with.
    since = datetime.combine(first - timedelta(days=1), time.min, tzinfo=UTC)
    rows = (
        Snapshot.objects.filter(generated_at__gte=since)
        .annotate(day=UTCDate("generated_at"))
        .values("day")
        .annotate(snapshots=Count("pk"), low=Min("bypasses"), high=Max("bypasses"))
        .order_by("day")
    )
    by_day = {row["day"]: row for row in rows}
    baseline: int | None = None
    strip_days = []
    for offset in range(-1, days):
        day = first + timedelta(days=offset)
        row = by_day.get(day)
        bypass = False
        if row:
            bypass = row["high"] > (row["low"] if baseline is None else baseline)
            baseline = row["high"]
        if offset >= 0:
            strip_days.append(HistoryDay(day, row["snapshots"] if row else 0, bypass))
    return strip_days


@dataclass(frozen=True)
class SnapshotRows:
    days: list[dict]  # key, date, operations, blocked
    rules: list[dict]  # rule, label, position, count_30d
    buckets: list[dict]  # lower, upper, sessions


def snapshot_rows(sha256: str, keys: Iterable[str], since: date) -> SnapshotRows:
    """The snapshot's daily rows of `keys` from `since`, its rule blocks and pressure buckets.

    One UNION ALL instead of three queries keeps /metrics/ within its ten-query budget; each
    table's columns are mapped onto the same eight.
    """
    no_text, no_count, no_bound = Value(""), Value(0), Value(0.0)
    no_day = Value(None, output_field=DateField())

    def columns(kind: str, **named) -> dict:
        defaults = {
            "slug": no_text,
            "title": no_text,
            "day": no_day,
            "amount": no_count,
            "extra": no_count,
            "start": no_bound,
            "end": no_bound,
        }
        return {"kind": Value(kind), **defaults, **{n: F(f) for n, f in named.items()}}

    days = ServiceDay.objects.filter(snapshot__sha256=sha256, key__in=keys, date__gte=since)
    rules = RuleBlocks.objects.filter(snapshot__sha256=sha256)
    buckets = PressureBucket.objects.filter(snapshot__sha256=sha256)
    union = (
        days.order_by()
        .values(**columns("day", slug="key", day="date", amount="operations", extra="blocked"))
        .union(
            rules.order_by().values(
                **columns("rule", slug="rule", title="label", amount="count_30d", extra="position")
            ),
            buckets.order_by().values(
                **columns("bucket", amount="sessions", start="lower", end="upper")
            ),
            all=True,
        )
    )
    found = SnapshotRows([], [], [])
    for row in union:
        kind = row["kind"]
        if kind == "day":
            found.days.append(
                {
                    "key": row["slug"],
                    "date": row["day"],
                    "operations": row["amount"],
                    "blocked": row["extra"],
                }
            )
        elif kind == "rule":
            found.rules.append(
                {
                    "rule": row["slug"],
                    "label": row["title"],
                    "position": row["extra"],
                    "count_30d": row["amount"],
                }
            )
        else:
            found.buckets.append(
                {"lower": row["start"], "upper": row["end"], "sessions": row["amount"]}
            )
    return found


@dataclass(frozen=True)
class Dashboard:
    calls: LineChart
    blocked: BarChart
    rules: RankingChart
    pressure: BarChart
    history: Strip
    history_days: tuple[HistoryDay, ...]
    history_table: tuple[dict, ...]


def day_label(day: date) -> str:
    return f"{day.day} {day:%b}"


def history_table(days: Sequence[HistoryDay]) -> tuple[dict, ...]:
    """The strip's days as its data table shows them, newest first: every text made once here
    (90 rows of two date filters each cost more than the rest of the dashboard's template)."""
    return tuple(
        {
            "iso": day.date.isoformat(),
            "label": f"{day_label(day.date)} {day.date.year}",
            "snapshots": str(day.snapshots),
            "bypass": day.bypass,
        }
        for day in reversed(days)
    )


def chart_days(generated_at: datetime, dates: Iterable[date]) -> list[date]:
    """The last CHART_DAYS UTC days of the snapshot, ending the day before it was generated."""
    # ...or on that day itself, when the feed already reports it.
    end = generated_at.date()
    if end not in set(dates):
        end -= timedelta(days=1)
    return [end - timedelta(days=n) for n in range(CHART_DAYS - 1, -1, -1)]


def build_dashboard(
    figures: Figures, services: Sequence[FrameworkService], today: date
) -> Dashboard:
    """Every chart of the dashboard for the snapshot `figures` came from."""
    shown = [s for s in services if figures.service(s.feed_key)]
    rows = snapshot_rows(
        figures.sha256,
        [s.feed_key for s in shown],
        figures.generated_at.date() - timedelta(days=CHART_DAYS),
    )
    tallies = {(row["key"], row["date"]): row for row in rows.days}
    days = chart_days(figures.generated_at, (row["date"] for row in rows.days))
    labels = [day_label(day) for day in days]
    period = f"{labels[0]} to {labels[-1]} {days[-1].year}"

    def series(measure: str, service: FrameworkService) -> list[int | None]:
        found = (tallies.get((service.feed_key, day)) for day in days)
        return [row[measure] if row else None for row in found]

    blocked = [series("blocked", s) for s in shown]
    blocked_totals = (
        [
            sum(v for v in per_day if v is not None)
            if any(v is not None for v in per_day)
            else None
            for per_day in zip(*blocked, strict=True)
        ]
        if blocked
        else [None] * len(days)
    )
    ranked = sorted(rows.rules, key=lambda r: (-r["count_30d"], r["position"]))
    buckets = sorted(rows.buckets, key=lambda b: b["lower"])
    strip_days = history(today)
    return Dashboard(
        calls=line_chart(
            "chart-calls",
            f"Framework service calls per day, {period}",
            labels,
            [(s.name, series("operations", s)) for s in shown],
            y_title="Operations",
            x_title="Day (UTC)",
            corner="Service",
        ),
        blocked=bar_chart(
            "chart-blocked",
            f"Operations blocked per day, all services, {period}",
            list(zip(labels, blocked_totals, strict=True)),
            y_title="Blocked",
            x_title="Day (UTC)",
            corner="Day (UTC)",
        ),
        rules=ranking_chart(
            "chart-rules",
            "Boundary enforcement blocks by rule, last 30 days",
            [(r["label"], r["count_30d"]) for r in ranked],
            value_title="Blocks, 30 days",
            corner="Rule",
        ),
        pressure=histogram(
            "chart-pressure",
            "Sessions by context pressure, last 30 days",
            [(b["lower"], b["upper"], b["sessions"]) for b in buckets],
            y_title="Sessions",
            x_title="Context pressure",
            unit="%",
            corner="Context pressure",
        ),
        history=strip(
            "chart-history",
            f"Accepted snapshots per day, last {HISTORY_DAYS} days",
            f"{sum(1 for d in strip_days if d.snapshots)} of {HISTORY_DAYS} days had an "
            f"accepted snapshot; {sum(1 for d in strip_days if d.bypass)} reported a bypass.",
            [(d.state, f"{day_label(d.date)} {d.date.year}: {d.summary}") for d in strip_days],
        ),
        history_days=tuple(strip_days),
        history_table=history_table(strip_days),
    )


class DashboardFragment:
    """The latest snapshot's dashboard, for a template that caches its rendered HTML.

    `key` names everything the rendered dashboard depends on besides the request: the site's
    state as the database reports it (the latest snapshot, and the editors' content version:
    they rename and unpublish services) and the UTC day (the history strip moves on at midnight
    even when no new snapshot arrives). The charts are built only when the template reads them,
    which it does not while its cached fragment is fresh.
    """

    timeout = CACHE_SECONDS

    def __init__(self, figures: Figures, services: Sequence[FrameworkService]):
        self.figures = figures
        self.services = services
        self.today = timezone.now().astimezone(UTC).date()
        self.key = f"{state.site_state().key}:{self.today}"

    @cached_property
    def charts(self) -> Dashboard:
        return build_dashboard(self.figures, self.services, self.today)


def dashboard(figures: Figures, services: Sequence[FrameworkService]) -> DashboardFragment | None:
    """The dashboard of the latest snapshot, or None before the first one."""
    return DashboardFragment(figures, services) if figures.exists else None


def live_update(figures: Figures, now: datetime) -> dict:
    """What /api/metrics/figures.json tells an open page: its state line and every figure."""
    state = figures.state(now)
    as_of = figures.generated_at
    return {
        "state": state,
        "state_label": State.LABELS[state],
        "sha256": figures.sha256,
        "as_of": as_of.isoformat() if as_of else None,
        # No "… ago" here: it would change the answer every minute, and pollers revalidate.
        "as_of_text": f"{format_date(as_of, 'j M Y, H:i')} UTC" if as_of else "",
        "figures": live_values(figures),
    }


def published_keys() -> list[str]:
    return list(FrameworkService.objects.filter(published=True).values_list("feed_key", flat=True))


def daily_rows(figures: Figures) -> list[tuple[str, str, int, int]]:
    """The latest snapshot's daily series of published services: key, date, operations, blocked."""
    rows = ServiceDay.objects.filter(
        snapshot__sha256=figures.sha256, key__in=published_keys()
    ).order_by("key", "date")
    return [(r.key, r.date.isoformat(), r.operations, r.blocked) for r in rows]


def window_rows(figures: Figures) -> list[tuple[str, str, int, int]]:
    """The latest snapshot's windows of published services: key, window, operations, blocked."""
    keys = set(published_keys())
    return [
        (service.key, window, tally.operations, tally.blocked)
        for service in figures.services.values()
        if service.key in keys
        for window in WINDOWS
        if (tally := service.windows.get(window))
    ]
