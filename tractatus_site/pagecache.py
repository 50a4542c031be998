"""Whole pages for anonymous visitors, answered before the rest of the stack runs.

A page is kept in the shared cache (CACHE_URL) under the page version, which every editor's
save and every accepted snapshot replaces (`invalidate`), and never longer than
PAGE_CACHE_SECONDS: that is the longest any page can lag the database, a restored backup
included. What pages are built from is cached by the site's state instead (`state.py`).

On Redis, each worker also keeps the pages it served last in its own memory, and a thread of
the worker listens for new versions (Redis pub/sub): a cached page, or a 304 for it, then costs
no round trip at all, and a worker learns of a new version within milliseconds of it being
published (its own process at once). The listener is trusted only while Redis keeps answering
its pings; otherwise (and on any other cache) the version is read from the cache on each
request.

While the shared cache is down, pages come from the database's cache table
(CACHES["durable"]), keyed by the site's state, so they are not rendered for every request.
"""

from __future__ import annotations

import contextlib
import functools
import re
import threading
import time
import uuid
from collections import OrderedDict

import redis
from django.conf import settings
from django.core.cache import cache, caches
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponseNotModified
from django.utils import timezone
from django.utils.cache import patch_cache_control, set_response_etag
from simple_history.models import HistoricalChanges

from .state import site_state

VERSION_KEY = "pagecache:version"
GZIP = re.compile(r"\bgzip\b")
# The headers a 304 repeats from the page it stands for (as Django's own 304s do).
NOT_MODIFIED_HEADERS = ("Cache-Control", "ETag", "Vary")
# Pages a worker keeps in its own memory, its most recent ones: about ten megabytes at most.
WORKER_PAGES = 200
# The listener pings Redis this often, and is trusted while it heard back this recently.
HEARTBEAT = 0.5
TRUSTED_FOR = 3 * HEARTBEAT


# Every listener of this process, so that tests (and a clean shutdown) can stop them.
LISTENERS: list[VersionListener] = []


def stop_listeners() -> None:
    while LISTENERS:
        LISTENERS.pop().stop()


def redis_location() -> str | None:
    """The Redis the shared cache is on, or None when it is another kind of cache."""
    default = settings.CACHES["default"]
    return default["LOCATION"] if default["BACKEND"].startswith("django_redis.") else None


def shared_version() -> str | None:
    """The page version in the shared cache, made anew if missing; None when it is down."""
    version = cache.get(VERSION_KEY)
    if version is None:
        new = uuid.uuid4().hex
        if cache.add(VERSION_KEY, new, timeout=None):
            publish(new)
        version = cache.get(VERSION_KEY)
    return version


def publish(version: str) -> None:
    """Tell every worker's listener (a new version is what it says: pages are stale)."""
    if redis_location():
        # Redis down: its listeners stop trusting themselves within TRUSTED_FOR anyway.
        with contextlib.suppress(redis.RedisError):
            cache.client.get_client().publish(cache.make_key(VERSION_KEY), version)


def invalidate() -> None:
    """Every cached page is stale: the next request for each, on any node, renders it anew."""
    version = uuid.uuid4().hex
    cache.set(VERSION_KEY, version, timeout=None)
    for listener in LISTENERS:  # this process knows at once; the others within milliseconds
        listener.version = version
    publish(version)


class VersionListener:
    """A worker's view of the page version, kept current by Redis pub/sub."""

    def __init__(self, location: str, channel: str):
        self.location = location
        self.channel = channel
        self.version: str | None = None
        self.heard = float("-inf")
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.listen, name="page-version", daemon=True)
        self.thread.start()
        LISTENERS.append(self)

    def current(self) -> str | None:
        """The version, while Redis answered lately; None means: ask the cache."""
        if time.monotonic() - self.heard < TRUSTED_FOR:
            return self.version
        return None

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join()

    def listen(self) -> None:
        while not self.stopped.is_set():
            try:
                self.follow()
            except redis.RedisError:
                self.heard = float("-inf")
                self.stopped.wait(HEARTBEAT)

    def follow(self) -> None:
        client = redis.Redis.from_url(
            self.location, socket_connect_timeout=HEARTBEAT, socket_timeout=TRUSTED_FOR
        )
        with client.pubsub() as pubsub:
            pubsub.subscribe(self.channel)
            # Subscribed first, then read: a version published in between is not missed.
            self.version = shared_version()
            pinged = 0.0
            while not self.stopped.is_set():
                if time.monotonic() - pinged >= HEARTBEAT:
                    pubsub.ping()
                    pinged = time.monotonic()
                message = pubsub.get_message(timeout=HEARTBEAT)
                if message is None:
                    continue
                if message["type"] == "message":
                    self.version = message["data"].decode()
                if self.version is not None:
                    self.heard = time.monotonic()


