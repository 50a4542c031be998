"""A demo feed for development and first runs: valid under the contract, marked `source: demo`.

The figures of a day depend only on the service and the date, so two demo snapshots generated
on different days agree about the days they share, as real snapshots would.
"""

from __future__ import annotations

import hashlib
import json
import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

from .models import WINDOWS

SOURCE = "demo"
HISTORY_DAYS = 30
# The plan's launch month, so demo pages read "since deployment (October 2024)" as the plan does.
DEPLOYED_SINCE = date(2024, 10, 1)
# (key, name, typical operations a day, share of them blocked): the six services of the plan.
SERVICES = (
    ("boundary-enforcer", "BoundaryEnforcer", 95, 0.03),
    ("metacognitive-verifier", "MetacognitiveVerifier", 40, 0.01),
    ("context-pressure-monitor", "ContextPressureMonitor", 28, 0.0),
    ("cross-reference-validator", "CrossReferenceValidator", 114, 0.011),
    ("pluralistic-deliberation-orchestrator", "PluralisticDeliberationOrchestrator", 3, 0.0),
    ("instruction-persistence-classifier", "InstructionPersistenceClassifier", 62, 0.003),
)
TENANT_CHECKS_A_DAY = 18000
# Boundary-enforcer blocks by rule, as shares of its 30-day blocks.
RULES = (
    ("cross-tenant-query", "Cross-tenant query", 0.54),
    ("admin-content-access", "Admin access to user content", 0.23),
    ("unscoped-export", "Unscoped data export", 0.14),
    ("privacy-boundary", "Privacy boundary crossing", 0.09),
)
# Context pressure quartiles, as shares of the monitor's 30-day sessions.
PRESSURE = ((0, 25, 0.6), (25, 50, 0.27), (50, 75, 0.1), (75, 100, 0.03))
# Audit events: what a decision under each rule says, and who the demo's tenants are.
RULE_DETAILS = {
    "cross-tenant-query": "Query without a tenant scope",
    "admin-content-access": "Platform admin route asked for user content",
    "unscoped-export": "Export without a tenant filter",
    "privacy-boundary": "Personal data asked for outside its purpose",
}
TENANTS = [f"t_{hashlib.sha256(f'demo-tenant-{n}'.encode()).hexdigest()[:16]}" for n in range(24)]


def day_tally(key: str, day: date, typical: int, blocked_share: float) -> tuple[int, int]:
    """One service's (operations, blocked) on one day: the same whenever it is asked."""
    rng = random.Random(f"{key}:{day.isoformat()}")  # noqa: S311 - demo figures, not secrets
    operations = max(0, round(typical * rng.uniform(0.65, 1.35)))
    blocked = min(operations, round(operations * blocked_share * rng.uniform(0.4, 1.6)))
    return operations, blocked


def window_sums(series: list[tuple[int, int]]) -> dict[str, tuple[int, int]]:
    """24h, 7d and 30d totals of a daily series ending yesterday."""
    sums = {}
    for window, days in zip(WINDOWS, (1, 7, 30), strict=True):
        recent = series[-days:]
        sums[window] = (sum(ops for ops, _ in recent), sum(blocked for _, blocked in recent))
    return sums


def day_events(day: date) -> list[dict[str, Any]]:
    """The demo's audit events of one UTC day: the same whenever it is asked, as events are."""
    rng = random.Random(f"events:{day.isoformat()}")  # noqa: S311 - demo data, not secrets
    start = datetime.combine(day, datetime.min.time(), tzinfo=UTC)
    seconds = sorted(rng.randrange(24 * 60 * 60) for _ in range(rng.randint(8, 14)))
    rules = [rule for rule, _, _ in RULES]
    shares = [share for _, _, share in RULES]
    events = []
    for n, second in enumerate(seconds):
        event = {
            "id": f"demo:{day:%Y%m%d}:{n:03}",
            "at": (start + timedelta(seconds=second)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "tenant": rng.choice(TENANTS),
        }
        roll = rng.random()
        if roll < 0.4:
            rule = rng.choices(rules, shares)[0]
            event |= {"service": "boundary-enforcer", "decision": "blocked", "rule": rule}
            event["detail"] = RULE_DETAILS[rule]
        elif roll < 0.45:
            event |= {
                "service": "pluralistic-deliberation-orchestrator",
                "decision": "escalated",
                "rule": "privacy-boundary",
                "detail": "Sent to human review: values in conflict",
            }
        else:
            event |= {"service": rng.choice(SERVICES)[0], "decision": "allowed"}
        events.append(event)
    return events


def demo_feed(now: datetime) -> dict[str, Any]:
    """The demo feed as generated at `now` (to the minute), with 30 whole days of history."""
    generated_at = now.astimezone(UTC).replace(second=0, microsecond=0)
    days = [generated_at.date() - timedelta(days=n) for n in range(HISTORY_DAYS, 0, -1)]
    services = []
    totals = {}
    for key, name, typical, blocked_share in SERVICES:
        series = [day_tally(key, day, typical, blocked_share) for day in days]
        sums = window_sums(series)
        totals[key] = sums["30d"]
        services.append(
            {
                "key": key,
                "name": name,
                "windows": {w: {"operations": o, "blocked": b} for w, (o, b) in sums.items()},
                "daily": [
                    {"date": day.isoformat(), "operations": o, "blocked": b}
                    for day, (o, b) in zip(days, series, strict=True)
                ],
            }
        )
    tenant = window_sums(
        [day_tally("tenant-isolation", day, TENANT_CHECKS_A_DAY, 0.0) for day in days]
    )
    boundary_blocks = totals["boundary-enforcer"][1]
    sessions = totals["context-pressure-monitor"][0]
    return {
        "schema_version": 1,
        "source": SOURCE,
        "generated_at": generated_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "deployed_since": DEPLOYED_SINCE.isoformat(),
        "services": services,
        "tenant_isolation": {w: ops for w, (ops, _) in tenant.items()},
        "boundary_blocks_by_rule": [
            {"rule": rule, "label": label, "count_30d": int(boundary_blocks * share)}
            for rule, label, share in RULES
        ],
        "context_pressure": {
            "window": "30d",
            "buckets": [
                {"from": low, "to": high, "sessions": int(sessions * share)}
                for low, high, share in PRESSURE
            ],
        },
        "enforcement": {"uptime_percent": 100.0, "bypasses": 0},
        "audit_events": [
            event
            for day in [*days, generated_at.date()]
            for event in day_events(day)
            if event["at"] <= generated_at.strftime("%Y-%m-%dT%H:%M:%SZ")
        ],
    }


def demo_payload(now: datetime) -> bytes:
    """The demo feed's bytes, as the feed would send them."""
    return json.dumps(demo_feed(now), indent=2).encode()
