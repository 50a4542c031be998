"""Finding the framework's decisions: filters, opaque cursors and keyset pages, newest first.

Every listing walks one (filter…, at, id) index of `metrics.AuditEvent` from a cursor, so the
10,000th page costs what the first does. A cursor is the last row shown, (at, id), signed with
the site's key: it cannot be forged to reach past what a filter allows, only mistyped.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import TypedDict

from django import forms
from django.core import signing
from django.db.models import Q, QuerySet
from django.urls import reverse

from metrics.feed import TENANT
from metrics.models import AuditEvent
from tractatus_site.parameters import ParameterForm, day_field
from tractatus_site.state import site_state
from transparency import entries

PER_PAGE = 50
CURSOR_SALT = "audit.events.cursor"
COLUMNS = (
    "id", "at", "service", "decision", "rule", "tenant", "detail", "snapshot_sha256", "log_index"
)


class EventFilters(ParameterForm):
    """The viewer's filters, as a query string: ?service=&decision=&rule=&tenant=&since=&until=."""

    service = forms.SlugField(required=False, max_length=64, label="Service")
    decision = forms.ChoiceField(
        required=False,
        label="Decision",
        choices=[("", "Any decision"), *AuditEvent.Decision.choices],
        # Django's own message repeats the value; ours never echoes input.
        error_messages={"invalid_choice": "must be blocked, allowed or escalated"},
    )
    rule = forms.SlugField(required=False, max_length=64, label="Rule")
    tenant = forms.RegexField(
        required=False,
        regex=TENANT,
        label="Tenant pseudonym",
        error_messages={"invalid": "a tenant pseudonym is t_ followed by 16 hex digits"},
    )
    since = day_field("From (UTC day)")
    until = day_field("To (UTC day)")
    cursor = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)

    def clean_cursor(self) -> tuple[datetime, int] | None:
        text = self.cleaned_data["cursor"]
        if not text:
            return None
        try:
            at, pk = signing.loads(text, salt=CURSOR_SALT)
            return datetime.fromisoformat(at), int(pk)
        except (signing.BadSignature, ValueError, TypeError):
            raise forms.ValidationError("this cursor was not made by this site") from None

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and until < since:
            self.add_error("until", "the end of the range is before its start")
        return cleaned

    def query(self, **changes) -> dict[str, str]:
        """The filters as they came, without empty ones, with `changes` applied."""
        fields = {name: self.data.get(name, "") for name in self.fields}
        return {name: value for name, value in (fields | changes).items() if value}


def listing_etag(query) -> str | None:
    """A validator for the decisions a valid query lists, without reading them: only an
    accepted snapshot adds decisions, so the latest snapshot and the query decide them."""
    if not EventFilters(query).is_valid():
        return None
    asked = sorted((name, value) for name, values in query.lists() for value in values)
    text = f"{site_state().snapshot}:{asked}"
    return f'"{hashlib.sha256(text.encode()).hexdigest()}"'


def cursor_after(event: AuditEvent) -> str:
    return signing.dumps([event.at.isoformat(), event.pk], salt=CURSOR_SALT, compress=False)


def day_start(day) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def matching(filters: dict) -> QuerySet[AuditEvent]:
    """The events a valid `EventFilters` asks for, newest first, from its cursor on."""
    events = AuditEvent.objects.select_related("snapshot", "log_entry").only(
        *AuditEvent.CONTENT, "event_id", "snapshot__sha256", "snapshot__source", "log_entry__index"
    )
    for name in ("service", "decision", "rule", "tenant"):
        if filters.get(name):
            events = events.filter(**{name: filters[name]})
    if filters.get("since"):
        events = events.filter(at__gte=day_start(filters["since"]))
    if filters.get("until"):
        events = events.filter(at__lt=day_start(filters["until"] + timedelta(days=1)))
    if filters.get("cursor"):
        at, pk = filters["cursor"]
        # `at <= cursor` bounds the index range; the OR only looks at rows of that very instant.
        events = events.filter(Q(at__lt=at) | Q(at=at, pk__lt=pk), at__lte=at)
    return events.newest_first()


def one(event_id: str) -> AuditEvent | None:
    """The event with this id, with its snapshot (without its bytes) and its log entry."""
    found = AuditEvent.objects.select_related("snapshot", "log_entry").defer("snapshot__raw")
    return found.filter(event_id=event_id).first()


@dataclass(frozen=True)
class EventPage:
    events: list[AuditEvent]
    next_cursor: str | None


def page_of(filters: dict) -> EventPage:
    """One page of PER_PAGE events, and the cursor of the next (None on the last page)."""
    found = list(matching(filters)[: PER_PAGE + 1])
    shown = found[:PER_PAGE]
    more = len(found) > PER_PAGE
    return EventPage(shown, cursor_after(shown[-1]) if more else None)


class DecisionRow(TypedDict):
    """One decision as a list of them shows it (templates/audit/decision_list.html)."""

    decision: str  # blocked, allowed or escalated
    label: str
    url: str
    at_iso: str
    at_text: str  # "29 Nov 2026, 11:58:07", in UTC
    demo: bool
    service: str
    rule: str
    tenant: str
    detail: str


def decision_rows(events: Iterable[AuditEvent]) -> list[DecisionRow]:
    """The decisions as a list shows them, every text made once here rather than by template
    filters and a reverse() per row (a page of 50 cost more than the rest of its page)."""
    # Every event id is URL-safe (metrics.feed.EVENT_ID), so a permalink is prefix + id + "/".
    prefix = reverse("audit:event", args=["_"]).removesuffix("_/")
    labels = dict(AuditEvent.Decision.choices)
    rows = []
    for event in events:
        at = event.at.astimezone(UTC)
        rows.append(DecisionRow(
            decision=event.decision,
            label=labels.get(event.decision, event.decision),
            url=f"{prefix}{event.event_id}/",
            at_iso=at.isoformat(),
            at_text=f"{at.day} {at:%b %Y, %H:%M:%S}",
            demo=event.snapshot.is_demo,
            service=event.service,
            rule=event.rule,
            tenant=event.tenant,
            detail=event.detail,
        ))
    return rows


def log_index(event: AuditEvent) -> int | None:
    entry = getattr(event, "log_entry", None)  # absent only while its ingest is uncommitted
    return entry.index if entry else None


def public(event: AuditEvent) -> dict:
    """An event as the JSON API gives it: the contract's fields, the bytes it came in, and its
    place in the transparency log, whose entry holds exactly the same fields but `log_index`."""
    return {**entries.event_fields(event, event.snapshot), "log_index": log_index(event)}


def rows(filters: dict) -> Iterator[tuple]:
    """Every matching event as a CSV row, read in chunks so any number can be streamed."""
    yield (*COLUMNS, "demo")
    for event in matching(filters).iterator(chunk_size=2000):
        item = public(event)
        cells = ("" if item[column] is None else item[column] for column in COLUMNS)
        yield (*cells, "yes" if item["demo"] else "no")
