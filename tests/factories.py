"""Small factories for stored rows the tests need, built the way ingest stores them."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta

from django.utils import timezone

from metrics.figures import forget_latest_figures
from metrics.models import (
    WINDOWS,
    AuditEvent,
    PressureBucket,
    RuleBlocks,
    ServiceDay,
    ServiceWindow,
    Snapshot,
)


def make_snapshot(
    *,
    age=timedelta(minutes=5),
    source="mysovereignty.digital",
    services=(("boundary-enforcer", "BoundaryEnforcer", 2847),),
    uptime=100.0,
    bypasses=0,
    tenant=(17112, 119161, 540112),
    generated_at: datetime | None = None,
    deployed_since: date = date(2024, 10, 1),
    daily: Mapping[str, Sequence[tuple[date, int, int]]] | None = None,
    rules: Sequence[tuple[str, str, int]] = (),
    buckets: Sequence[tuple[float, float, int]] = (),
) -> Snapshot:
    """An accepted snapshot `age` old (or generated at `generated_at`) whose 30-day operations
    are the given counts; `daily` maps a service key to its (date, operations, blocked) days,
    `rules` are (rule, label, 30-day count) and `buckets` (from, to, sessions)."""
    generated_at = generated_at or timezone.now() - age
    raw = f'{{"generated_at": "{generated_at.isoformat()}", "source": "{source}"}}'.encode()
    previous = Snapshot.objects.order_by("-generated_at").first()
    snapshot = Snapshot.objects.create(
        raw=raw,
        sha256=hashlib.sha256(raw).hexdigest(),
        previous_sha256=previous.sha256 if previous else "",
        generated_at=generated_at,
        source=source,
        deployed_since=deployed_since,
        tenant_isolation_24h=tenant[0],
        tenant_isolation_7d=tenant[1],
        tenant_isolation_30d=tenant[2],
        uptime_percent=uptime,
        bypasses=bypasses,
    )
    for position, (key, name, ops_30d) in enumerate(services):
        for window, divisor in zip(WINDOWS, (30, 4, 1), strict=True):
            operations = ops_30d // divisor
            ServiceWindow.objects.create(
                snapshot=snapshot, key=key, name=name, position=position, window=window,
                operations=operations, blocked=operations // 40,
            )
    for key, days in (daily or {}).items():
        ServiceDay.objects.bulk_create(
            ServiceDay(snapshot=snapshot, key=key, date=day, operations=ops, blocked=blocked)
            for day, ops, blocked in days
        )
    RuleBlocks.objects.bulk_create(
        RuleBlocks(snapshot=snapshot, rule=rule, label=label, position=position, count_30d=count)
        for position, (rule, label, count) in enumerate(rules)
    )
    PressureBucket.objects.bulk_create(
        PressureBucket(snapshot=snapshot, lower=lower, upper=upper, sessions=sessions)
        for lower, upper, sessions in buckets
    )
    forget_latest_figures()
    return snapshot


def make_events(
    snapshot: Snapshot, count: int, *, newest: datetime | None = None, every=timedelta(minutes=7),
    **fields,
) -> list[AuditEvent]:
    """`count` stored decisions delivered by `snapshot`, `every` apart back from `newest`;
    `fields` override the defaults (a block of boundary-enforcer under cross-tenant-query)."""
    newest = newest or snapshot.generated_at
    defaults = {
        "service": "boundary-enforcer",
        "decision": "blocked",
        "rule": "cross-tenant-query",
        "tenant": "t_0123456789abcdef",
        "detail": "Query without a tenant scope",
    }
    start = AuditEvent.objects.count()
    return AuditEvent.objects.bulk_create(
        AuditEvent(
            event_id=f"evt-{start + n:06}", at=newest - n * every, snapshot=snapshot,
            **(defaults | fields),
        )
        for n in range(count)
    )
