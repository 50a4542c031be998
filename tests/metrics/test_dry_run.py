"""A partner checks a payload in one pass: every violation with its path, and the signature."""

from __future__ import annotations

from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.utils import timezone

from metrics.ingest import ingest
from metrics.models import IngestRun, Snapshot

from .conftest import dated, encode, json_reply, minutes_ago, sign

pytestmark = pytest.mark.django_db

EVENT = {
    "id": "evt-1",
    "service": "boundary-enforcer",
    "decision": "blocked",
    "rule": "cross-tenant-query",
    "tenant": "t_0123456789abcdef",
    "detail": "Query without a tenant scope.",
}
VIOLATIONS = [
    "services[0].daily[3].blocked: 126 is more than operations 125",
    "services[2].windows.7d.operations: expected an integer, got 3.5",
    "context_pressure.buckets[1].from: 30 does not continue from the previous bucket's to 25",
    "enforcement.uptime_percent: expected a value <= 100, got 100.5",
]


@pytest.fixture
def broken(example) -> bytes:
    """The example feed breaking four rules, in four different parts of the payload."""
    example["services"][0]["daily"][3]["blocked"] = 126
    example["services"][2]["windows"]["7d"]["operations"] = 3.5
    example["context_pressure"]["buckets"][1]["from"] = 30
    example["enforcement"]["uptime_percent"] = 100.5
    return encode(example)


def lines(out: str) -> list[str]:
    return [line.removeprefix("  - ") for line in out.splitlines()]


def test_a_dry_run_lists_every_violation_with_its_path(
    feed_server, broken, ingest_command, sleeps
):
    feed_server.will(json_reply(broken))
    status, out = ingest_command("--dry-run", "--url", feed_server.url)
    assert status == 4
    summary, *found, signature = lines(out)
    assert summary == f"dry run, nothing stored: rejected: {VIOLATIONS[0]} (and 3 more violations)"
    assert found == VIOLATIONS
    assert signature == "signature not checked: METRICS_PUBLIC_KEY is not set here"
    assert not Snapshot.objects.exists()
    assert not IngestRun.objects.exists()


def test_a_dry_run_says_whether_the_signature_verifies(
    partner_key, feed_server, example, ingest_command, sleeps
):
    body = encode(example)
    feed_server.will(json_reply(body, X_Metrics_Signature=f"ed25519={sign(partner_key, body)}"))
    status, out = ingest_command("--dry-run", "--url", feed_server.url)
    assert status == 0
    assert lines(out) == [
        "dry run, nothing stored: accepted: valid, new",
        "signature verified with METRICS_PUBLIC_KEY",
    ]


def test_a_dry_run_reads_on_past_a_bad_signature(partner_key, feed_file, broken, ingest_command):
    forged = sign(Ed25519PrivateKey.generate(), broken)
    status, out = ingest_command("--dry-run", "--file", feed_file(broken), "--signature", forged)
    assert status == 4
    summary, *found = lines(out)
    bad_signature = "signature invalid: it does not match the payload"
    assert summary == f"dry run, nothing stored: rejected: {bad_signature} (and 4 more violations)"
    assert found == [bad_signature, *VIOLATIONS]
    assert not IngestRun.objects.exists()


def test_a_real_ingest_keeps_every_violation_for_staff_and_the_first_for_the_public(
    feed_file, broken, ingest_command
):
    status, out = ingest_command("--file", feed_file(broken))
    assert (status, out.strip()) == (
        4,
        f"rejected: {VIOLATIONS[0]} (and 3 more violations)",
    )
    run = IngestRun.objects.get()
    assert run.reason == f"{VIOLATIONS[0]} (and 3 more violations)"
    assert sorted(run.error.splitlines()) == sorted(VIOLATIONS)
    assert not Snapshot.objects.exists()


def test_a_dry_run_of_what_is_stored_says_so(example, feed_file, ingest_command):
    path = feed_file(example)
    ingest_command("--file", path)
    status, out = ingest_command("--file", path, "--dry-run")
    assert (status, lines(out)[0]) == (
        0,
        "dry run, nothing stored: unchanged: identical to the latest snapshot",
    )
    example["source"] = "elsewhere.example"  # other bytes, the same generated_at
    status, out = ingest_command("--file", feed_file(example), "--dry-run")
    assert lines(out)[0] == (
        "dry run, nothing stored: unchanged: same generated_at as the latest snapshot"
    )
    assert IngestRun.objects.count() == 1


def test_a_dry_run_judges_the_payload_at_the_time_it_is_given(example):
    tomorrow = timezone.now() + timedelta(days=1)
    payload = encode(dated(example, tomorrow))
    assert ingest(payload, "test", dry_run=True, now=tomorrow).outcome == "accepted"
    assert ingest(payload, "test", dry_run=True).outcome == "rejected"
    assert not Snapshot.objects.exists() and not IngestRun.objects.exists()


def test_a_dry_run_reports_a_bad_signature_and_a_changed_event_together(
    partner_key, example, feed_file, ingest_command
):
    example["audit_events"] = [EVENT | {"at": example["generated_at"]}]
    stored = encode(example)
    assert ingest(stored, "test", signature=sign(partner_key, stored)).outcome == "accepted"
    example["generated_at"] = dated(example, minutes_ago(5))["generated_at"]
    example["audit_events"][0]["detail"] = "Rewritten after publication."
    status, out = ingest_command("--file", feed_file(example), "--dry-run")
    assert status == 4
    assert lines(out)[1:3] == [
        "signature missing",
        "audit_events[0]: its id was published before with other content (events never change)",
    ]


def test_a_demo_dry_run_stores_nothing(ingest_command):
    status, out = ingest_command("--demo", "--dry-run")
    assert (status, lines(out)[0]) == (0, "dry run, nothing stored: accepted: valid, new")
    assert not Snapshot.objects.exists() and not IngestRun.objects.exists()
