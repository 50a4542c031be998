"""The framework-metrics feed, version 1, declared once: its shape and its cross-field rules.

The Pydantic models below are the contract's shape; the JSON Schema published with the
contract (`metrics/contract/framework-metrics-v1.schema.json`, served at
/api/metrics/contract/v1.schema.json) is generated from them with `make schema`. What a schema
cannot say (windows nest, blocked <= operations, dates ascending and not after generated_at,
buckets contiguous, unique keys) is kept as the named rule functions each model applies once
its own fields are valid, so one pass reports every violation it can find.

No Django here: partners and `python -m metrics.feed` can use it on its own.
"""

from __future__ import annotations

import ipaddress
import json
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

SCHEMA_VERSION = 1
SCHEMA_PATH = Path(__file__).resolve().parent / "contract" / "framework-metrics-v1.schema.json"
# 5,000 audit events at their longest take about 2 MiB; the rest of a payload, 200 KiB.
MAX_PAYLOAD_BYTES = 4 * 1024 * 1024
MAX_COUNT = 2**53 - 1
MAX_AUDIT_EVENTS = 5000
MAX_FUTURE = timedelta(minutes=5)
WINDOWS = ("24h", "7d", "30d")
SLUG = r"^[a-z0-9]+(-[a-z0-9]+)*$"
DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})\Z")
# RFC 3339 section 5.6: a full date, "T", a time with optional fraction, and a required offset.
TIMESTAMP = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?"
    r"(?:[Zz]|([+-])([01]\d|2[0-3]):([0-5]\d))\Z"
)
EVENT_ID = r"^[A-Za-z0-9._:-]{1,64}$"
TENANT = r"^t_[0-9a-f]{16}$"
Decision = Literal["blocked", "allowed", "escalated"]
ALLOWED: Decision = "allowed"  # the one decision that names no rule
RULE = "contract_rule"
# What an event's detail must never carry: the consumer enforces anonymity, it does not trust it.
EMAIL = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")
URL = re.compile(r"[a-z][a-z0-9+.-]*://|www\.", re.IGNORECASE)
DIGITS = re.compile(r"\d{9,}")
IPV4 = re.compile(r"(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?!\d)")
# Runs of hex digits, colons and dots with two colons or more; ipaddress says which are IPv6.
IPV6 = re.compile(r"[0-9A-Fa-f.]*:[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*")


def calendar_date(value: Any) -> date:
    match = DATE.match(value) if isinstance(value, str) else None
    try:
        if match:
            return date(*map(int, match.groups()))
    except ValueError:
        pass
    raise PydanticCustomError("date", "expected a date YYYY-MM-DD")


def timestamp(value: Any) -> datetime:
    """An RFC 3339 timestamp with its offset, as the UTC instant it names."""
    match = TIMESTAMP.match(value) if isinstance(value, str) else None
    try:
        if match:
            year, month, day, hour, minute, second, fraction, sign, oh, om = match.groups()
            offset = timedelta(hours=int(oh or 0), minutes=int(om or 0))
            moment = datetime(
                int(year),
                int(month),
                int(day),
                int(hour),
                int(minute),
                int(second),
                int((fraction or "0")[:6].ljust(6, "0")),
                tzinfo=UTC,
            )
            return moment + offset if sign == "-" else moment - offset
    except (ValueError, OverflowError):
        pass
    raise PydanticCustomError("timestamp", "expected an RFC 3339 timestamp with offset")


def version(value: Any) -> int:
    # Literal[1] would take true and 1.0 for 1: only the JSON integer 1 is this version.
    if type(value) is not int or value != SCHEMA_VERSION:
        raise PydanticCustomError("version", "unsupported version, expected 1")
    return value


Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]
Slug = Annotated[str, StringConstraints(max_length=64, pattern=SLUG)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=100)]
Percent = Annotated[float, Field(ge=0, le=100)]
Date = Annotated[
    date, PlainValidator(calendar_date), WithJsonSchema({"type": "string", "format": "date"})
]
Timestamp = Annotated[
    datetime,
    PlainValidator(timestamp),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date-time",
            "description": "RFC 3339, with a time offset (Z or ±hh:mm).",
        }
    ),
]
SchemaVersion = Annotated[int, PlainValidator(version), WithJsonSchema({"const": 1})]


@dataclass(frozen=True)
class Broken:
    """A cross-field rule broken by part of the feed: where, below that part, and how."""

    loc: tuple[str | int, ...]
    problem: str


