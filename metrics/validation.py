"""Reading a payload against the feed contract (`metrics.feed`), with reasons anyone may read.

`parse()` turns the payload bytes into a `Feed` or raises `InvalidFeed`, which lists every
violation found, each naming its field path and what was wrong, e.g.
`services[2].windows.7d.operations: expected an integer, got 3.5`. Those lines are public (the
audit trail shows the first), so they quote the feed's own values and nothing else, and never
an audit event's: those may hold what the anonymity rules forbid.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from .feed import RULE, Feed

# Pydantic's error types, said the way the contract says them; each is followed by ", got …".
PROBLEMS = {
    "model_type": "expected an object",
    "dict_type": "expected an object",
    "model_attributes_type": "expected an object",
    "list_type": "expected an array",
    "too_short": "expected an array of length >= {min_length}",
    "too_long": "expected an array of length <= {max_length}",
    "int_type": "expected an integer",
    "float_type": "expected a number",
    "string_type": "expected a string",
    "string_too_short": "expected a string of length >= {min_length}",
    "string_too_long": "expected a string of length <= {max_length}",
    "string_pattern_mismatch": "expected a string matching {pattern}",
    "greater_than_equal": "expected a value >= {ge}",
    "less_than_equal": "expected a value <= {le}",
    "literal_error": "expected {expected}",
    "extra_forbidden": "not allowed here",
}


class InvalidFeed(ValueError):
    """The payload breaks the contract; `violations` are the public reasons, in feed order."""

    def __init__(self, violations: Sequence[str]):
        self.violations = list(violations)
        super().__init__(summarise(self.violations))


def summarise(violations: Sequence[str]) -> str:
    """The first violation and how many more: one line for the audit trail."""
    more = len(violations) - 1
    if not more:
        return violations[0]
    return f"{violations[0]} (and {more} more {'violation' if more == 1 else 'violations'})"


def shown(value: Any) -> str:
    """A value as JSON, short enough for a one-line reason."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 40 else text[:37] + "..."


def plain(value: Any) -> Any:
    """A constraint as the contract writes it: 100, not 100.0; "30d", not '30d'."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value.replace("'", '"') if isinstance(value, str) else value


def field_path(loc: Sequence[str | int]) -> str:
    """("services", 2, "windows") -> "services[2].windows"; the whole payload is "(root)"."""
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}" if path else part
    return path or "(root)"


def reason(error: dict) -> str:
    """One violation as a public line: its path, what was wrong and, where useful, the value."""
    kind, path = error["type"], field_path(error["loc"])
    if kind == RULE:
        # The rule's own words already quote the values it compared.
        return f"{path}: {error['ctx']['problem']}"
    if kind == "missing":
        return f"{path}: required field missing"
    context = {name: plain(value) for name, value in error.get("ctx", {}).items()}
    template = PROBLEMS.get(kind)
    problem = template.format(**context) if template else error["msg"]
    if kind in ("too_short", "too_long"):
        return f"{path}: {problem}, got {context['actual_length']}"
    if error["loc"][:1] == ("audit_events",):
        # An event's text may be what anonymity forbids, so it is never repeated.
        return f"{path}: {problem}"
    return f"{path}: {problem}, got {shown(error['input'])}"


def _reject_constant(name: str) -> Any:
    raise InvalidFeed([f"invalid JSON: {name} is not a JSON number"])


def _object_without_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # Parsers disagree on which duplicate wins, so the stored bytes would not mean one thing.
    result: dict[str, Any] = {}
    for name, value in pairs:
        if name in result:
            raise InvalidFeed([f"invalid JSON: duplicate member {shown(name)}"])
        result[name] = value
    return result


def decode(payload: bytes) -> Any:
    """The payload as JSON values; strict UTF-8 and standard JSON only."""
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidFeed([f"invalid JSON: not UTF-8 (byte {exc.start})"]) from None
    try:
        return json.loads(
            text, parse_constant=_reject_constant, object_pairs_hook=_object_without_duplicates
        )
    except InvalidFeed:
        raise
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}"
        raise InvalidFeed([f"invalid JSON: {exc.msg} at {where}"]) from None
    except RecursionError:
        raise InvalidFeed(["invalid JSON: nested too deeply"]) from None
    except ValueError:
        # Python refuses integers of thousands of digits rather than parse them slowly.
        raise InvalidFeed(["invalid JSON: a number has too many digits"]) from None


def read_feed(document: Any, *, now: datetime) -> Feed:
    """The `Feed` in already-decoded JSON; unknown fields are ignored."""
    try:
        return Feed.model_validate(document, context={"now": now})
    except ValidationError as exc:
        raise InvalidFeed([reason(error) for error in exc.errors()]) from None


def parse(payload: bytes, *, now: datetime) -> Feed:
    """The `Feed` in `payload`, or `InvalidFeed` listing every violation found."""
    return read_feed(decode(payload), now=now)