def cacheable_request(request) -> bool:
    """A GET for a page as anonymous visitors see it: no query string, no session."""
    return (
        settings.PAGE_CACHE_SECONDS > 0
        and request.method == "GET"
        and not request.META.get("QUERY_STRING")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
    )


def page_variant(request) -> str:
    """Which page, and which of its representations: gzip-compressed or plain."""
    encoding = "gzip" if GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")) else "plain"
    return f"{encoding}:{request.scheme}://{request.get_host()}{request.path}"


class PageCacheMiddleware:
    """Answers anonymous visitors from the cache, before sessions, auth and URL resolving.

    A page is kept twice: whole, and as the few headers of a 304 under its ETag, so that a
    browser revalidating its copy gets a 304 without the page being read. It sits outside the
    gzip middleware, so each page is kept once per encoding, compressed once; a view opts in
    with `cache_public_page`.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.listener: VersionListener | None = None
        self.pages: OrderedDict[str, tuple[float, object]] = OrderedDict()
        self.lock = threading.Lock()  # runserver, or gunicorn's threaded workers

    def __call__(self, request):
        if not cacheable_request(request):
            return self.get_response(request)
        version = self.version()
        variant = page_variant(request)
        revalidating = request.META.get("HTTP_IF_NONE_MATCH", "")
        if 0 < len(revalidating) <= 100:  # an ETag of ours is 34 characters
            headers = self.read(self.key(version, f"304:{revalidating}", variant))
            if headers is not None:
                return not_modified(headers)
        page = self.read(self.key(version, "page", variant))
        if page is not None:
            return page
        durable_key = f"pagecache:{site_state().key}:{variant}"
        page = caches["durable"].get(durable_key)
        if page is None:
            page = self.get_response(request)
            if not (getattr(page, "public_page", False) and page.status_code == 200):
                return page
            seconds = fresh_for(page)
            if not seconds:
                return page
            set_response_etag(page)
            page.expires_at = time.time() + seconds
            caches["durable"].set(durable_key, page, timeout=seconds)
        self.keep(version, variant, page)
        return page

    def version(self) -> str | None:
        if self.listener is None and (location := redis_location()):
            # Started here, in the worker: a thread started before gunicorn forks would not be.
            self.listener = VersionListener(location, cache.make_key(VERSION_KEY))
        known = self.listener.current() if self.listener else None
        return known or shared_version()

    def key(self, version: str | None, kind: str, variant: str) -> str | None:
        return f"pagecache:{version}:{kind}:{variant}" if version else None

    def read(self, key: str | None):
        """What is kept under `key`, from this worker's memory or the shared cache."""
        if key is None:
            return None
        with self.lock:
            expires, value = self.pages.get(key, (0.0, None))
            if time.time() < expires:
                self.pages.move_to_end(key)
                return value
            self.pages.pop(key, None)
        value = cache.get(key)
        if value is not None and self.listener is not None:
            self.remember(key, value)
        return value

    def remember(self, key: str, value) -> None:
        expires_at = value.expires_at if hasattr(value, "expires_at") else value["expires_at"]
        with self.lock:
            self.pages[key] = (expires_at, value)
            while len(self.pages) > WORKER_PAGES:
                self.pages.popitem(last=False)

    def keep(self, version: str | None, variant: str, page) -> None:
        """Keep the page for what is left of the time it may be kept."""
        left = page.expires_at - time.time()
        if version is None or left <= 0:
            return
        headers = {name: page[name] for name in NOT_MODIFIED_HEADERS if page.has_header(name)}
        entries = {
            self.key(version, "page", variant): page,
            self.key(version, f"304:{page['ETag']}", variant): headers
            | {"expires_at": page.expires_at},
        }
        cache.set_many(entries, timeout=max(int(left), 1))  # caches count whole seconds
        if self.listener is not None:
            for key, value in entries.items():
                self.remember(key, value)


def not_modified(headers: dict) -> HttpResponseNotModified:
    response = HttpResponseNotModified()
    for name in NOT_MODIFIED_HEADERS:
        if name in headers:
            response[name] = headers[name]
    return response


def fresh_for(response) -> int:
    """Seconds any cache may keep a public page: PAGE_CACHE_SECONDS, or until its next
    scheduled change (`response.fresh_until`, set by the view) if that comes first."""
    seconds = settings.PAGE_CACHE_SECONDS
    if fresh_until := getattr(response, "fresh_until", None):
        seconds = min(seconds, max(int((fresh_until - timezone.now()).total_seconds()), 0))
    return seconds


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
            patch_cache_control(response, public=True, max_age=0, s_maxage=fresh_for(response))
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