def enforce(title: str, broken: Iterable[Broken], value: Any) -> None:
    """Raise every broken rule at once, so that one pass reports them all."""
    errors = [
        InitErrorDetails(
            type=PydanticCustomError(RULE, "{problem}", {"problem": b.problem}),
            loc=b.loc,
            input=value,
        )
        for b in broken
    ]
    if errors:
        raise ValidationError.from_exception_data(title, errors)


# --- The rules a schema cannot say ----------------------------------------------------


# Each docstring is the rule as the published schema's description states it (`RULES`).


def blocked_within_operations(operations: int, blocked: int) -> Iterator[Broken]:
    """Nothing is blocked that was not an operation: blocked <= operations."""
    if blocked > operations:
        yield Broken(("blocked",), f"{blocked} is more than operations {operations}")


def windows_nest(counts: Sequence[int], suffix: tuple[str, ...] = ()) -> Iterator[Broken]:
    """A count never shrinks as its window grows: windows nest (24h <= 7d <= 30d)."""
    for (shorter, low), (longer, high) in pairwise(zip(WINDOWS, counts, strict=True)):
        if low > high:
            yield Broken(
                (longer, *suffix),
                f"{high} is less than the {shorter} figure {low}"
                " (windows must nest: 24h <= 7d <= 30d)",
            )


def dates_ascending(days: Sequence[Day]) -> Iterator[Broken]:
    """A service's daily dates ascend, each day once."""
    for n, (before, day) in enumerate(pairwise(days), start=1):
        if day.date <= before.date:
            yield Broken(
                ("daily", n, "date"), f"{day.date} is not after the previous date {before.date}"
            )


def dates_not_after(services: Sequence[Service], last_day: date) -> Iterator[Broken]:
    """No service reports a day after generated_at's date."""
    for s, service in enumerate(services):
        for n, day in enumerate(service.daily):
            if day.date > last_day:
                yield Broken(
                    ("services", s, "daily", n, "date"),
                    f"{day.date} is after generated_at's date {last_day}",
                )


def unique(items: str, field: str, values: Sequence[str]) -> Iterator[Broken]:
    """No value of `items[].field` repeats an earlier one."""
    seen: set[str] = set()
    for n, value in enumerate(values):
        if value in seen:
            yield Broken((items, n, field), f"duplicate {field} {json.dumps(value)}")
        seen.add(value)


def unique_service_keys(services: Sequence[Service]) -> Iterator[Broken]:
    """Service keys are unique in the feed."""
    return unique("services", "key", [service.key for service in services])


def unique_rules(counts: Sequence[RuleCount]) -> Iterator[Broken]:
    """The rules of boundary_blocks_by_rule are unique."""
    return unique("boundary_blocks_by_rule", "rule", [count.rule for count in counts])


def buckets_contiguous(buckets: Sequence[Bucket]) -> Iterator[Broken]:
    """Context-pressure buckets ascend without gaps or overlaps: each has from < to, and its
    from is the previous bucket's to."""
    for n, bucket in enumerate(buckets):
        if bucket.from_ >= bucket.to:
            yield Broken(("buckets", n, "to"), f"{bucket.to:g} is not above from {bucket.from_:g}")
        if n and bucket.from_ != buckets[n - 1].to:
            yield Broken(
                ("buckets", n, "from"),
                f"{bucket.from_:g} does not continue from the previous bucket's to"
                f" {buckets[n - 1].to:g}",
            )


def names_no_one(detail: str) -> Iterator[str]:
    """What in an event's free text could identify someone: each kind found, never the text."""
    if EMAIL.search(detail):
        yield "an email address"
    if any(is_address(m, ipaddress.IPv4Address) for m in IPV4.findall(detail)):
        yield "an IPv4 address"
    if any(is_address(m.strip("."), ipaddress.IPv6Address) for m in IPV6.findall(detail)):
        yield "an IPv6 address"
    if URL.search(detail):
        yield "a URL"
    if DIGITS.search(detail):
        yield "a run of 9 or more digits"


def is_address(text: str, kind: type) -> bool:
    try:
        kind(text)
    except ValueError:
        return False
    return True


def anonymous(detail: str | None) -> Iterator[Broken]:
    """An event's detail is about the decision, never a person or a machine: no email
    address, IP address, URL or run of 9 or more digits."""
    for kind in names_no_one(detail or ""):
        yield Broken(("detail",), f"contains {kind} (anonymity rule; the text is not quoted)")


