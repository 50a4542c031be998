"""`ingest_metrics` from a file or the demo generator: exit status, summary line, stored rows."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest

from metrics.demo import RULES, demo_payload
from metrics.feed import MAX_PAYLOAD_BYTES
from metrics.figures import latest_figures
from metrics.ingest import ingest_demo
from metrics.models import (
    AuditEvent,
    IngestRun,
    PressureBucket,
    RuleBlocks,
    ServiceDay,
    ServiceWindow,
    Snapshot,
)
from metrics.validation import parse

from .conftest import dated, encode, minutes_ago

pytestmark = pytest.mark.django_db


def test_a_valid_feed_is_stored_whole_with_its_exact_bytes(example, feed_file, ingest_command):
    payload = encode(example)
    status, out = ingest_command("--file", feed_file(payload))
    assert status == 0
    assert out.startswith("accepted: snapshot ")
    snapshot = Snapshot.objects.get()
    assert snapshot.raw_bytes() == payload
    assert snapshot.sha256 == hashlib.sha256(payload).hexdigest()
    assert snapshot.previous_sha256 == ""
    assert snapshot.source == "mysovereignty.digital"
    assert (snapshot.tenant_isolation_24h, snapshot.tenant_isolation_30d) == (17112, 540112)
    assert (snapshot.uptime_percent, snapshot.bypasses) == (100.0, 0)
    assert ServiceWindow.objects.filter(snapshot=snapshot).count() == 6 * 3
    assert ServiceDay.objects.filter(snapshot=snapshot).count() == 6 * 30
    boundary = ServiceWindow.objects.get(key="boundary-enforcer", window="30d")
    assert (boundary.name, boundary.operations, boundary.blocked) == ("BoundaryEnforcer", 2847, 81)
    assert [r.rule for r in RuleBlocks.objects.all()][:2] == [
        "cross-tenant-query",
        "admin-content-access",
    ]
    first_rule = RuleBlocks.objects.all()[0]
    assert (first_rule.label, first_rule.position) == (
        example["boundary_blocks_by_rule"][0]["label"],
        0,
    )
    assert [(b.lower, b.upper, b.sessions) for b in PressureBucket.objects.all()][-1] == (
        75,
        100,
        24,
    )
    run = IngestRun.objects.get()
    assert (run.outcome, run.snapshot, run.bytes_read) == ("accepted", snapshot, len(payload))


def test_each_accepted_snapshot_links_to_the_one_before(example, feed_file, ingest_command):
    ingest_command("--file", feed_file(dated(example, minutes_ago(20))))
    ingest_command("--file", feed_file(dated(example, minutes_ago(10))))
    first, second = Snapshot.objects.order_by("generated_at")
    assert second.previous_sha256 == first.sha256


def test_the_same_payload_twice_is_recorded_unchanged(example, feed_file, ingest_command):
    path = feed_file(example)
    assert ingest_command("--file", path)[0] == 0
    status, out = ingest_command("--file", path)
    assert (status, out.strip()) == (0, "unchanged: identical to the latest snapshot")
    assert Snapshot.objects.count() == 1
    assert list(IngestRun.objects.order_by("started_at").values_list("outcome", flat=True)) == [
        "accepted",
        "unchanged",
    ]


def test_other_bytes_with_the_same_generated_at_are_unchanged(example, feed_file, ingest_command):
    ingest_command("--file", feed_file(example))
    example["services"][0]["windows"]["30d"]["operations"] += 1
    status, out = ingest_command("--file", feed_file(example))
    assert (status, out.strip()) == (0, "unchanged: same generated_at as the latest snapshot")
    assert Snapshot.objects.count() == 1
    assert ServiceWindow.objects.get(key="boundary-enforcer", window="30d").operations == 2847


def test_an_older_feed_is_out_of_order_and_changes_nothing(example, feed_file, ingest_command):
    ingest_command("--file", feed_file(dated(example, minutes_ago(10))))
    before = latest_figures()
    status, out = ingest_command("--file", feed_file(dated(example, minutes_ago(30))))
    assert (status, out.strip()) == (0, "out_of_order: generated before the latest snapshot")
    assert Snapshot.objects.count() == 1
    assert latest_figures() == before
    assert IngestRun.objects.filter(outcome="out_of_order").count() == 1


def test_a_feed_from_the_far_future_is_rejected(example, feed_file, ingest_command):
    status, out = ingest_command("--file", feed_file(dated(example, minutes_ago(-6))))
    assert (status, out.strip()) == (4, "rejected: generated_at: more than 5 minutes in the future")
    assert not Snapshot.objects.exists()


def test_a_clock_a_little_ahead_is_tolerated(example, feed_file, ingest_command):
    assert ingest_command("--file", feed_file(dated(example, minutes_ago(-4))))[0] == 0


def test_unknown_fields_are_ignored_but_kept_in_the_raw_bytes(example, feed_file, ingest_command):
    example["comment"] = "new in a later minor version"
    example["services"][0]["colour"] = "green"
    status, _ = ingest_command("--file", feed_file(example))
    assert status == 0
    assert b'"colour": "green"' in Snapshot.objects.get().raw_bytes()


def test_a_rejected_feed_keeps_the_last_accepted_one_shown(example, feed_file, ingest_command):
    ingest_command("--file", feed_file(dated(example, minutes_ago(20))))
    before = latest_figures()
    broken = dated(example, minutes_ago(5))
    broken["services"][2]["windows"]["7d"]["operations"] = 3.5
    status, out = ingest_command("--file", feed_file(broken))
    assert status == 4
    assert out.strip() == (
        "rejected: services[2].windows.7d.operations: expected an integer, got 3.5"
    )
    assert Snapshot.objects.count() == 1
    assert latest_figures() == before
    run = IngestRun.objects.get(outcome="rejected")
    assert run.reason == "services[2].windows.7d.operations: expected an integer, got 3.5"
    assert run.snapshot is None


def test_an_unreadable_file_fails_with_status_3(tmp_path, ingest_command):
    status, out = ingest_command("--file", str(tmp_path / "missing.json"))
    assert (status, out.strip()) == (3, "failed: file unreadable")
    run = IngestRun.objects.get()
    assert run.reason == "file unreadable" and "missing.json" in run.error


def test_a_file_over_the_contracts_size_limit_is_not_read_whole(feed_file, ingest_command):
    status, out = ingest_command("--file", feed_file(b" " * (MAX_PAYLOAD_BYTES + 5)))
    assert (status, out.strip()) == (3, "failed: too large")
    run = IngestRun.objects.get()
    assert run.bytes_read == MAX_PAYLOAD_BYTES + 1
    assert run.error.endswith(f": over {MAX_PAYLOAD_BYTES} bytes")
    # At the limit exactly, it is read and judged (here: not JSON at all).
    status, out = ingest_command("--file", feed_file(b" " * MAX_PAYLOAD_BYTES))
    assert (status, out.split(":")[0]) == (4, "rejected")


def test_a_dry_run_checks_and_stores_nothing(example, feed_file, ingest_command):
    status, out = ingest_command("--file", feed_file(example), "--dry-run")
    assert (status, out.splitlines()[0]) == (0, "dry run, nothing stored: accepted: valid, new")
    assert not Snapshot.objects.exists()
    assert not IngestRun.objects.exists()
    example["schema_version"] = 2
    status, out = ingest_command("--file", feed_file(example), "--dry-run")
    assert status == 4 and "schema_version" in out
    assert not IngestRun.objects.exists()


def test_demo_stores_a_demo_snapshot_of_the_six_services(ingest_command):
    status, out = ingest_command("--demo")
    assert status == 0 and out.endswith("from demo\n")
    snapshot = Snapshot.objects.get()
    assert snapshot.is_demo
    assert latest_figures().is_demo
    assert list(
        ServiceWindow.objects.filter(window="30d").values_list("key", flat=True)
    ) == [
        "boundary-enforcer",
        "metacognitive-verifier",
        "context-pressure-monitor",
        "cross-reference-validator",
        "pluralistic-deliberation-orchestrator",
        "instruction-persistence-classifier",
    ]
    days = ServiceDay.objects.filter(key="boundary-enforcer").order_by("date")
    assert days.count() == 30
    assert days.last().date == snapshot.generated_at.date() - timedelta(days=1)


def test_the_demo_feed_is_generated_and_judged_at_the_time_given():
    tomorrow = minutes_ago(-24 * 60)
    result = ingest_demo(now=tomorrow)
    assert result.outcome == "accepted"
    assert Snapshot.objects.get() == result.snapshot
    assert result.snapshot.generated_at == tomorrow.replace(second=0)


def test_the_demo_feed_is_valid_and_the_same_for_the_same_moment():
    now = minutes_ago(0)
    assert demo_payload(now) == demo_payload(now)
    feed = parse(demo_payload(now), now=now)
    assert feed.source == "demo" and len(feed.services) == 6


def test_if_empty_does_nothing_once_a_snapshot_exists(ingest_command):
    assert ingest_command("--demo", "--if-empty")[0] == 0
    status, out = ingest_command("--demo", "--if-empty")
    assert (status, out.strip()) == (0, "skipped: a snapshot is already stored")
    assert Snapshot.objects.count() == 1
    assert IngestRun.objects.count() == 1


def test_an_accepted_snapshot_reaches_cached_pages_at_once(
    client, example, feed_file, ingest_command
):
    ingest_command("--file", feed_file(dated(example, minutes_ago(20))))
    assert "2,847" in client.get("/").content.decode()
    newer = dated(example, minutes_ago(10))
    newer["services"][0]["windows"]["30d"]["operations"] = 3001
    ingest_command("--file", feed_file(newer))
    assert "3,001" in client.get("/").content.decode()


def test_the_demo_feed_carries_a_few_hundred_plausible_events_that_never_change(ingest_command):
    now = minutes_ago(0)
    feed = parse(demo_payload(now), now=now)
    assert 200 <= len(feed.audit_events) <= 500
    assert {e.rule for e in feed.audit_events if e.rule} <= {rule for rule, _, _ in RULES}
    assert {e.decision for e in feed.audit_events} == {"allowed", "blocked", "escalated"}
    later = parse(demo_payload(now + timedelta(hours=3)), now=now + timedelta(hours=3))
    earlier = {e.id: e for e in feed.audit_events}
    shared = [e for e in later.audit_events if e.id in earlier]
    assert len(shared) > 200 and all(e == earlier[e.id] for e in shared)


def test_demo_ingests_overlap_without_a_rejection(ingest_command, time_machine):
    assert ingest_command("--demo")[0] == 0
    time_machine.move_to(minutes_ago(-26 * 60))
    status, out = ingest_command("--demo")
    assert status == 0, out
    assert Snapshot.objects.count() == 2
    assert AuditEvent.objects.filter(snapshot=Snapshot.objects.latest()).exists()
