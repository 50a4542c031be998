"""Whole-page caching for anonymous visitors, invalidated by bumping one shared version.

Editors saving copy and the ingest accepting a snapshot both call `invalidate()`; every
cached page is keyed by the current version, so old entries are simply never read again.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.utils.cache import patch_cache_control
from simple_history.models import HistoricalChanges

VERSION_KEY = "pagecache:version"
# Entries of an old version are never read again; this only bounds how long they take space.
UNTIL_EDIT_SECONDS = 24 * 60 * 60

T = TypeVar("T")


def invalidate() -> None:
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


def current_version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        cache.add(VERSION_KEY, version, timeout=None)
        version = cache.get(VERSION_KEY, version)
    return version


def until_edit(name: str, build: Callable[[], T | None]) -> T | None:
    """`build()`'s result, cached until the next edit; a None result (nothing found) is not kept."""
    key = f"{name}:{current_version()}"
    found = cache.get(key)
    if found is None:
        found = build()
        if found is not None:
            cache.set(key, found, timeout=UNTIL_EDIT_SECONDS)
    return found


def cache_public_page(view):
    """Serve a GET from the cache for anonymous visitors without a query string."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        timeout = settings.PAGE_CACHE_SECONDS
        cacheable = (
            timeout > 0
            and request.method in ("GET", "HEAD")
            and not request.GET
            and not request.user.is_authenticated
        )
        if not cacheable:
            response = view(request, *args, **kwargs)
            patch_cache_control(response, private=True, no_cache=True)
            return response
        key = f"pagecache:{current_version()}:{request.path}"
        cached = cache.get(key)
        if cached is not None:
            return cached
        response = view(request, *args, **kwargs)
        patch_cache_control(response, public=True, max_age=timeout)
        if response.status_code == 200:
            cache.set(key, response, timeout=timeout)
        return response

    return wrapper


def _on_change(**kwargs):
    invalidate()


def invalidate_on_change(*models) -> None:
    """Any save or delete of these models invalidates every cached page.

    Revision-history models are skipped: their rows are written with the row they record,
    whose own save has already invalidated.
    """
    for model in models:
        if issubclass(model, HistoricalChanges):
            continue
        label = model._meta.label
        post_save.connect(_on_change, sender=model, dispatch_uid=f"pagecache-save-{label}")
        post_delete.connect(_on_change, sender=model, dispatch_uid=f"pagecache-delete-{label}")
