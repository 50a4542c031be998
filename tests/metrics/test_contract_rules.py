"""Every rule of the feed contract: a payload breaking it is rejected (exit 4) with its path.

The property test at the end mutates the example feed at random: each mutation is either
accepted, or rejected with nothing a visitor sees changed.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from metrics.feed import RULE, Feed, Tally
from metrics.figures import latest_figures
from metrics.ingest import ingest
from metrics.models import IngestRun, Snapshot

from .conftest import EXAMPLE, dated, encode

pytestmark = pytest.mark.django_db


def setter(path: str, value):
    """A mutation that sets the member at a dotted path ("services.0.name") to `value`."""

    def mutate(feed: dict) -> None:
        *parents, last = path.split(".")
        target = feed
        for part in parents:
            target = target[int(part)] if isinstance(target, list) else target[part]
        if isinstance(target, list):
            target[int(last)] = value
        else:
            target[last] = value

    return mutate


def deleter(path: str):
    def mutate(feed: dict) -> None:
        *parents, last = path.split(".")
        target = feed
        for part in parents:
            target = target[int(part)] if isinstance(target, list) else target[part]
        del target[last]

    return mutate


def service_copies(n: int):
    def mutate(feed: dict) -> None:
        feed["services"] = [
            {**feed["services"][0], "key": f"service-{i}"} for i in range(n)
        ]

    return mutate


def more_rules(n: int):
    def mutate(feed: dict) -> None:
        feed["boundary_blocks_by_rule"] = [
            {"rule": f"rule-{i}", "label": f"Rule {i}", "count_30d": 1} for i in range(n)
        ]

    return mutate


def buckets(*edges: float):
    def mutate(feed: dict) -> None:
        feed["context_pressure"]["buckets"] = [
            {"from": low, "to": high, "sessions": 1} for low, high in edges
        ]

    return mutate


def daily_days(*days: str):
    def mutate(feed: dict) -> None:
        feed["services"][0]["daily"] = [
            {"date": day, "operations": 1, "blocked": 0} for day in days
        ]

    return mutate


W = "services.2.windows"
RULES = [
    # (mutation, the reason a visitor and staff read)
    (setter("schema_version", 2), "schema_version: unsupported version, expected 1, got 2"),
    (setter("schema_version", "1"), 'schema_version: unsupported version, expected 1, got "1"'),
    (setter("schema_version", True), "schema_version: unsupported version, expected 1, got true"),
    (deleter("schema_version"), "schema_version: required field missing"),
    (setter("source", ""), 'source: expected a string of length >= 1, got ""'),
    (setter("source", "x" * 101), 'source: expected a string of length <= 100, got "xxx'),
    (setter("source", 7), "source: expected a string, got 7"),
    (setter("generated_at", "2026-11-24T00:05:00"), "generated_at: expected an RFC 3339"),
    (setter("generated_at", "2026-11-24 00:05:00Z"), "generated_at: expected an RFC 3339"),
    (setter("generated_at", "2026-02-30T00:05:00Z"), "generated_at: expected an RFC 3339"),
    (setter("generated_at", "2026-11-24T00:05:00+24:00"), "generated_at: expected an RFC 3339"),
    (setter("generated_at", 1764000000), "generated_at: expected an RFC 3339"),
    (setter("deployed_since", "2024-13-01"), "deployed_since: expected a date YYYY-MM-DD"),
    (setter("deployed_since", "2024-10-01T00:00:00Z"), "deployed_since: expected a date"),
    (setter("services", []), "services: expected an array of length >= 1, got 0"),
    (service_copies(51), "services: expected an array of length <= 50, got 51"),
    (setter("services", {}), "services: expected an array, got {}"),
    (setter("services.0", "boundary"), 'services[0]: expected an object, got "boundary"'),
    (
        setter("services.1.key", "Metacognitive_Verifier"),
        'services[1].key: expected a string matching ^[a-z0-9]+(-[a-z0-9]+)*$, got "Metacog',
    ),
    (setter("services.1.key", "a" * 65), "services[1].key: expected a string of length <= 64"),
    (setter("services.1.key", "double--hyphen"), "services[1].key: expected a string matching"),
    (setter("services.1.key", "boundary-enforcer"), "services[1].key: duplicate key"),
    (deleter("services.1.name"), "services[1].name: required field missing"),
    (setter("services.1.name", ""), "services[1].name: expected a string of length >= 1"),
    (setter("services.1.name", "n" * 101), "services[1].name: expected a string of length <= 100"),
    (deleter(f"{W}.7d"), "services[2].windows.7d: required field missing"),
    (
        setter(f"{W}.1h", {"operations": 1, "blocked": 0}),
        "services[2].windows.1h: not allowed here",
    ),
    (
        setter(f"{W}.7d.operations", 3.5),
        "services[2].windows.7d.operations: expected an integer, got 3.5",
    ),
    (
        setter(f"{W}.7d.operations", 185.0),
        "services[2].windows.7d.operations: expected an integer, got 185.0",
    ),
    (
        setter(f"{W}.7d.operations", True),
        "services[2].windows.7d.operations: expected an integer, got true",
    ),
    (
        setter(f"{W}.7d.operations", None),
        "services[2].windows.7d.operations: expected an integer, got null",
    ),
    (
        setter(f"{W}.7d.operations", "185"),
        'services[2].windows.7d.operations: expected an integer, got "185"',
    ),
    (
        setter(f"{W}.7d.operations", -1),
        "services[2].windows.7d.operations: expected a value >= 0, got -1",
    ),
    (
        setter(f"{W}.30d.operations", 2**53),
        "services[2].windows.30d.operations: expected a value <= 9007199254740991",
    ),
    (
        setter(f"{W}.7d.operations", 30),
        "services[2].windows.7d.operations: 30 is less than the 24h figure 31"
        " (windows must nest: 24h <= 7d <= 30d)",
    ),
    (
        setter("services.0.windows.30d.blocked", 16),
        "services[0].windows.30d.blocked: 16 is less than the 7d figure 17",
    ),
    (
        setter("services.0.windows.24h.blocked", 88),
        "services[0].windows.24h.blocked: 88 is more than operations 87",
    ),
    (
        setter("services.0.daily.3.blocked", 126),
        "services[0].daily[3].blocked: 126 is more than operations 125",
    ),
    (
        daily_days(*[f"2026-10-{d:02}" for d in range(1, 32)], "2026-11-01"),
        "services[0].daily: expected an array of length <= 31, got 32",
    ),
    (
        daily_days("2026-11-01", "2026-11-01"),
        "services[0].daily[1].date: 2026-11-01 is not after the previous date 2026-11-01",
    ),
    (
        daily_days("2026-11-02", "2026-11-01"),
        "services[0].daily[1].date: 2026-11-01 is not after the previous date 2026-11-02",
    ),
    (
        daily_days("2026-11-25"),
        "services[0].daily[0].date: 2026-11-25 is after generated_at's date 2026-11-24",
    ),
    (daily_days("2026-11-31"), "services[0].daily[0].date: expected a date YYYY-MM-DD"),
    (setter("services.0.daily", "none"), 'services[0].daily: expected an array, got "none"'),
    (deleter("tenant_isolation.30d"), "tenant_isolation.30d: required field missing"),
    (setter("tenant_isolation.24h", 1.5), "tenant_isolation.24h: expected an integer, got 1.5"),
    (
        setter("tenant_isolation.7d", 1),
        "tenant_isolation.7d: 1 is less than the 24h figure 17112"
        " (windows must nest: 24h <= 7d <= 30d)",
    ),
    (more_rules(51), "boundary_blocks_by_rule: expected an array of length <= 50, got 51"),
    (
        setter("boundary_blocks_by_rule.1.rule", "cross-tenant-query"),
        'boundary_blocks_by_rule[1].rule: duplicate rule "cross-tenant-query"',
    ),
    (
        setter("boundary_blocks_by_rule.1.rule", "Admin"),
        "boundary_blocks_by_rule[1].rule: expected a string matching",
    ),
    (
        setter("boundary_blocks_by_rule.1.label", "l" * 101),
        "boundary_blocks_by_rule[1].label: expected a string of length <= 100",
    ),
    (
        setter("boundary_blocks_by_rule.1.count_30d", 19.0),
        "boundary_blocks_by_rule[1].count_30d: expected an integer, got 19.0",
    ),
    (setter("context_pressure.window", "7d"), 'context_pressure.window: expected "30d", got "7d"'),
    (buckets(), "context_pressure.buckets: expected an array of length >= 1, got 0"),
    (
        buckets(*[(i * 4, i * 4 + 4) for i in range(21)]),
        "context_pressure.buckets: expected an array of length <= 20, got 21",
    ),
    (
        buckets((0, 25), (30, 100)),
        "context_pressure.buckets[1].from: 30 does not continue from the previous bucket's to 25",
    ),
    (
        buckets((50, 100), (0, 50)),
        "context_pressure.buckets[1].from: 0 does not continue from the previous bucket's to 100",
    ),
    (buckets((25, 25)), "context_pressure.buckets[0].to: 25 is not above from 25"),
    (buckets((0, 100.5)), "context_pressure.buckets[0].to: expected a value <= 100, got 100.5"),
    (buckets((-1, 50)), "context_pressure.buckets[0].from: expected a value >= 0, got -1"),
    (
        setter("context_pressure.buckets.0.sessions", -5),
        "context_pressure.buckets[0].sessions: expected a value >= 0, got -5",
    ),
    (
        setter("enforcement.uptime_percent", 100.01),
        "enforcement.uptime_percent: expected a value <= 100, got 100.01",
    ),
    (
        setter("enforcement.uptime_percent", "100"),
        'enforcement.uptime_percent: expected a number, got "100"',
    ),
    (
        setter("enforcement.bypasses", 0.0),
        "enforcement.bypasses: expected an integer, got 0.0",
    ),
    (deleter("enforcement"), "enforcement: required field missing"),
    # The clock is a minute past the example's generated_at: this is 5 min 1 s ahead of it.
    (
        setter("generated_at", "2026-11-24T00:11:01Z"),
        "generated_at: more than 5 minutes in the future",
    ),
]

# Payloads that are not even the right kind of JSON.
BYTES = [
    (b"{not json", "invalid JSON: Expecting property name enclosed in double quotes"),
    (b"", "invalid JSON: Expecting value at line 1 column 1"),
    (b"[]", "(root): expected an object, got []"),
    (b"\xff{}", "invalid JSON: not UTF-8 (byte 0)"),
    (
        b'{"schema_version": 1, "schema_version": 1}',
        'invalid JSON: duplicate member "schema_version"',
    ),
    (b'{"schema_version": NaN}', "invalid JSON: NaN is not a JSON number"),
    (b'{"schema_version": 1' + b"0" * 5000 + b"}", "invalid JSON: a number has too many digits"),
    (b"[" * 100_000, "invalid JSON: nested too deeply"),
]
EXAMPLE_TIME = datetime(2026, 11, 24, 0, 5, tzinfo=UTC)


@pytest.fixture
def at_example_time():
    """The clock a minute after the example feed was generated."""
    with time_machine.travel(EXAMPLE_TIME + timedelta(minutes=1)):
        yield


def rejection_of(payload: bytes, feed_file, ingest_command) -> str:
    """The reason of the one rejected run `payload` makes, checking nothing was stored."""
    status, out = ingest_command("--file", feed_file(payload))
    run = IngestRun.objects.get()
    assert (status, run.outcome, out.strip()) == (4, "rejected", f"rejected: {run.reason}")
    assert not Snapshot.objects.exists()
    return run.reason


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [pytest.param(m, r, id=f"{n:02}-{r.split(':')[0]}") for n, (m, r) in enumerate(RULES)],
)
def test_a_feed_breaking_a_contract_rule_is_rejected_naming_the_path(
    mutate, reason, feed_file, ingest_command, at_example_time
):
    feed = copy.deepcopy(EXAMPLE)
    mutate(feed)
    assert rejection_of(encode(feed), feed_file, ingest_command).startswith(reason)


@pytest.mark.parametrize(("payload", "reason"), BYTES, ids=[r for _, r in BYTES])
def test_a_payload_that_is_not_a_json_object_is_rejected(
    payload, reason, feed_file, ingest_command, at_example_time
):
    assert rejection_of(payload, feed_file, ingest_command).startswith(reason)


PATTERN = "services[1].key: expected a string matching ^[a-z0-9]+(-[a-z0-9]+)*$, got "


@pytest.mark.parametrize(
    ("key", "quoted"),
    [
        ("K" * 38, '"' + "K" * 38 + '"'),  # 40 characters of JSON: quoted whole
        ("K" * 39, '"' + "K" * 36 + "..."),  # 41: its first 37, then an ellipsis
        ("Prüfung-Ω", '"Prüfung-Ω"'),  # as written, not as \u escapes
    ],
)
def test_a_wrong_value_is_quoted_as_written_and_cut_past_forty_characters(
    key, quoted, feed_file, ingest_command, at_example_time
):
    feed = copy.deepcopy(EXAMPLE)
    feed["services"][1]["key"] = key
    assert rejection_of(encode(feed), feed_file, ingest_command) == PATTERN + quoted


@pytest.mark.parametrize(
    ("broken", "more"), [(2, "(and 1 more violation)"), (3, "(and 2 more violations)")]
)
def test_the_reason_names_the_first_violation_and_counts_the_others(
    broken, more, feed_file, ingest_command, at_example_time
):
    feed = copy.deepcopy(EXAMPLE)
    for service in feed["services"][1 : 1 + broken]:
        service["key"] = "K"
    assert rejection_of(encode(feed), feed_file, ingest_command) == f'{PATTERN}"K" {more}'


@pytest.mark.parametrize(
    "stamp",
    [
        "2026-11-24T01:05:00+01:00",
        "2026-11-23T19:05:00-05:00",
        "2026-11-24T05:35:00+05:30",
        "2026-11-23T19:50:00-04:15",
        "2026-11-24t00:05:00.000000z",
    ],
)
def test_any_rfc_3339_offset_is_read_as_the_same_instant(
    stamp, feed_file, ingest_command, at_example_time
):
    feed = copy.deepcopy(EXAMPLE)
    feed["generated_at"] = stamp
    assert ingest_command("--file", feed_file(feed))[0] == 0
    assert Snapshot.objects.get().generated_at == EXAMPLE_TIME


@pytest.mark.parametrize(
    ("stamp", "instant"),
    [
        ("2026-11-24T00:04:30.25Z", datetime(2026, 11, 24, 0, 4, 30, 250000, tzinfo=UTC)),
        # Past microseconds, the digits are dropped: RFC 3339 sets no limit on them.
        ("2026-11-24T00:04:59.123456789Z", datetime(2026, 11, 24, 0, 4, 59, 123456, tzinfo=UTC)),
    ],
)
def test_seconds_and_their_fraction_are_read_to_the_microsecond(
    stamp, instant, feed_file, ingest_command, at_example_time
):
    feed = copy.deepcopy(EXAMPLE)
    feed["generated_at"] = stamp
    assert ingest_command("--file", feed_file(feed))[0] == 0
    assert Snapshot.objects.get().generated_at == instant


def test_a_feed_with_the_largest_counts_and_no_rules_is_accepted(
    feed_file, ingest_command, at_example_time
):
    feed = copy.deepcopy(EXAMPLE)
    feed["tenant_isolation"]["30d"] = 2**53 - 1
    feed["boundary_blocks_by_rule"] = []
    feed["services"][0]["daily"] = []
    feed["context_pressure"]["buckets"] = [{"from": 0, "to": 100, "sessions": 0}]
    assert ingest_command("--file", feed_file(feed))[0] == 0


@pytest.mark.parametrize(
    "mutate",
    [
        pytest.param(setter("services.0.daily.3.blocked", 125), id="every-operation-blocked"),
        pytest.param(daily_days("2026-11-24"), id="a-day-of-generated-ats-date"),
        pytest.param(setter("generated_at", "2026-11-24T00:11:00Z"), id="5-minutes-ahead"),
    ],
)
def test_a_feed_at_the_limit_of_a_rule_is_accepted(mutate, feed_file, ingest_command):
    feed = copy.deepcopy(EXAMPLE)
    mutate(feed)
    # The clock stands still a minute past the example's time: 00:11:00 is 5 minutes ahead.
    with time_machine.travel(EXAMPLE_TIME + timedelta(minutes=1), tick=False):
        status, out = ingest_command("--file", feed_file(feed))
    assert status == 0, out


@pytest.mark.parametrize(
    ("path", "value", "kind", "words"),
    [
        ("schema_version", 2, "version", "unsupported version, expected 1"),
        ("deployed_since", "2024-13-01", "date", "expected a date YYYY-MM-DD"),
        ("generated_at", "yesterday", "timestamp", "expected an RFC 3339 timestamp with offset"),
        ("services.0.windows.24h.blocked", 88, RULE, "88 is more than operations 87"),
    ],
)
def test_a_partner_validating_with_the_module_reads_each_error_by_its_kind(
    path, value, kind, words
):
    """metrics.feed needs no Django: partners validate their payloads with `Feed` itself."""
    feed = copy.deepcopy(EXAMPLE)
    setter(path, value)(feed)
    with pytest.raises(ValidationError) as raised:
        Feed.model_validate(feed, context={"now": EXAMPLE_TIME})
    [error] = raised.value.errors()
    loc = tuple(int(part) if part.isdigit() else part for part in path.split("."))
    assert (error["type"], error["loc"], error["msg"]) == (kind, loc, words)


def test_a_broken_rules_error_holds_the_part_that_broke_it():
    feed = copy.deepcopy(EXAMPLE)
    feed["services"][0]["windows"]["24h"]["blocked"] = 88
    with pytest.raises(ValidationError) as raised:
        Feed.model_validate(feed, context={"now": EXAMPLE_TIME})
    [error] = raised.value.errors()
    part = error["input"]
    assert (type(part), part.operations, part.blocked) == (Tally, 87, 88)


# --- Property: whatever is done to a valid feed, a rejection changes nothing visible. ---

NOW = EXAMPLE_TIME + timedelta(minutes=1)


def paths(value, prefix=()):
    """Every path into a JSON document: ("services", 0, "name"), ..."""
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from paths(item, (*prefix, index))


EXAMPLE_PATHS = [p for p in paths(EXAMPLE) if p]
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-2, max_value=2**54)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=6,
)
mutations = st.tuples(
    st.sampled_from(EXAMPLE_PATHS),
    st.sampled_from(["delete", "replace", "nudge", "float"]),
    json_values,
    st.integers(min_value=-3, max_value=3),
)


def mutate(feed, path, kind, value, step):
    parent = feed
    for part in path[:-1]:
        parent = parent[part]
    last = path[-1]
    current = parent[last]
    if kind == "delete":
        del parent[last]
    elif kind == "replace":
        parent[last] = value
    elif kind == "nudge" and type(current) is int:
        parent[last] = current + step
    elif kind == "float" and type(current) is int:
        parent[last] = float(current)


@pytest.fixture
def accepted_baseline():
    """The example feed ten minutes before NOW, accepted."""
    assert ingest(encode(dated(EXAMPLE, NOW - timedelta(minutes=10))), "test", now=NOW).outcome == (
        "accepted"
    )


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(changes=st.lists(mutations, min_size=1, max_size=3))
def test_a_mutated_feed_is_accepted_or_changes_nothing_visible(changes, accepted_baseline):
    with transaction.atomic():
        cache.clear()
        before = (Snapshot.objects.count(), latest_figures())
        feed = dated(EXAMPLE, EXAMPLE_TIME)
        for change in changes:
            try:
                mutate(feed, *change)
            except (KeyError, IndexError, TypeError):
                continue  # an earlier change removed or replaced what this one aimed at
        payload = json.dumps(feed).encode()
        result = ingest(payload, "test", now=NOW)
        event(result.outcome)
        assert result.outcome != "failed"
        if result.outcome == "accepted":
            assert Snapshot.objects.count() == before[0] + 1
            assert latest_figures().sha256 == result.snapshot.sha256
            assert Snapshot.objects.latest().raw_bytes() == payload
        else:
            assert Snapshot.objects.count() == before[0]
            assert latest_figures() == before[1]
            cache.clear()
            assert latest_figures() == before[1]
        transaction.set_rollback(True)
