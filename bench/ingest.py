"""Ingest benchmark, `python -m bench.ingest`: a script, not a test (see docs/benchmarks.md).

Ingests a maximal valid feed (50 services, 31 days each, 50 rules, 20 buckets) 100 times into a
throwaway SQLite database, each a new snapshot, and prints the median seconds per ingest and
the process's peak RSS. Targets: under 0.2 s and under 150 MB.
"""

from __future__ import annotations

import json
import resource
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench import start_django

RUNS = 100
TARGET_SECONDS = 0.2
TARGET_MB = 150


def maximal_feed(generated_at: datetime) -> bytes:
    """A feed at every size limit of the contract, with the longest texts it allows."""
    first_day = generated_at.date() - timedelta(days=31)
    services = []
    for n in range(50):
        daily = [
            {
                "date": (first_day + timedelta(days=d)).isoformat(),
                "operations": 100 + d,
                "blocked": d % 5,
            }
            for d in range(31)
        ]
        services.append(
            {
                "key": f"service-{n:02}-" + "k" * 53,
                "name": f"Service {n:02} " + "N" * 89,
                "windows": {
                    "24h": {"operations": 130, "blocked": 0},
                    "7d": {"operations": 900, "blocked": 10},
                    "30d": {"operations": 3900, "blocked": 60},
                },
                "daily": daily,
            }
        )
    return json.dumps(
        {
            "schema_version": 1,
            "source": "s" * 100,
            "generated_at": generated_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "deployed_since": "2024-10-01",
            "services": services,
            "tenant_isolation": {"24h": 17112, "7d": 119161, "30d": 540112},
            "boundary_blocks_by_rule": [
                {"rule": f"rule-{n:02}", "label": f"Rule {n:02} " + "L" * 92, "count_30d": n}
                for n in range(50)
            ],
            "context_pressure": {
                "window": "30d",
                "buckets": [{"from": n * 5, "to": n * 5 + 5, "sessions": n} for n in range(20)],
            },
            "enforcement": {"uptime_percent": 99.95, "bypasses": 0},
        },
        indent=2,
    ).encode()


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="ingest-bench-") as workdir:
        return bench(Path(workdir))


def bench(workdir: Path) -> int:
    start_django(f"sqlite:///{workdir / 'bench.sqlite3'}", f"filecache://{workdir / 'cache'}")
    from metrics.ingest import ingest

    start = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=RUNS + 10)
    seconds = []
    size = 0
    for n in range(RUNS):
        now = start + timedelta(minutes=n)
        payload = maximal_feed(now)
        size = len(payload)
        began = time.perf_counter()
        result = ingest(payload, "bench", now=now)
        seconds.append(time.perf_counter() - began)
        if result.outcome != "accepted":
            print(f"run {n}: {result.summary}", file=sys.stderr)
            return 1
    median = statistics.median(seconds)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(
        f"ingest: {RUNS} maximal feeds of {size / 1024:.0f} KiB into SQLite: median"
        f" {median:.3f} s per ingest (min {min(seconds):.3f}, max {max(seconds):.3f});"
        f" peak RSS {peak_mb:.0f} MB"
    )
    return 0 if median < TARGET_SECONDS and peak_mb < TARGET_MB else 1


if __name__ == "__main__":
    sys.exit(main())
