"""verify.py benchmark, `python -m bench.verify`: a script, not a test (docs/benchmarks.md).

Builds a 100,000-entry log (a snapshot's entry, then audit-event entries as the site logs
them) with the tests' own tile builder, serves its checkpoint, tiles and entry bundles from
memory on 127.0.0.1, and times transparency/verify.py checking it as a visitor runs it: a new
process that fetches every tile and bundle, hashes and canonical-checks every entry and
rebuilds the root. The server's answers cost nothing here, so the figure is the verifier's own
work; the site's cost per tile is measured separately. Median of 3 runs; target under 30 s.
Exits 1 when the target is missed.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

from tests.transparency.notes import NoteKey
from tests.transparency.staticlog import canonical, static_log

ENTRIES = 100_000
RUNS = 3
TARGET_SECONDS = 30
VERIFY = Path(__file__).resolve().parents[1] / "transparency" / "verify.py"


def entries() -> list[bytes]:
    snapshot = {"kind": "snapshot", "sha256": "5" * 64, "previous_sha256": "4" * 64,
                "generated_at": "2026-11-29T16:50:00+00:00",
                "ingested_at": "2026-11-29T16:50:02.123456+00:00",
                "source": "https://mysovereignty.example/api/public/framework-metrics",
                "signature_verified": True}
    return [canonical(snapshot)] + [
        canonical({
            "kind": "audit_event", "id": f"evt-2026-11-29-{i:07d}",
            "at": "2026-11-29T16:49:12+00:00", "service": "boundary-enforcer",
            "decision": "blocked", "rule": "cross-tenant-query", "tenant": "t_0123456789abcdef",
            "detail": "Query scoped to another tenant's records was refused before execution.",
            "snapshot_sha256": "5" * 64, "demo": False,
        })
        for i in range(1, ENTRIES)
    ]


def main() -> int:
    key = NoteKey("bench.tractatus.example/log")
    log = entries()
    with static_log(key) as site:
        site.publish(log)
        served = sum(len(data) for data in site.files.values())
        seconds = []
        for _ in range(RUNS):
            start = time.perf_counter()
            subprocess.run([sys.executable, str(VERIFY), site.url, "--key", key.vkey],
                           check=True, capture_output=True)
            seconds.append(time.perf_counter() - start)
            requests = len(site.requests)
            site.requests.clear()
    median = statistics.median(seconds)
    print(f"verify.py on {ENTRIES:,} entries ({served / 2**20:.1f} MiB of tiles and bundles, "
          f"{requests} requests): median {median:.1f} s of {RUNS} runs "
          f"({', '.join(f'{s:.1f}' for s in seconds)}); target under {TARGET_SECONDS} s")
    return 0 if median < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
