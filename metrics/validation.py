"""The framework-metrics feed contract, version 1: every structural and cross-field rule.

`parse()` turns the payload bytes into a `Feed` or raises `InvalidFeed` whose message names
the field path and what was wrong, e.g.
`services[2].windows.7d.operations: expected an integer >= 0, got 3.5`. That message is the
public reason of a rejected run, so it quotes the feed's own values and nothing else.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from typing import Any

from .figures import Tally
from .models import WINDOWS

SCHEMA_VERSION = 1
MAX_COUNT = 2**53 - 1
MAX_FUTURE = timedelta(minutes=5)
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*\Z")
DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})\Z")
# RFC 3339 section 5.6: a full date, "T", a time with optional fraction, and a required offset.
TIMESTAMP = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?"
    r"(?:[Zz]|([+-])([01]\d|2[0-3]):([0-5]\d))\Z"
)


class InvalidFeed(ValueError):
    """The payload breaks the contract; the message is the public reason."""


@dataclass(frozen=True)
class Day:
    date: date
    operations: int
    blocked: int


@dataclass(frozen=True)
class Service:
    key: str
    name: str
    windows: dict[str, Tally]
    daily: list[Day]


@dataclass(frozen=True)
class RuleCount:
    rule: str
    label: str
    count_30d: int


@dataclass(frozen=True)
class Bucket:
    lower: float
    upper: float
    sessions: int


@dataclass(frozen=True)
class Feed:
    """The figures of a payload that keeps every rule of the contract."""

    source: str
    generated_at: datetime
    deployed_since: date
    services: list[Service]
    tenant_isolation: dict[str, int]
    rules: list[RuleCount]
    buckets: list[Bucket]
    uptime_percent: float
    bypasses: int


def shown(value: Any) -> str:
    """A value as JSON, short enough for a one-line reason."""
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:37] + "..."


def fail(path: str, problem: str) -> InvalidFeed:
    return InvalidFeed(f"{path}: {problem}")


def _reject_constant(name: str) -> Any:
    raise InvalidFeed(f"invalid JSON: {name} is not a JSON number")


def _object_without_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # Parsers disagree on which duplicate wins, so the stored bytes would not mean one thing.
    result: dict[str, Any] = {}
    for name, value in pairs:
        if name in result:
            raise InvalidFeed(f"invalid JSON: duplicate member {shown(name)}")
        result[name] = value
    return result


def decode(payload: bytes) -> Any:
    """The payload as JSON values; strict UTF-8 and standard JSON only."""
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidFeed(f"invalid JSON: not UTF-8 (byte {exc.start})") from None
    try:
        return json.loads(
            text, parse_constant=_reject_constant, object_pairs_hook=_object_without_duplicates
        )
    except InvalidFeed:
        raise
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}"
        raise InvalidFeed(f"invalid JSON: {exc.msg} at {where}") from None
    except RecursionError:
        raise InvalidFeed("invalid JSON: nested too deeply") from None
    except ValueError:
        # Python refuses integers of thousands of digits rather than parse them slowly.
        raise InvalidFeed("invalid JSON: a number has too many digits") from None


def parse(payload: bytes, *, now: datetime) -> Feed:
    """The `Feed` in `payload`, or `InvalidFeed` naming the first rule it breaks."""
    return read_feed(decode(payload), now=now)


def obj(value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise fail(path, f"expected an object, got {shown(value)}")
    return value


def at(parent: dict[str, Any], base: str, name: str) -> tuple[Any, str]:
    """A required member and its path."""
    path = f"{base}.{name}" if base else name
    if name not in parent:
        raise fail(path, "required field missing")
    return parent[name], path


def array(value: Any, path: str, *, least: int, most: int) -> list[Any]:
    if not isinstance(value, list):
        raise fail(path, f"expected an array, got {shown(value)}")
    if not least <= len(value) <= most:
        raise fail(path, f"expected {least} to {most} items, got {len(value)}")
    return value


def count(value: Any, path: str) -> int:
    # bool is an int subclass and 3.0 is a float: neither is a JSON integer count.
    if type(value) is not int or value < 0:
        raise fail(path, f"expected an integer >= 0, got {shown(value)}")
    if value > MAX_COUNT:
        raise fail(path, f"expected an integer <= {MAX_COUNT}, got {shown(value)}")
    return value


def number(value: Any, path: str, *, low: float, high: float) -> float:
    if type(value) not in (int, float) or not low <= value <= high:
        raise fail(path, f"expected a number from {low:g} to {high:g}, got {shown(value)}")
    return float(value)


def text(value: Any, path: str, *, most: int) -> str:
    if not isinstance(value, str) or not 1 <= len(value) <= most:
        raise fail(path, f"expected a string of 1 to {most} characters, got {shown(value)}")
    return value


def slug(value: Any, path: str) -> str:
    if not isinstance(value, str) or len(value) > 64 or not SLUG.match(value):
        raise fail(path, f"expected a slug (a-z, 0-9, single hyphens, <= 64), got {shown(value)}")
    return value


def calendar_date(value: Any, path: str) -> date:
    match = DATE.match(value) if isinstance(value, str) else None
    try:
        if match:
            return date(*map(int, match.groups()))
    except ValueError:
        pass
    raise fail(path, f"expected a date YYYY-MM-DD, got {shown(value)}")


def timestamp(value: Any, path: str) -> datetime:
    match = TIMESTAMP.match(value) if isinstance(value, str) else None
    try:
        if match:
            year, month, day, hour, minute, second, fraction, sign, oh, om = match.groups()
            offset = timedelta(hours=int(oh or 0), minutes=int(om or 0))
            if sign == "-":
                offset = -offset
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
            return moment - offset
    except (ValueError, OverflowError):
        pass
    raise fail(path, f"expected an RFC 3339 timestamp with offset, got {shown(value)}")


def nested(values: dict[str, int], path: str, field: str = "") -> None:
    """Windows nest: 24h <= 7d <= 30d."""
    suffix = f".{field}" if field else ""
    for shorter, longer in pairwise(WINDOWS):
        if values[shorter] > values[longer]:
            raise fail(
                f"{path}.{longer}{suffix}",
                f"{values[longer]} is less than the {shorter} figure {values[shorter]}"
                " (windows must nest: 24h <= 7d <= 30d)",
            )


def tally(value: Any, path: str) -> Tally:
    value = obj(value, path)
    operations = count(*at(value, path, "operations"))
    blocked = count(*at(value, path, "blocked"))
    if blocked > operations:
        raise fail(f"{path}.blocked", f"{blocked} is more than operations {operations}")
    return Tally(operations, blocked)


def windows_of(value: Any, path: str) -> dict[str, Tally]:
    value = obj(value, path)
    extra = sorted(set(value) - set(WINDOWS))
    if extra:
        raise fail(path, f"expected exactly 24h, 7d and 30d, got also {shown(extra[0])}")
    windows = {w: tally(*at(value, path, w)) for w in WINDOWS}
    for field in ("operations", "blocked"):
        nested({w: getattr(t, field) for w, t in windows.items()}, path, field)
    return windows


def daily_of(value: Any, path: str, last_day: date) -> list[Day]:
    days: list[Day] = []
    for n, item in enumerate(array(value, path, least=0, most=31)):
        here = f"{path}[{n}]"
        counts = tally(item, here)
        day = calendar_date(*at(item, here, "date"))
        if days and day <= days[-1].date:
            raise fail(f"{here}.date", f"{day} is not after the previous date {days[-1].date}")
        if day > last_day:
            raise fail(f"{here}.date", f"{day} is after generated_at's date {last_day}")
        days.append(Day(day, counts.operations, counts.blocked))
    return days


def services_of(value: Any, path: str, last_day: date) -> list[Service]:
    services: list[Service] = []
    for n, item in enumerate(array(value, path, least=1, most=50)):
        here = f"{path}[{n}]"
        item = obj(item, here)
        key = slug(*at(item, here, "key"))
        if any(s.key == key for s in services):
            raise fail(f"{here}.key", f"duplicate key {shown(key)}")
        services.append(
            Service(
                key=key,
                name=text(*at(item, here, "name"), most=100),
                windows=windows_of(*at(item, here, "windows")),
                daily=daily_of(*at(item, here, "daily"), last_day),
            )
        )
    return services


def tenant_isolation_of(value: Any, path: str) -> dict[str, int]:
    value = obj(value, path)
    counts = {w: count(*at(value, path, w)) for w in WINDOWS}
    nested(counts, path)
    return counts


def rules_of(value: Any, path: str) -> list[RuleCount]:
    rules: list[RuleCount] = []
    for n, item in enumerate(array(value, path, least=0, most=50)):
        here = f"{path}[{n}]"
        item = obj(item, here)
        rule = slug(*at(item, here, "rule"))
        if any(r.rule == rule for r in rules):
            raise fail(f"{here}.rule", f"duplicate rule {shown(rule)}")
        label = text(*at(item, here, "label"), most=100)
        total = count(*at(item, here, "count_30d"))
        rules.append(RuleCount(rule, label, total))
    return rules


def buckets_of(value: Any, path: str) -> list[Bucket]:
    value = obj(value, path)
    window, window_path = at(value, path, "window")
    if window != "30d":
        raise fail(window_path, f'expected "30d", got {shown(window)}')
    buckets: list[Bucket] = []
    items = array(*at(value, path, "buckets"), least=1, most=20)
    for n, item in enumerate(items):
        here = f"{path}.buckets[{n}]"
        item = obj(item, here)
        lower = number(*at(item, here, "from"), low=0, high=100)
        upper = number(*at(item, here, "to"), low=0, high=100)
        if lower >= upper:
            raise fail(f"{here}.to", f"{upper:g} is not above from {lower:g}")
        if buckets and lower != buckets[-1].upper:
            raise fail(
                f"{here}.from",
                f"{lower:g} does not continue from the previous bucket's to {buckets[-1].upper:g}",
            )
        sessions = count(*at(item, here, "sessions"))
        buckets.append(Bucket(lower, upper, sessions))
    return buckets


def read_feed(document: Any, *, now: datetime) -> Feed:
    """The `Feed` in already-decoded JSON; unknown fields are ignored."""
    root = obj(document, "(root)")
    version, version_path = at(root, "", "schema_version")
    if type(version) is not int or version != SCHEMA_VERSION:
        raise fail(version_path, f"unsupported version, expected 1, got {shown(version)}")
    generated_at = timestamp(*at(root, "", "generated_at"))
    if generated_at - now > MAX_FUTURE:
        raise fail("generated_at", "more than 5 minutes in the future")
    enforcement = obj(*at(root, "", "enforcement"))
    return Feed(
        source=text(*at(root, "", "source"), most=100),
        generated_at=generated_at,
        deployed_since=calendar_date(*at(root, "", "deployed_since")),
        services=services_of(*at(root, "", "services"), generated_at.date()),
        tenant_isolation=tenant_isolation_of(*at(root, "", "tenant_isolation")),
        rules=rules_of(*at(root, "", "boundary_blocks_by_rule")),
        buckets=buckets_of(*at(root, "", "context_pressure")),
        uptime_percent=number(*at(enforcement, "enforcement", "uptime_percent"), low=0, high=100),
        bypasses=count(*at(enforcement, "enforcement", "bypasses")),
    )
