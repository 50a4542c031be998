"""A month's figures from the stored daily series: each day as its latest snapshot reports it."""

from __future__ import annotations

import calendar
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta

from django.db.models import Max, Q

from metrics.charts import bar_chart
from metrics.models import FrameworkService, ServiceDay, Snapshot
from tractatus_site.parameters import FIRST_DAY, LAST_DAY, InvalidParameter


@dataclass
class ServiceMonth:
    key: str
    name: str
    operations: int = 0
    blocked: int = 0
    days_with_data: int = 0
    daily: dict[str, int] = field(default_factory=dict)  # ISO date -> operations
    change_operations: int | None = None
    change_blocked: int | None = None


@dataclass
class MonthFigures:
    month: str  # YYYY-MM
    days_in_month: int
    month_to_date: bool
    is_demo: bool
    services: list[ServiceMonth]
    snapshots: list[str]  # SHA-256 of every snapshot a figure came from, oldest first
    latest: dict  # the month's last snapshot: its windows, uptime and bypasses, with its time

    def as_json(self) -> dict:
        return asdict(self)


def report_month(year: int, month: int) -> date:
    """The first day of the month a report's address names; InvalidParameter out of range."""
    if not FIRST_DAY.year <= year <= LAST_DAY.year:
        raise InvalidParameter(f"the year is from {FIRST_DAY.year} to {LAST_DAY.year}")
    if not 1 <= month <= 12:
        raise InvalidParameter("the month is from 1 to 12")
    return date(year, month, 1)


def month_bounds(month: date) -> tuple[date, date]:
    last_day = calendar.monthrange(month.year, month.month)[1]
    return month.replace(day=1), month.replace(day=last_day)


def previous_month(month: date) -> date:
    return (month.replace(day=1) - timedelta(days=1)).replace(day=1)


def _daily_rows(first: date, last: date) -> list[dict]:
    """For each (service, day) in the range, the row of the latest snapshot covering that day.

    Accepted snapshots only ever get newer, so the largest snapshot id is the latest one.
    """
    chosen = (
        ServiceDay.objects.filter(date__range=(first, last))
        .values("key", "date")
        .annotate(snapshot_id=Max("snapshot_id"))
    )
    pairs = Q()
    for row in chosen:
        pairs |= Q(key=row["key"], date=row["date"], snapshot_id=row["snapshot_id"])
    if not pairs:
        return []
    return list(
        ServiceDay.objects.filter(pairs)
        .order_by("date")
        .values(
            "key",
            "date",
            "operations",
            "blocked",
            "snapshot__sha256",
            "snapshot__source",
            "snapshot__generated_at",
        )
    )


def _by_service(rows: list[dict], names: dict[str, str]) -> dict[str, ServiceMonth]:
    """Sum the days of each service editors publish; an unmapped feed key is never shown."""
    services = {key: ServiceMonth(key, name) for key, name in names.items()}
    for row in rows:
        entry = services.get(row["key"])
        if entry is None:
            continue
        entry.operations += row["operations"]
        entry.blocked += row["blocked"]
        entry.days_with_data += 1
        entry.daily[row["date"].isoformat()] = row["operations"]
    return services


def _latest_figures(snapshot: Snapshot) -> dict:
    return {
        "sha256": snapshot.sha256,
        "generated_at": snapshot.generated_at.isoformat(),
        "deployed_since": snapshot.deployed_since.isoformat(),
        "tenant_isolation": {
            window: getattr(snapshot, f"tenant_isolation_{window}")
            for window in ("24h", "7d", "30d")
        },
        "uptime_percent": snapshot.uptime_percent,
        "bypasses": snapshot.bypasses,
    }


def month_figures(month: date, today: date) -> MonthFigures | None:
    """The month's report figures, or None when no accepted snapshot has data for it."""
    first, last = month_bounds(month)
    rows = _daily_rows(first, last)
    names = dict(FrameworkService.objects.filter(published=True).values_list("feed_key", "name"))
    services = _by_service(rows, names)
    if not any(service.days_with_data for service in services.values()):
        return None
    shown = [row for row in rows if row["key"] in names]
    sources = sorted(
        {row["snapshot__sha256"]: row for row in shown}.values(),
        key=lambda row: row["snapshot__generated_at"],
    )
    # Windowed figures come from the month's last snapshot, or the last one covering it.
    latest = Snapshot.objects.filter(generated_at__date__range=(first, last)).order_by(
        "-generated_at"
    ).first() or Snapshot.objects.get(sha256=sources[-1]["snapshot__sha256"])
    previous = _by_service(_daily_rows(*month_bounds(previous_month(month))), names)
    for key, service in services.items():
        before = previous.get(key)
        if service.days_with_data and before and before.days_with_data:
            service.change_operations = service.operations - before.operations
            service.change_blocked = service.blocked - before.blocked
    return MonthFigures(
        month=f"{month:%Y-%m}",
        days_in_month=last.day,
        month_to_date=first <= today <= last,
        is_demo=any(r["snapshot__source"] == "demo" for r in sources) or latest.is_demo,
        services=[s for s in services.values() if s.days_with_data],
        snapshots=[r["snapshot__sha256"] for r in sources],
        latest=_latest_figures(latest),
    )


def daily_operations_chart(figures: dict):
    """The month's operations per day, all reported services together; a day without data is
    a missing bar, never a zero."""
    first = date.fromisoformat(f"{figures['month']}-01")
    days = [first + timedelta(days=n) for n in range(figures["days_in_month"])]
    totals: dict[str, int] = {}
    for service in figures["services"]:
        for day, operations in service["daily"].items():
            totals[day] = totals.get(day, 0) + operations
    return bar_chart(
        "chart-month",
        f"Framework operations per day, {first:%B %Y}",
        [(f"{day.day}", totals.get(day.isoformat())) for day in days],
        y_title="Operations",
        x_title="Day of the month (UTC)",
        corner="Day",
    )
