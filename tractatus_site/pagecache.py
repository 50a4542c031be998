"""Caching that never outlives what it was read from.

Two layers, both in the shared cache (CACHE_URL):

- Whole pages for anonymous visitors, answered by `PageCacheMiddleware` before sessions,
  authentication and URL resolving, so a cached page costs about what a static file does.
  They are keyed by a version that every editor's save and every accepted snapshot replaces,
  and never kept longer than PAGE_CACHE_SECONDS: that is the longest any page can lag the
  database, a restored backup included.
- What pages are built from (`remembered()`): keyed by the site's state as the database itself
  reports it, the latest snapshot's SHA-256 and the editors' content version, read in one
  indexed query per request (`site_state()`). A restored database brings its own state back, so
  nothing cached for a state it no longer holds is read again, on any node.

What changes only once per snapshot, like the rendered dashboard, is kept in the database's
own cache table too (CACHES["durable"]), so that pages hold up while the shared cache is down.
"""

from __future__ import annotations

import functools
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache, caches
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save
from django.utils.cache import patch_cache_control, set_response_etag
from simple_history.models import HistoricalChanges

VERSION_KEY = "pagecache:version"
# Content-addressed entries are never wrong, only unused; this bounds how long they take space
# and how long an edit made behind the site's back (plain SQL) can go unseen.
DATA_SECONDS = 5 * 60
GZIP = re.compile(r"\bgzip\b")

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


def invalidate() -> None:
    """Every cached page is stale: the next request for each renders it anew."""
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


def current_version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        cache.add(VERSION_KEY, version, timeout=None)
        version = cache.get(VERSION_KEY, version)
    return version


def cacheable_request(request) -> bool:
    """A GET for a page as anonymous visitors see it: no query string, no session."""
    return (
        settings.PAGE_CACHE_SECONDS > 0
        and request.method == "GET"
        and not request.META.get("QUERY_STRING")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
    )


def page_key(request) -> str:
    encoding = "gzip" if GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")) else "plain"
    where = f"{request.scheme}://{request.get_host()}{request.path}"
    return f"pagecache:{current_version()}:{encoding}:{where}"


class PageCacheMiddleware:
    """Answers anonymous visitors from the shared cache before the rest of the stack runs.

    It sits outside the gzip middleware, so each page is kept once per encoding, compressed
    once; a view opts in with `cache_public_page`. Pages are kept with their ETag, so a
    conditional request is answered 304 (by ConditionalGetMiddleware) at the same cost.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = page_key(request) if cacheable_request(request) else None
        if key is not None:
            cached = cache.get(key)
            if cached is not None:
                return cached
        response = self.get_response(request)
        public = getattr(response, "public_page", False)
        if key is not None and public and response.status_code == 200:
            set_response_etag(response)
            cache.set(key, response, timeout=settings.PAGE_CACHE_SECONDS)
        return response


def cache_public_page(view):
    """Marks what anonymous visitors get as a public page: shared caches may keep it.

    Signed-in staff (and their previews) get `private, no-store`; nobody else's cache keeps it.
    """

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if request.user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        else:
            response.public_page = True
            # Browsers ask again each time (a 304 when nothing changed); a CDN may keep it for
            # as long as the page cache here does, no longer.
            patch_cache_control(
                response, public=True, max_age=0, s_maxage=settings.PAGE_CACHE_SECONDS
            )
        return response

    return wrapper


def _on_change(**kwargs):
    from .models import ContentVersion

    ContentVersion.replace()
    # Now, and again once the change is committed: a page rendered in between from what the
    # database held before must not outlive the transaction.
    invalidate()
    transaction.on_commit(invalidate)


def invalidate_on_change(*models) -> None:
    """Any save or delete of these models replaces the content version and every cached page.

    Revision-history models are skipped: their rows are written with the row they record,
    whose own save has already invalidated.
    """
    for model in models:
        if issubclass(model, HistoricalChanges):
            continue
        label = model._meta.label
        post_save.connect(_on_change, sender=model, dispatch_uid=f"pagecache-save-{label}")
        post_delete.connect(_on_change, sender=model, dispatch_uid=f"pagecache-delete-{label}")
