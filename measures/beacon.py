"""The beacon's report: reading the body, and what a valid report says (docs/measures.md).

Anything else is refused with a short reason, before anything is stored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.http import HttpRequest

from showcase.models import Page
from tractatus_site import state

MAX_BODY_BYTES = 2048
# Four hours visible in one report is already a tab left open; more is not a reading.
MAX_SECONDS = 4 * 60 * 60
# The fields each event may carry; "path" and "event" are required, and "seconds" on a leave.
FIELDS = {
    "view": frozenset({"path", "event", "entry", "seconds", "continues"}),
    "leave": frozenset({"path", "event", "entry", "seconds", "resumed"}),
}


class BeaconRefused(Exception):
    """A report the site will not count, with the status and reason it answers."""

    def __init__(self, reason: str, status: int = 400):
        super().__init__(reason)
        self.reason = reason
        self.status = status


@dataclass(frozen=True)
class Report:
    """One valid report: a page view, or visible time when the page was hidden."""

    path: str
    event: str
    entry: bool = False
    seconds: float = 0.0
    continues: str | None = None
    resumed: bool = False


def read_body(request: HttpRequest) -> bytes:
    """The body, refused (413) past MAX_BODY_BYTES whether declared or actually sent."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise BeaconRefused("invalid Content-Length") from None
    if declared > MAX_BODY_BYTES:
        raise BeaconRefused("body over 2 KB", status=413)
    # One byte more than allowed is enough to tell that a body is too long.
    try:
        body = request.read(MAX_BODY_BYTES + 1)
    except OSError:  # the client went away mid-body
        raise BeaconRefused("unreadable body") from None
    if len(body) > MAX_BODY_BYTES:
        raise BeaconRefused("body over 2 KB", status=413)
    return body


def site_paths() -> frozenset[str]:
    """The paths of published pages, cached for the editors' content as the database holds it."""
    return state.remembered(
        "measures:paths",
        lambda: frozenset(page.get_absolute_url() for page in Page.objects.visible().only("slug")),
    )


def parse_report(body: bytes, paths: frozenset[str]) -> Report:
    """The report in `body`, or BeaconRefused naming the first thing wrong with it."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # RecursionError: deeply nested arrays
        raise BeaconRefused("malformed JSON") from None
    if not isinstance(data, dict):
        raise BeaconRefused("expected a JSON object")
    event = data.get("event")
    if not isinstance(event, str) or event not in FIELDS:
        raise BeaconRefused("unknown event")
    if data.keys() - FIELDS[event]:
        raise BeaconRefused("unknown field")
    if not _is_page(data.get("path"), paths):
        raise BeaconRefused("unknown path")
    if event == "leave" and "seconds" not in data:
        raise BeaconRefused("seconds missing")
    entry = _flag(data, "entry")
    continues = data.get("continues")
    # Only a later page of a tab's visit names the entry page it continues.
    if continues is not None and (entry or not _is_page(continues, paths)):
        raise BeaconRefused("invalid continues")
    return Report(
        path=data["path"],
        event=event,
        entry=entry,
        seconds=_seconds(data.get("seconds", 0)),
        continues=continues,
        resumed=_flag(data, "resumed"),
    )


def _is_page(value: object, paths: frozenset[str]) -> bool:
    return isinstance(value, str) and value in paths


def _flag(data: dict, name: str) -> bool:
    value = data.get(name, False)
    if not isinstance(value, bool):
        raise BeaconRefused(f"{name} must be true or false")
    return value


def _seconds(value: object) -> float:
    # bool is an int in Python; NaN and Infinity (which json.loads accepts) fail the range test.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BeaconRefused("seconds must be a number")
    if not 0 <= value <= MAX_SECONDS:
        raise BeaconRefused(f"seconds must be from 0 to {MAX_SECONDS}")
    return float(value)
