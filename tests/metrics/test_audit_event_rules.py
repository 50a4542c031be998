"""The contract's audit events: every rule, and anonymity enforced by the consumer, not trusted."""

from __future__ import annotations

import copy
import json
from datetime import timedelta

import pytest
import time_machine

from metrics.feed import MAX_AUDIT_EVENTS
from metrics.models import IngestRun, Snapshot

from .conftest import CONTRACT, encode
from .test_contract_rules import EXAMPLE_TIME

pytestmark = pytest.mark.django_db

WITH_EVENTS = json.loads((CONTRACT / "examples" / "feed-v1-audit-events.json").read_text())


@pytest.fixture(autouse=True)
def _at_example_time():
    with time_machine.travel(EXAMPLE_TIME + timedelta(minutes=1)):
        yield


def event(**changes) -> dict:
    """The example's second event (allowed, no rule) with `changes`; None removes a field."""
    found = {**WITH_EVENTS["audit_events"][1], **changes}
    return {name: value for name, value in found.items() if value is not None}


def feed_with(*events: dict) -> dict:
    feed = copy.deepcopy(WITH_EVENTS)
    feed["audit_events"] = list(events)
    return feed


def rejection(feed: dict, feed_file, ingest_command) -> str:
    status, out = ingest_command("--file", feed_file(encode(feed)))
    run = IngestRun.objects.get()
    assert (status, run.outcome) == (4, "rejected"), out
    assert not Snapshot.objects.exists()
    return run.reason


SECRET = "ada.lovelace@example.org"
PRIVATE_DETAILS = [
    (f"Mail from {SECRET} held", "an email address", SECRET),
    ("Request from 192.168.10.45 refused", "an IPv4 address", "192.168.10.45"),
    ("Peer 2001:db8:85a3::8a2e:370:7334 refused", "an IPv6 address", "2001:db8:85a3::8a2e"),
    ("Loopback ::1 asked", "an IPv6 address", "::1"),
    ("Refused the peer fe80::1.", "an IPv6 address", "fe80::1"),  # a sentence's full stop
    ("Link https://evil.example/x shared", "a URL", "https://evil.example/x"),
    ("Link ftp://files.example shared", "a URL", "ftp://files.example"),
    ("See www.example.org for more", "a URL", "www.example.org"),
    ("Phone 0612345678 in a message", "a run of 9 or more digits", "0612345678"),
]


@pytest.mark.parametrize(("detail", "kind", "secret"), PRIVATE_DETAILS)
def test_a_detail_that_could_name_someone_rejects_the_payload_without_quoting_it(
    detail, kind, secret, feed_file, ingest_command
):
    feed = feed_with(event(), event(id="ms:evt:2", detail=detail))
    reason = rejection(feed, feed_file, ingest_command)
    assert reason == (
        f"audit_events[1].detail: contains {kind} (anonymity rule; the text is not quoted)"
    )
    run = IngestRun.objects.get()
    assert secret not in run.reason + run.error


@pytest.mark.parametrize(
    "detail",
    [
        "Review at 12:30 UTC, second pass",
        "Framework v1.2.3 rule set",
        "Batch 12345678 of exports",
        "e-mail export without a tenant filter",
        "Ratio 3:2:1 of checks",
        "",
    ],
)
def test_plain_text_about_a_decision_is_accepted(detail, feed_file, ingest_command):
    status, out = ingest_command("--file", feed_file(encode(feed_with(event(detail=detail)))))
    assert status == 0, out


EVENT_RULES = [
    (event(id=""), "audit_events[0].id: expected a string matching"),
    (event(id="a" * 65), "audit_events[0].id: expected a string matching"),
    (event(id="evt 1"), "audit_events[0].id: expected a string matching"),
    (event(at="2026-11-24 00:01:00"), "audit_events[0].at: expected an RFC 3339 timestamp"),
    (event(at="2026-11-24T00:06:00Z"), "audit_events[0].at: after generated_at"),
    (event(service="billing"), "audit_events[0].service: not the key of a service in this payload"),
    (event(service="Not_A_Key"), "audit_events[0].service: expected a string matching"),
    (event(decision="denied"), 'audit_events[0].decision: expected "blocked", "allowed" or'),
    (event(decision="blocked"), 'audit_events[0].rule: required when decision is "blocked"'),
    (event(decision="escalated"), 'audit_events[0].rule: required when decision is "escalated"'),
    (event(rule="cross-tenant-query"), 'audit_events[0].rule: must be null or absent when'),
    (event(decision="blocked", rule="Cross_Tenant"), "audit_events[0].rule: expected a string"),
    (event(tenant="tenant-42"), "audit_events[0].tenant: expected a string matching ^t_"),
    (event(tenant=SECRET), "audit_events[0].tenant: expected a string matching ^t_"),
    (event(tenant="t_0123456789ABCDEF"), "audit_events[0].tenant: expected a string matching"),
    (event(detail="d" * 201), "audit_events[0].detail: expected a string of length <= 200"),
    (event(detail=7), "audit_events[0].detail: expected a string"),
    (event(decision=None), "audit_events[0].decision: required field missing"),
]


@pytest.mark.parametrize(
    ("bad", "reason"), EVENT_RULES, ids=[f"{n:02}" for n in range(len(EVENT_RULES))]
)
def test_an_event_breaking_a_rule_rejects_the_payload_naming_the_path(
    bad, reason, feed_file, ingest_command
):
    found = rejection(feed_with(bad), feed_file, ingest_command)
    assert found.startswith(reason)
    # No event's own text ever comes back in a reason.
    assert SECRET not in found and "got" not in found


def test_an_event_at_the_very_time_the_feed_was_generated_is_accepted(feed_file, ingest_command):
    feed = feed_with(event(at=WITH_EVENTS["generated_at"]))
    status, out = ingest_command("--file", feed_file(encode(feed)))
    assert status == 0, out


def test_ids_are_unique_within_a_payload(feed_file, ingest_command):
    feed = feed_with(event(), event(tenant="t_ffffffffffffffff"))
    assert rejection(feed, feed_file, ingest_command) == (
        "audit_events[1].id: duplicate id (the same as audit_events[0])"
    )


def test_at_most_five_thousand_events(feed_file, ingest_command):
    events = [event(id=f"e{n}") for n in range(MAX_AUDIT_EVENTS + 1)]
    assert rejection(feed_with(*events), feed_file, ingest_command) == (
        f"audit_events: expected an array of length <= {MAX_AUDIT_EVENTS}, got 5001"
    )


def test_a_payload_without_audit_events_is_ingested_as_before(example, feed_file, ingest_command):
    assert "audit_events" not in example
    assert ingest_command("--file", feed_file(example))[0] == 0
