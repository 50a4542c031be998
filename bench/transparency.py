"""Transparency log benchmark, `python -m bench.transparency`: a script, not a test.

1. The append's cost to an ingest: a payload carrying 5,000 new audit events ingested with the
   log and without it (the append replaced by nothing), median of 5 each, on SQLite and, when
   BENCH_POSTGRES_URL names a server, on PostgreSQL; target: the log adds under 0.3 s.
2. On PostgreSQL, a 10-million-entry log (its own database, `tractatus_log_bench`, kept between
   runs because filling it takes minutes; `--fresh` refills it): a random full tile, a partial
   tile, an entry bundle, the checkpoint and an inclusion proof, each requested through the
   whole Django stack (test client, no cache), median of 200; targets: tile under 5 ms,
   checkpoint under 2 ms, inclusion proof under 10 ms. Then the log's size on disk, per million
   entries. (verify.py's own speed is `python -m bench.verify`.)
3. `verify_log`'s check of the log the appends above left (SQLite): its CPU per entry, and what
   that comes to on the 10-million-entry log. No target: the check re-derives every entry, so
   its cost grows with the log (docs/benchmarks.md).
Exits 1 when a target is missed. Figures are in docs/benchmarks.md.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench import bench_database, start_django

EVENTS = 5_000
INGESTS = 5
TARGET_APPEND_SECONDS = 0.3
ENTRIES = 10_000_000
REQUESTS = 200
TARGETS_MS = {"tile": 5, "partial tile": 5, "entry bundle": 5, "checkpoint": 2, "inclusion": 10}
DATABASE = "tractatus_log_bench"
ORIGIN = "bench.example/log"


def feed(generated_at: datetime, run: int, first: int) -> bytes:
    """The contract's example feed at `generated_at`, carrying EVENTS new audit events."""
    from tests.metrics.conftest import dated
    from tests.transparency.conftest import WITH_EVENTS

    payload = dated(json.loads(WITH_EVENTS), generated_at)
    at = (generated_at - timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    payload["audit_events"] = [
        {"id": f"bench:{run}:{n}", "at": at, "service": "boundary-enforcer", "decision": "blocked",
         "rule": "cross-tenant-query", "tenant": f"t_{n:016x}", "detail": f"Bench decision {n}"}
        for n in range(first, first + EVENTS)
    ]
    return json.dumps(payload).encode()


def append_cost() -> tuple[float, float, float]:
    """Median seconds of an ingest of EVENTS new events with the log, minus without it."""
    from metrics.ingest import ingest
    from transparency import log

    real = log.append_snapshot
    # One second apart, ending now: a run follows the last one's snapshots, a minute later.
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=2 * INGESTS)
    run = int(start.timestamp())
    timings: dict[bool, list[float]] = {True: [], False: []}
    for n in range(2 * INGESTS):
        logged = n % 2 == 0
        log.append_snapshot = real if logged else (lambda snapshot, events: 0)
        payload = feed(start + timedelta(seconds=n), run, first=n * EVENTS)
        began = time.perf_counter()
        result = ingest(payload, "bench")
        timings[logged].append(time.perf_counter() - began)
        assert result.outcome == "accepted", result.summary
    log.append_snapshot = real
    with_log, without = statistics.median(timings[True]), statistics.median(timings[False])
    return with_log - without, with_log, without


def report_append(engine: str) -> bool:
    added, with_log, without = append_cost()
    print(
        f"append on {engine}: an ingest of {EVENTS} new events takes {with_log:.3f} s with the log,"
        f" {without:.3f} s without: the log adds {added:.3f} s (target {TARGET_APPEND_SECONDS} s)"
    )
    return added < TARGET_APPEND_SECONDS


# An audit event's entry as the site logs it (RFC 8785: keys sorted, no spaces), numbered.
ENTRY = (
    '{"at":"2026-11-29T16:50:00+00:00","decision":"blocked","demo":false,'
    '"detail":"Bench decision %d","id":"bench:%d","kind":"audit_event",'
    '"rule":"cross-tenant-query","service":"boundary-enforcer",'
    '"snapshot_sha256":"5555555555555555555555555555555555555555555555555555555555555555",'
    '"tenant":"t_%016x"}'
)


def entry(n: int) -> bytes:
    return (ENTRY % (n % 100, n, n)).encode()


