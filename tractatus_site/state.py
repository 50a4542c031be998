"""The site's state as the database holds it, and what is cached under that state.

What pages are built from is cached by `remembered()`, keyed by the latest snapshot's SHA-256
and the editors' content version, both read from the database in one indexed query per
request (`site_state()`). A database restored from a backup brings its own state back, so
nothing cached for a state it no longer holds is read again, on any node.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TypeVar

from django.core.cache import caches
from django.db import connection

# Content-addressed entries are never wrong, only unused; this bounds how long they take space
# and how long an edit made behind the site's back (plain SQL) can go unseen.
DATA_SECONDS = 5 * 60

T = TypeVar("T")


@dataclass(frozen=True)
class SiteState:
    """What the database holds now: its latest snapshot and its editors' content version."""

    snapshot: str
    content: str

    @property
    def key(self) -> str:
        return f"{self.snapshot or 'none'}:{self.content or 'none'}"


def read_state() -> SiteState:
    """The site's state in one query: two indexed single-row lookups."""
    from metrics.models import Snapshot

    from .models import ContentVersion

    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT sha256 FROM {Snapshot._meta.db_table}"  # noqa: S608 - table names
            " ORDER BY generated_at DESC LIMIT 1),"
            f" (SELECT token FROM {ContentVersion._meta.db_table} LIMIT 1)"
        )
        snapshot, content = cursor.fetchone()
    # PostgreSQL answers with a UUID, SQLite with its 32 hex digits.
    token = content.hex if isinstance(content, uuid.UUID) else (content or "")
    return SiteState(snapshot or "", token)


# One read per request: every cache lookup of a request sees the same state.
_request_state: ContextVar[dict | None] = ContextVar("site_state", default=None)


def site_state() -> SiteState:
    memo = _request_state.get()
    if memo is None:  # outside a request (commands, tests): always the database's word
        return read_state()
    if "state" not in memo:
        memo["state"] = read_state()
    return memo["state"]


class SiteStateMiddleware:
    """Lets a request read the site's state once, and forgets it when the request ends."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request_state.set({})
        try:
            return self.get_response(request)
        finally:
            _request_state.reset(token)


def remembered(name: str, build: Callable[[], T | None], *, using: str = "default") -> T | None:
    """`build()`'s result for the site's current state; a None result is not kept."""
    store = caches[using]
    key = f"{name}:{site_state().key}"
    found = store.get(key)
    if found is None:
        found = build()
        if found is not None:
            store.set(key, found, timeout=DATA_SECONDS)
    return found