def rule_matches_decision(decision: str, rule: str | None) -> Iterator[Broken]:
    """A blocked or escalated event names the rule that decided it; an allowed one names none."""
    if decision == ALLOWED and rule is not None:
        yield Broken(("rule",), f'must be null or absent when decision is "{ALLOWED}"')
    if decision != ALLOWED and rule is None:
        yield Broken(("rule",), f'required when decision is "{decision}"')


def events_fit_the_feed(
    events: Sequence[AuditEvent], keys: set[str], generated_at: datetime
) -> Iterator[Broken]:
    """Event ids are unique in the payload; each event names a service of the payload and
    happened no later than generated_at."""
    seen: dict[str, int] = {}
    for n, event in enumerate(events):
        if event.id in seen:
            first = f"audit_events[{seen[event.id]}]"
            yield Broken(("audit_events", n, "id"), f"duplicate id (the same as {first})")
        seen.setdefault(event.id, n)
        if event.at > generated_at:
            yield Broken(("audit_events", n, "at"), "after generated_at")
        if event.service not in keys:
            yield Broken(("audit_events", n, "service"), "not the key of a service in this payload")


def not_in_future(generated_at: datetime, now: datetime) -> Iterator[Broken]:
    """generated_at is at most 5 minutes in the future (clocks drift a little)."""
    if generated_at - now > MAX_FUTURE:
        yield Broken(("generated_at",), "more than 5 minutes in the future")


# Every rule above, in the order the description lists them.
RULES = (
    windows_nest,
    blocked_within_operations,
    unique_service_keys,
    unique_rules,
    dates_ascending,
    dates_not_after,
    buckets_contiguous,
    not_in_future,
    rule_matches_decision,
    anonymous,
    events_fit_the_feed,
)


def description() -> str:
    """The schema's description of the feed: its rules as their functions' docstrings say."""
    rules = " ".join(" ".join(rule.__doc__.split()) for rule in RULES)
    return (
        "The public, anonymised feed MySovereignty.digital publishes and the Tractatus site "
        "ingests. This schema is generated from the site's code and says every structural "
        f"rule. The consumer also applies rules a schema cannot say. {rules} Counts are JSON "
        "integers: 3.0 is rejected although JSON Schema calls it an integer. "
        "See framework-metrics-v1.md."
    )


# --- The shape --------------------------------------------------------------------------


class Part(BaseModel):
    """Every object of the feed: exact JSON types; unknown fields ignored unless it says so."""

    model_config = ConfigDict(strict=True, frozen=True, extra="ignore")


class Tally(Part):
    operations: Count
    blocked: Count = Field(description="At most `operations`.")

    @model_validator(mode="after")
    def _rules(self) -> Tally:
        enforce("Tally", blocked_within_operations(self.operations, self.blocked), self)
        return self


class Day(Tally):
    """One whole UTC day of a service."""

    date: Date


class Windows(Part):
    """A service's counts in each rolling window; they nest (24h <= 7d <= 30d)."""

    # A window other than these three is refused, not ignored: it would be a figure lost.
    model_config = ConfigDict(extra="forbid")

    last_24h: Tally = Field(alias="24h")
    last_7d: Tally = Field(alias="7d")
    last_30d: Tally = Field(alias="30d")

    def tallies(self) -> dict[str, Tally]:
        return dict(zip(WINDOWS, (self.last_24h, self.last_7d, self.last_30d), strict=True))

    @model_validator(mode="after")
    def _rules(self) -> Windows:
        tallies = self.tallies().values()
        for field in ("operations", "blocked"):
            counts = [getattr(tally, field) for tally in tallies]
            enforce("Windows", windows_nest(counts, (field,)), self)
        return self


class Service(Part):
    key: Slug = Field(description="Stable identifier, unique in the feed, e.g. boundary-enforcer.")
    name: Name = Field(description="Display name; plain text.")
    windows: Windows
    daily: list[Day] = Field(
        max_length=31, description="Whole UTC days, ascending, none after generated_at's date."
    )

    @model_validator(mode="after")
    def _rules(self) -> Service:
        enforce("Service", dates_ascending(self.daily), self)
        return self


class TenantIsolation(Part):
    """Tenant-isolation verifications in each window; they nest (24h <= 7d <= 30d)."""

    last_24h: Count = Field(alias="24h")
    last_7d: Count = Field(alias="7d")
    last_30d: Count = Field(alias="30d")

    def counts(self) -> dict[str, int]:
        return dict(zip(WINDOWS, (self.last_24h, self.last_7d, self.last_30d), strict=True))

    @model_validator(mode="after")
    def _rules(self) -> TenantIsolation:
        enforce("TenantIsolation", windows_nest(list(self.counts().values())), self)
        return self