def fill() -> None:
    """ENTRIES entries and their tiles, written by COPY, unless already there."""
    from django.db import connection

    from transparency import log
    from transparency.merkle import TileBuilder, leaf_hash
    from transparency.models import LogHead

    if log.log_size() >= ENTRIES:
        return
    began = time.perf_counter()
    builder = TileBuilder(0, {})
    raw = connection.connection  # psycopg's own connection, for COPY
    with raw.cursor() as cursor:
        cursor.execute("TRUNCATE transparency_logentry, transparency_tile, transparency_checkpoint"
                       " CASCADE")
        with cursor.copy("COPY transparency_logentry (index, data) FROM STDIN") as copy:
            for n in range(ENTRIES):
                data = entry(n)
                copy.write_row((n, data))
                builder.add([leaf_hash(data)])
        with cursor.copy("COPY transparency_tile (level, index, hashes) FROM STDIN") as copy:
            for (level, index), hashes in builder.changed.items():
                copy.write_row((level, index, hashes))
    raw.commit()
    LogHead.objects.update_or_create(pk=1, defaults={"size": ENTRIES})
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE transparency_logentry")
        cursor.execute("VACUUM ANALYZE transparency_tile")
    print(f"filled {ENTRIES} entries in {time.perf_counter() - began:.0f} s")


def timed(client, paths: list[str]) -> float:
    """Median milliseconds of GETs of `paths`, each checked to be a 200."""
    seconds = []
    for path in paths:
        began = time.perf_counter()
        response = client.get(path)
        seconds.append(time.perf_counter() - began)
        assert response.status_code == 200, (path, response.status_code)
    return statistics.median(seconds) * 1000


def serving() -> bool:
    from django.test import Client

    from transparency import log
    from transparency.merkle import tile_path

    log.latest_checkpoint()  # signed once, as the first request after an append does
    client = Client(HTTP_HOST="127.0.0.1")
    pick = random.Random(22)  # noqa: S311 - which tiles to ask for, not a secret
    full_tiles = ENTRIES // 256
    results = {
        "tile": timed(client, [f"/log/tile/0/{tile_path(pick.randrange(full_tiles))}"
                               for _ in range(REQUESTS)]),
        "partial tile": timed(client, [f"/log/tile/0/{tile_path(full_tiles)}.p/{ENTRIES % 256}"]
                              * REQUESTS),
        "entry bundle": timed(client, [f"/log/tile/entries/{tile_path(pick.randrange(full_tiles))}"
                                       for _ in range(REQUESTS)]),
        "checkpoint": timed(client, ["/log/checkpoint"] * REQUESTS),
        "inclusion": timed(client, [
            f"/api/log/proof/inclusion?index={pick.randrange(ENTRIES)}&size={ENTRIES}"
            for _ in range(REQUESTS)
        ]),
    }
    # What any request costs here (no query): the machine's speed, for reading the figures above.
    baseline = timed(client, ["/log/key"] * REQUESTS)
    print(f"baseline: GET /log/key (no database query) median {baseline:.2f} ms")
    met = True
    for name, ms in results.items():
        target = TARGETS_MS[name]
        met &= ms < target
        print(f"{name} on a {ENTRIES:,}-entry log (PostgreSQL): median {ms:.2f} ms"
              f" (target {target} ms)")
    return met


def report_verify() -> bool:
    from transparency import integrity

    began = time.process_time()
    report = integrity.verify()
    seconds = time.process_time() - began
    per_entry = seconds / report.size
    print(
        f"verify_log: {report.size:,} entries checked in {seconds:.2f} s of CPU"
        f" ({per_entry * 1e6:.0f} µs an entry; {per_entry * ENTRIES / 60:.0f} min for"
        f" {ENTRIES:,}): {'intact' if report.intact else report.problems}"
    )
    return report.intact


def storage() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_total_relation_size('transparency_logentry'),"
            " pg_total_relation_size('transparency_tile'),"
            " (SELECT avg(length(data)) FROM (SELECT data FROM transparency_logentry"
            "  LIMIT 100000) AS sample)"
        )
        entries, tiles, average = cursor.fetchone()
    millions = ENTRIES / 1_000_000
    print(
        f"storage: {entries / millions / 2**20:.0f} MiB of entries (average entry"
        f" {average:.0f} bytes, with their indexes) and {tiles / millions / 2**20:.1f} MiB of"
        " tiles per million entries"
    )


def main() -> int:
    from transparency.notes import Signer

    server = os.environ.get("BENCH_POSTGRES_URL", "")
    with tempfile.TemporaryDirectory(prefix="log-bench-") as workdir:
        workdir = Path(workdir)
        environment = {
            "LOG_SIGNING_KEY": str(Signer.generate(ORIGIN)),
            "LOG_CHECKPOINT_DIR": str(workdir / "published"),
        }
        cache = f"filecache://{workdir / 'cache'}"
        if not server:
            start_django(f"sqlite:///{workdir / 'bench.sqlite3'}", cache, **environment)
            met = report_append("SQLite")
            met &= report_verify()
            print("BENCH_POSTGRES_URL is not set: the 10-million-entry figures need PostgreSQL")
            return 0 if met else 1
        database = bench_database(server, DATABASE, fresh="--fresh" in sys.argv)
        start_django(database, cache, **environment)
        fill()
        met = report_append("PostgreSQL, onto the 10-million-entry log")
        met &= serving()
        storage()
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
