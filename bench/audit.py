"""Audit viewer benchmark, `python -m bench.audit`: a script, not a test (docs/benchmarks.md).

On PostgreSQL (BENCH_POSTGRES_URL names the server; the script uses its own database on it,
`tractatus_audit_bench`, kept between runs because filling it takes minutes), with 10 million
framework decisions stored, it measures in process, with no cache of any kind:
- /audit/, a filtered page (one service and "blocked") and a page reached by a cursor 10,000
  pages deep: median of 30 renders each; targets under 50 ms, the deep page within 1.5x of
  the first;
- ingesting a payload carrying 5,000 new audit events: median of 5; target under 1 s.
Exits 1 when a target is missed. `--fresh` drops and refills the database.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta

from bench import bench_database, start_django

EVENTS = 10_000_000
CHUNK = 1_000_000
RENDERS = 30
INGESTS = 5
DEEP_PAGES = 10_000
TARGET_MS = 50
DEEP_RATIO = 1.5
TARGET_INGEST_SECONDS = 1.0
DATABASE = "tractatus_audit_bench"
SERVICES = [
    "boundary-enforcer", "metacognitive-verifier", "context-pressure-monitor",
    "cross-reference-validator", "pluralistic-deliberation-orchestrator",
    "instruction-persistence-classifier",
]
RULES = [
    "cross-tenant-query", "admin-content-access", "unscoped-export", "privacy-boundary",
    "schema-change-unreviewed", "content-moderation-review", "instruction-override",
    "context-overflow",
]
# One decision every 3 seconds back from now: a year of a busy platform. The modulo pattern
# spreads services, decisions (55% allowed, 35% blocked, 10% escalated), rules and tenants.
FILL = """
INSERT INTO metrics_auditevent (event_id, at, service, decision, rule, tenant, detail, snapshot_id)
SELECT 'bench:' || g,
       now() - g * interval '3 seconds',
       (%(services)s::text[])[1 + g %% 6],
       CASE WHEN g %% 20 < 11 THEN 'allowed' WHEN g %% 20 < 18 THEN 'blocked' ELSE 'escalated' END,
       CASE WHEN g %% 20 < 11 THEN '' ELSE (%(rules)s::text[])[1 + (g / 7) %% 8] END,
       't_' || lpad(to_hex(4096 + g %% 5000), 16, '0'),
       'Bench decision ' || g %% 100,
       %(snapshot)s
FROM generate_series(%(first)s, %(last)s) AS g
"""


def fill() -> None:
    """10 million decisions, inserted by PostgreSQL itself in chunks, unless already there."""
    from django.db import connection

    from metrics.ingest import ingest_demo
    from metrics.models import AuditEvent, Snapshot

    if AuditEvent.objects.filter(event_id=f"bench:{EVENTS}").exists():
        return
    ingest_demo()
    snapshot = Snapshot.objects.latest()
    began = time.perf_counter()
    with connection.cursor() as cursor:
        for first in range(1, EVENTS + 1, CHUNK):
            cursor.execute(
                FILL,
                {
                    "services": SERVICES,
                    "rules": RULES,
                    "snapshot": snapshot.pk,
                    "first": first,
                    "last": first + CHUNK - 1,
                },
            )
            print(f"  {first + CHUNK - 1:,} events ({time.perf_counter() - began:.0f} s)",
                  flush=True)
        cursor.execute("ANALYZE metrics_auditevent")


def median_ms(client, url: str) -> float:
    for _ in range(3):  # warm: templates compiled, the pages of the index in memory
        assert client.get(url).status_code == 200, url
    seconds = []
    for _ in range(RENDERS):
        began = time.perf_counter()
        client.get(url)
        seconds.append(time.perf_counter() - began)
    return statistics.median(seconds) * 1000


def deep_cursor() -> str:
    from audit.events import PER_PAGE, cursor_after
    from metrics.models import AuditEvent

    # OFFSET walks the rows once here; the viewer never does.
    last = AuditEvent.objects.newest_first().only("at")[PER_PAGE * DEEP_PAGES - 1]
    return cursor_after(last)


def events_payload(now: datetime, run: int) -> bytes:
    from metrics.demo import demo_feed

    feed = demo_feed(now)
    feed["audit_events"] = [
        {
            "id": f"bench-ingest:{run}:{n}",
            "at": (now - timedelta(seconds=n)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "service": SERVICES[n % 6],
            "decision": "blocked",
            "rule": RULES[n % 8],
            "tenant": f"t_{n:016x}",
            "detail": "Query without a tenant scope",
        }
        for n in range(5000)
    ]
    return json.dumps(feed).encode()


def ingest_seconds() -> list[float]:
    from metrics.figures import latest_snapshot
    from metrics.ingest import ingest

    seconds = []
    # After the latest snapshot, which an earlier run of this script may have dated ahead.
    start = max(datetime.now(UTC), latest_snapshot().generated_at).replace(second=0, microsecond=0)
    for run in range(INGESTS):
        now = start + timedelta(minutes=run + 1)
        payload = events_payload(now, int(now.timestamp()))
        began = time.perf_counter()
        result = ingest(payload, "bench", now=now)
        seconds.append(time.perf_counter() - began)
        assert result.outcome == "accepted", result.summary
    return seconds


def main(argv: list[str]) -> int:
    server = os.environ.get("BENCH_POSTGRES_URL")
    if not server:
        print("audit bench: BENCH_POSTGRES_URL is not set (make bench sets it); skipped")
        return 0
    database = bench_database(server, DATABASE, fresh="--fresh" in argv)
    start_django(database, "dummycache://", PAGE_CACHE_SECONDS="0", ALLOWED_HOSTS="testserver")
    from django.test import Client

    print(f"audit: {EVENTS:,} decisions on PostgreSQL", flush=True)
    fill()
    client = Client()
    pages = {
        "first page": "/audit/",
        "one service, blocked": "/audit/?service=boundary-enforcer&decision=blocked",
        f"{DEEP_PAGES:,} pages deep": f"/audit/?cursor={deep_cursor()}",
    }
    times = {name: median_ms(client, url) for name, url in pages.items()}
    for name, ms in times.items():
        print(f"audit: {name}: median {ms:.1f} ms uncached (target < {TARGET_MS} ms)")
    ratio = times[f"{DEEP_PAGES:,} pages deep"] / times["first page"]
    print(f"audit: deep page / first page = {ratio:.2f} (target <= {DEEP_RATIO})")
    seconds = ingest_seconds()
    median = statistics.median(seconds)
    print(
        f"audit: ingest of a payload with 5,000 new events: median {median:.3f} s"
        f" (min {min(seconds):.3f}, max {max(seconds):.3f}; target < {TARGET_INGEST_SECONDS} s)"
    )
    met = (
        all(ms < TARGET_MS for ms in times.values())
        and ratio <= DEEP_RATIO
        and median < TARGET_INGEST_SECONDS
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