class RuleCount(Part):
    rule: Slug = Field(description="Unique in the feed.")
    label: Name
    count_30d: Count


class Bucket(Part):
    from_: Percent = Field(alias="from")
    to: Percent = Field(description="Above `from`.")
    sessions: Count


class ContextPressure(Part):
    """Sessions by context pressure in percent: buckets ascending and contiguous."""

    window: Literal["30d"]
    buckets: list[Bucket] = Field(min_length=1, max_length=20)

    @model_validator(mode="after")
    def _rules(self) -> ContextPressure:
        enforce("ContextPressure", buckets_contiguous(self.buckets), self)
        return self


class Enforcement(Part):
    """Both counted since `deployed_since`."""

    uptime_percent: Percent
    bypasses: Count


class AuditEvent(Part):
    """One decision of the framework on the source, about a pseudonymous tenant."""

    model_config = ConfigDict(
        json_schema_extra={
            # Said by the schema as well as by the rule below: a rule exactly when not allowed.
            "if": {"properties": {"decision": {"const": ALLOWED}}},
            "then": {"properties": {"rule": {"type": "null"}}},
            "else": {"required": ["rule"], "properties": {"rule": {"type": "string"}}},
        }
    )

    id: Annotated[str, StringConstraints(pattern=EVENT_ID)] = Field(
        description="Unique in the payload and stable forever at the partner."
    )
    at: Timestamp = Field(description="When the decision was made; not after generated_at.")
    service: Slug = Field(description="The key of a service in the same payload.")
    decision: Decision
    rule: Slug | None = Field(
        default=None,
        description=" ".join(rule_matches_decision.__doc__.split()),
    )
    tenant: Annotated[str, StringConstraints(pattern=TENANT)] = Field(
        description="A pseudonym: a keyed hash the partner computes, never a raw identifier."
    )
    detail: Annotated[str, StringConstraints(max_length=200)] | None = Field(
        default=None,
        description=" ".join(anonymous.__doc__.split()),
    )

    @model_validator(mode="after")
    def _rules(self) -> AuditEvent:
        broken = [*rule_matches_decision(self.decision, self.rule), *anonymous(self.detail)]
        enforce("AuditEvent", broken, self)
        return self


class Feed(Part):
    """A framework-metrics payload that keeps every rule of the contract."""

    model_config = ConfigDict(
        title="Framework metrics feed, version 1",
        json_schema_extra={"description": description()},
    )

    schema_version: SchemaVersion
    source: Name = Field(description='Host that produced the feed; "demo" marks synthetic data.')
    generated_at: Timestamp
    deployed_since: Date = Field(description="When framework enforcement began on the source.")
    services: list[Service] = Field(min_length=1, max_length=50)
    tenant_isolation: TenantIsolation
    boundary_blocks_by_rule: list[RuleCount] = Field(max_length=50)
    context_pressure: ContextPressure
    enforcement: Enforcement
    audit_events: list[AuditEvent] = Field(
        default=[],
        max_length=MAX_AUDIT_EVENTS,
        description="Optional: the partner's most recent decisions, newest or oldest first; "
        "consecutive payloads may repeat events, which never change once published.",
    )

    @model_validator(mode="after")
    def _rules(self, info: ValidationInfo) -> Feed:
        now = (info.context or {}).get("now") or datetime.now(UTC)
        broken = [
            *not_in_future(self.generated_at, now),
            *unique_service_keys(self.services),
            *dates_not_after(self.services, self.generated_at.date()),
            *unique_rules(self.boundary_blocks_by_rule),
            *events_fit_the_feed(
                self.audit_events, {s.key for s in self.services}, self.generated_at
            ),
        ]
        enforce("Feed", broken, self)
        return self


def json_schema() -> dict:
    """The contract's JSON Schema (draft 2020-12), as published."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **Feed.model_json_schema(mode="validation"),
    }


def schema_text() -> str:
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


def main(argv: Sequence[str]) -> int:
    """`python -m metrics.feed [--write]`: print the schema, or write the published copy."""
    if "--write" in argv:
        SCHEMA_PATH.write_text(schema_text(), encoding="utf-8")
        print(f"wrote {SCHEMA_PATH}")
    else:
        sys.stdout.write(schema_text())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
