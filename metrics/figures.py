"""The one "latest figures" lookup every page reads its live numbers from."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from tractatus_site import state

from .models import WINDOWS, ServiceWindow, Snapshot


class State:
    LIVE = "live"
    DELAYED = "delayed"
    DEMO = "demo"
    AWAITING = "awaiting"

    LABELS = {
        LIVE: "Live",
        DELAYED: "Delayed",
        DEMO: "Demo data",
        AWAITING: "Awaiting first metrics",
    }


@dataclass(frozen=True)
class Tally:
    operations: int
    blocked: int


@dataclass(frozen=True)
class ServiceFigures:
    key: str
    name: str
    windows: dict[str, Tally]


@dataclass(frozen=True)
class Figures:
    """The figures of one accepted snapshot, or of none (`sha256` empty)."""

    sha256: str = ""
    previous_sha256: str = ""
    generated_at: datetime | None = None
    ingested_at: datetime | None = None
    source: str = ""
    deployed_since: date | None = None
    services: dict[str, ServiceFigures] = field(default_factory=dict)
    tenant_isolation: dict[str, int] = field(default_factory=dict)
    uptime_percent: float | None = None
    bypasses: int | None = None
    signed: bool = False
    log_index: int | None = None  # its entry in the transparency log

    @property
    def exists(self) -> bool:
        return bool(self.sha256)

    @property
    def is_demo(self) -> bool:
        return self.source == "demo"

    def age(self, now: datetime | None = None) -> timedelta | None:
        if self.generated_at is None:
            return None
        return max((now or timezone.now()) - self.generated_at, timedelta(0))

    def state(self, now: datetime | None = None) -> str:
        """Live, Delayed, Demo data or Awaiting: never Live for stale or demo data."""
        if not self.exists:
            return State.AWAITING
        if self.is_demo:
            return State.DEMO
        stale_after = timedelta(minutes=settings.METRICS_STALE_AFTER_MINUTES)
        return State.DELAYED if self.age(now) >= stale_after else State.LIVE

    def service(self, key: str) -> ServiceFigures | None:
        return self.services.get(key)

    @classmethod
    def from_windows(
        cls, snapshot: Snapshot, windows: Iterable[ServiceWindow], log_index: int | None = None
    ) -> Figures:
        services: dict[str, ServiceFigures] = {}
        for row in windows:
            entry = services.setdefault(row.key, ServiceFigures(row.key, row.name, {}))
            entry.windows[row.window] = Tally(row.operations, row.blocked)
        return cls(
            sha256=snapshot.sha256,
            previous_sha256=snapshot.previous_sha256,
            generated_at=snapshot.generated_at,
            ingested_at=snapshot.ingested_at,
            source=snapshot.source,
            deployed_since=snapshot.deployed_since,
            services=services,
            tenant_isolation={
                w: getattr(snapshot, f"tenant_isolation_{w}") for w in WINDOWS
            },
            uptime_percent=snapshot.uptime_percent,
            bypasses=snapshot.bypasses,
            signed=snapshot.signature_verified,
            log_index=log_index,
        )


NO_FIGURES = Figures()


def latest_snapshot() -> Snapshot | None:
    """The latest accepted snapshot, without its bytes (up to 4 MiB, and never needed here)."""
    return Snapshot.objects.defer("raw").order_by("-generated_at").first()


def read_figures(sha256: str) -> Figures:
    """A snapshot's figures in one query: its windows, each with the snapshot joined, and its
    index in the transparency log (`transparency.LogEntry`, whose snapshot is `log_entries`).

    Every accepted snapshot has at least one service, so it always has window rows.
    """
    windows = list(
        ServiceWindow.objects.filter(snapshot__sha256=sha256)
        .select_related("snapshot")
        .defer("snapshot__raw")
        .annotate(log_index=F("snapshot__log_entries__index"))
        .order_by("position", "window")
    )
    if not windows:
        return NO_FIGURES
    return Figures.from_windows(windows[0].snapshot, windows, windows[0].log_index)


def latest_figures() -> Figures:
    """The figures of the latest snapshot the database holds; cached under its SHA-256."""
    sha256 = state.site_state().snapshot
    if not sha256:
        return NO_FIGURES
    return state.remembered("figures", lambda: read_figures(sha256))


def format_count(value: int | None) -> str:
    """2847 -> "2,847"."""
    return "" if value is None else f"{value:,}"


def format_percent(value: float | None) -> str:
    """100.0 -> "100", 99.954 -> "99.95": no trailing zeros, never rounded up to 100."""
    if value is None:
        return ""
    truncated = int(value * 100) / 100
    return f"{truncated:.2f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class ServiceRow:
    """A published service beside its figures in the latest snapshot (None: not in it)."""

    service: object
    figures: ServiceFigures | None

    def tally(self, window: str) -> Tally | None:
        return self.figures.windows.get(window) if self.figures else None

    @property
    def last_24h(self) -> Tally | None:
        return self.tally("24h")

    @property
    def last_7d(self) -> Tally | None:
        return self.tally("7d")

    @property
    def last_30d(self) -> Tally | None:
        return self.tally("30d")


def service_rows(services, figures: Figures) -> list[ServiceRow]:
    """Pair editor-managed services with their feed figures, keeping the editors' order."""
    return [ServiceRow(service, figures.service(service.feed_key)) for service in services]


class Measure:
    """What a live figure counts; with its window and service it names the figure."""

    OPERATIONS = "operations"
    BLOCKED = "blocked"
    TENANT_ISOLATION = "tenant-isolation"
    UPTIME = "uptime-percent"
    BYPASSES = "bypasses"


def figure_id(measure: str, window: str = "", key: str = "") -> str:
    """The id a live figure carries in pages (`data-figure`) and in /api/metrics/figures.json."""
    parts = ("service", key, window, measure) if key else (measure, window)
    return "-".join(part for part in parts if part)


def live_values(figures: Figures) -> dict[str, str]:
    """Every live figure of the snapshot, by figure id, formatted as the pages show it."""
    if not figures.exists:
        return {}
    values = {
        figure_id(Measure.UPTIME): format_percent(figures.uptime_percent),
        figure_id(Measure.BYPASSES): format_count(figures.bypasses),
    }
    for window, count in figures.tenant_isolation.items():
        values[figure_id(Measure.TENANT_ISOLATION, window)] = format_count(count)
    for service in figures.services.values():
        for window, tally in service.windows.items():
            values[figure_id(Measure.OPERATIONS, window, service.key)] = format_count(
                tally.operations
            )
            values[figure_id(Measure.BLOCKED, window, service.key)] = format_count(tally.blocked)
    return values
