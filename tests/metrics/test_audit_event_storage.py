"""Audit events are stored append-only, with the snapshot whose bytes first delivered them."""

from __future__ import annotations

import copy
import json

import pytest
from django.db import DatabaseError

from metrics.ingest import sort_events
from metrics.models import AuditEvent, IngestRun, Snapshot
from metrics.validation import parse

from .conftest import CONTRACT, dated, encode, minutes_ago

pytestmark = pytest.mark.django_db

WITH_EVENTS = json.loads((CONTRACT / "examples" / "feed-v1-audit-events.json").read_text())


EVENTS = copy.deepcopy(WITH_EVENTS["audit_events"])
# Moved to an hour before the tests' payloads, which are generated 10 or 20 minutes ago.
for _event in EVENTS:
    _event["at"] = minutes_ago(60).strftime("%Y-%m-%dT%H:%M:%SZ")


def payload(minutes: float, events: list[dict]) -> dict:
    """The example generated `minutes` ago, carrying `events`."""
    feed = dated(WITH_EVENTS, minutes_ago(minutes))
    feed["audit_events"] = copy.deepcopy(events)
    return feed


def test_each_event_is_stored_with_the_snapshot_whose_bytes_carry_it(feed_file, ingest_command):
    assert ingest_command("--file", feed_file(payload(10, EVENTS)))[0] == 0
    snapshot = Snapshot.objects.get()
    stored = AuditEvent.objects.order_by("event_id")
    assert [e.event_id for e in stored] == sorted(e["id"] for e in EVENTS)
    carried = {e["id"] for e in json.loads(snapshot.raw_bytes())["audit_events"]}
    assert all(e.snapshot == snapshot and e.event_id in carried for e in stored)
    allowed = AuditEvent.objects.get(event_id="ms:evt:000184212")
    assert (allowed.decision, allowed.rule, allowed.detail) == ("allowed", "", "")


def test_overlapping_payloads_add_only_new_events_and_keep_where_each_first_came(
    feed_file, ingest_command
):
    ingest_command("--file", feed_file(payload(20, EVENTS[:5])))
    first = Snapshot.objects.get()
    status, out = ingest_command("--file", feed_file(payload(10, EVENTS[2:])))
    assert status == 0, out
    second = Snapshot.objects.latest()
    assert AuditEvent.objects.count() == len(EVENTS)
    assert AuditEvent.objects.filter(snapshot=first).count() == 5
    assert AuditEvent.objects.filter(snapshot=second).count() == len(EVENTS) - 5


def test_a_payloads_events_are_checked_against_the_stored_ones_in_one_query(
    feed_file, ingest_command, django_assert_num_queries
):
    ingest_command("--file", feed_file(payload(20, EVENTS)))
    overlapping = parse(encode(payload(10, EVENTS)), now=minutes_ago(0)).audit_events
    with django_assert_num_queries(1):  # however many events the payload carries
        found = sort_events(overlapping)
    assert (found.new, found.changed) == ([], [])


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("at", "2020-01-01T00:00:00Z"),
        ("service", "metacognitive-verifier"),
        ("decision", "escalated"),
        ("rule", "unscoped-export"),
        ("tenant", "t_ffffffffffffffff"),
        ("detail", "Another reason"),
    ],
)
def test_an_event_published_again_with_other_content_rejects_the_payload(
    field, value, feed_file, ingest_command
):
    ingest_command("--file", feed_file(payload(20, EVENTS)))
    later = payload(10, EVENTS)
    later["audit_events"][3][field] = value
    status, out = ingest_command("--file", feed_file(later))
    assert status == 4
    reason = "audit_events[3]: its id was published before with other content (events never change)"
    assert out.strip() == f"rejected: {reason}"
    assert IngestRun.objects.latest("started_at").reason == reason
    assert Snapshot.objects.count() == 1
    assert AuditEvent.objects.count() == len(EVENTS)
    assert AuditEvent.objects.get(event_id=EVENTS[3]["id"]).snapshot == Snapshot.objects.get()


def test_a_dry_run_names_a_changed_event_too(feed_file, ingest_command):
    ingest_command("--file", feed_file(payload(20, EVENTS)))
    later = payload(10, EVENTS)
    later["audit_events"][0]["detail"] = "Rewritten"
    status, out = ingest_command("--dry-run", "--file", feed_file(later))
    assert status == 4
    assert "  - audit_events[0]: its id was published before with other content" in out


def test_a_failure_while_storing_leaves_no_event_and_no_snapshot(
    feed_file, ingest_command, monkeypatch
):
    ingest_command("--file", feed_file(payload(20, EVENTS[:2])))
    store_some = AuditEvent.objects.bulk_create

    def store_one_then_fail(events, **options):
        store_some(list(events)[:1])
        raise DatabaseError("could not extend file: No space left on device")

    monkeypatch.setattr(AuditEvent.objects, "bulk_create", store_one_then_fail)
    status, out = ingest_command("--file", feed_file(payload(10, EVENTS)))
    assert (status, out.strip()) == (1, "failed: database unavailable")
    assert Snapshot.objects.count() == 1
    assert AuditEvent.objects.count() == 2


def test_a_payload_without_events_leaves_the_log_as_it_was(feed_file, ingest_command, example):
    ingest_command("--file", feed_file(payload(20, EVENTS)))
    assert ingest_command("--file", feed_file(dated(example, minutes_ago(10))))[0] == 0
    assert Snapshot.objects.count() == 2
    assert AuditEvent.objects.count() == len(EVENTS)
