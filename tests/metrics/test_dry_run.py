"""A partner checks a payload in one pass: every violation with its path, and the signature."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from metrics.models import IngestRun, Snapshot

from .conftest import encode, json_reply, sign

pytestmark = pytest.mark.django_db

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
