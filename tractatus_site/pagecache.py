"""Whole pages for anonymous visitors, answered by a thin WSGI layer before Django runs.

`PageCache` wraps the Django application (wsgi.py). A GET without a session cookie, for a view
marked with `cache_public_page`, is looked up under its key: the page version, the encoding
(gzip or plain), scheme, host and path, and the query as the view knows it (`normalised_query`:
its own parameters, validated and sorted, anything else dropped, an invalid value never kept).
A hit is answered from an immutable `Page` (status, headers, body) before Django builds a
request or a response, a conditional request with a 304; a miss is rendered by Django with the
normalised query, by one request of the node at a time (`render_and_keep`), and kept.

Pages are kept:
- in the shared cache (CACHE_URL) under the page version, a counter that every editor's save
  and every accepted snapshot increments (`invalidate`), and never longer than
  PAGE_CACHE_SECONDS: the longest any page can lag the database, a restored backup included;
- in the database's cache table (CACHES["durable"]) under the site's state (`state.py`), which
  is read on every shared-cache miss: while the shared cache is down, pages come from there
  at the cost of two queries instead of being rendered for every request;
- in each worker's own memory too (`WorkerPages`, bounded in bytes), under the same keys: a
  hit costs one read of the version from the shared cache, and on Redis none at all while a
  thread of the worker follows the version by pub/sub (`VersionListener`); a new version
  reaches every worker within milliseconds.
What pages are built from is cached by the site's state instead (`state.py`).
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import logging
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache, caches
from django.core.handlers.wsgi import get_path_info
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.http import QueryDict
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import parse_etags
from simple_history.models import HistoricalChanges

from monitoring import instruments

from .state import site_state

log = logging.getLogger(__name__)

VERSION_KEY = "pagecache:version"
GZIP = re.compile(r"\bgzip\b")
# Where Django's 304s take headers from the page they stand for, in its order (RFC 9110
# 15.4.5); the other headers of the page follow, less those that describe its body.
NOT_MODIFIED_FIRST = ("Cache-Control", "Content-Location", "Date", "ETag", "Expires",
                      "Last-Modified", "Vary")
BODY_HEADERS = frozenset(
    {"content-type", "content-length", "content-encoding", "content-language",
     "content-disposition"}
)
# A worker's own copies of pages, most recently used kept: bounded in bytes, not in entries.
WORKER_BYTES = 16 * 1024 * 1024
# Distinct (path, query string) pairs whose normalised form a worker remembers.
ROUTES = 1024
# How long one request may hold a page's rebuild before another may start it.
REBUILD_SECONDS = 5.0
REBUILD_POLL = 0.005
# The listener pings Redis this often, and is trusted while it heard back this recently.
HEARTBEAT = 0.5
TRUSTED_FOR = 3 * HEARTBEAT
# A connection this long silent is given up for a new one (trust went long before): one to a
# server that vanished without closing it, in a failover, stays open until TCP gives up.
SILENT_FOR = 4 * TRUSTED_FOR
# After an unexpected error the listener starts again, waiting longer each time, up to this.
MOST_BACKOFF = 30.0


# Every listener of this process, so that tests (and a clean shutdown) can stop them.
LISTENERS: list[VersionListener] = []


def stop_listeners() -> None:
    while LISTENERS:
        LISTENERS.pop().stop()


def redis_location() -> str | None:
    """The Redis the shared cache is on, or None when it is another kind of cache."""
    default = settings.CACHES["default"]
    return default["LOCATION"] if default["BACKEND"].startswith("django_redis.") else None


# -- The page version ------------------------------------------------------------------------

_thread_lock = threading.Lock()


@contextlib.contextmanager
def atomically():
    """Makes a read-then-write of the shared cache atomic where the cache itself cannot.

    Redis's INCR and SET NX (`incr`, `add`) are atomic on their own. The file cache's are a
    read and a write, so they run under an exclusive lock on a file beside the cache (every
    process of the node); any other cache's under this process's lock.
    """
    if redis_location():
        yield
        return
    with _thread_lock:
        default = settings.CACHES["default"]
        if not default["BACKEND"].endswith("FileBasedCache"):
            yield
            return
        directory = Path(default["LOCATION"])
        directory.mkdir(parents=True, exist_ok=True)
        with open(directory / "pagecache-version.lock", "a") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)


def shared_version() -> int | None:
    """The page version in the shared cache, started if missing; None when it is down.

    A version starts at the clock in microseconds, so one started after the shared cache
    lost it is above every version counted before (short of a million saves a second).
    """
    version = cache.get(VERSION_KEY)
    if version is not None and not isinstance(version, int):
        # A token left by an older release in the same cache (a development clone's var/):
        # the counter starts afresh, above it in time, instead of failing every INCR.
        cache.delete(VERSION_KEY)
        version = None
    if version is None:
        if cache.add(VERSION_KEY, time.time_ns() // 1000, timeout=None):
            publish(cache.get(VERSION_KEY))
        version = cache.get(VERSION_KEY)
    return version


def publish(version: int | None) -> None:
    """Tell every worker's listener (a higher version is what it says: pages are stale)."""
    if version is None or not redis_location():
        return
    for listener in LISTENERS:  # this process knows at once; the others within milliseconds
        listener.saw(version)
    try:
        cache.client.get_client().publish(cache.make_key(VERSION_KEY), str(version))
    except Exception:
        # Redis down: its listeners stop trusting themselves within TRUSTED_FOR anyway.
        log.warning("page version %s not published", version, exc_info=True)


def invalidate() -> None:
    """Every cached page is stale: the next request for each, on any node, renders it anew."""
    with atomically():
        if shared_version() is None:
            return  # no shared cache (down, or none configured): no page is kept by version
        version = cache.incr(VERSION_KEY)
        cache.touch(VERSION_KEY, timeout=None)  # the file cache's incr sets its default timeout
    publish(version)


class VersionListener:
    """A worker's view of the page version, kept current by Redis pub/sub.

    The version only ever rises: messages from two nodes that invalidated at the same moment
    may arrive in either order, and the highest is the cache's.
    """

    def __init__(self, location: str, channel: str):
        self.location = location
        self.channel = channel
        self.version: int | None = None
        self.heard = float("-inf")
        self.lock = threading.Lock()
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.listen, name="page-version", daemon=True)
        self.thread.start()
        LISTENERS.append(self)

    def current(self) -> int | None:
        """The version, while Redis answered lately; None means: ask the cache."""
        if time.monotonic() - self.heard < TRUSTED_FOR:
            return self.version
        return None

    def saw(self, version: int | None) -> None:
        if version is None:
            return
        with self.lock:
            if self.version is None or version > self.version:
                self.version = version

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join()

    def listen(self) -> None:
        """Follow the version until stopped, starting again after any error whatever: soon
        after it had followed Redis again, later after each error that follows another."""
        backoff = HEARTBEAT
        while not self.stopped.is_set():
            try:
                self.follow()  # returns once stopped
            except Exception:
                if self.heard > float("-inf"):  # Redis answered since the last error
                    backoff = HEARTBEAT
                self.heard = float("-inf")
                log.exception("page version listener failed; starting again in %.1f s", backoff)
                self.stopped.wait(backoff)
                backoff = min(backoff * 2, MOST_BACKOFF)

    def follow(self) -> None:
        import redis

        client = redis.Redis.from_url(
            self.location, socket_connect_timeout=HEARTBEAT, socket_timeout=TRUSTED_FOR
        )
        with client.pubsub() as pubsub:
            pubsub.subscribe(self.channel)
            # Subscribed first, then read: a version published in between is not missed.
            self.saw(shared_version())
            pinged = 0.0
            answered = time.monotonic()
            while not self.stopped.is_set():
                if time.monotonic() - answered > SILENT_FOR:
                    raise redis.ConnectionError(f"Redis did not answer for {SILENT_FOR} s")
                if time.monotonic() - pinged >= HEARTBEAT:
                    pubsub.ping()
                    pinged = time.monotonic()
                message = pubsub.get_message(timeout=HEARTBEAT)
                if message is None:
                    continue
                answered = time.monotonic()
                if message["type"] == "message":
                    self.saw(int(message["data"]))
                if self.version is not None:
                    self.heard = time.monotonic()


# -- Pages -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """A kept page, as the WSGI server was given it; each answer is built from it afresh."""

    status: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    etag: str
    expires_at: float

    @property
    def size(self) -> int:
        return len(self.body) + sum(len(name) + len(value) for name, value in self.headers)

    def not_modified_headers(self) -> list[tuple[str, str]]:
        first = [(n, v) for name in NOT_MODIFIED_FIRST for n, v in self.headers if n == name]
        rest = [
            (name, value)
            for name, value in self.headers
            if name not in NOT_MODIFIED_FIRST and name.lower() not in BODY_HEADERS
        ]
        return first + rest

    def matches(self, if_none_match: str) -> bool:
        """Whether If-None-Match names this page (weak comparison, as Django's own)."""
        if not (if_none_match and self.etag) or len(if_none_match) > 1000:
            return False
        etags = parse_etags(if_none_match)
        return "*" in etags or any(e.removeprefix("W/") == self.etag.removeprefix("W/")
                                   for e in etags)

    def answer(self, if_none_match: str, start_response) -> list[bytes]:
        if self.matches(if_none_match):
            start_response("304 Not Modified", self.not_modified_headers())
            return []
        start_response(self.status, list(self.headers))
        return [self.body]


@dataclass(frozen=True)
class PageRequest:
    """What the page cache reads of a request: its page's key and its validator."""

    variant: str  # which page, and which of its representations: gzip-compressed or plain
    if_none_match: str

    @functools.cached_property
    def digest(self) -> str:
        """The variant in a key's length (URLs can be longer than caches take)."""
        return hashlib.blake2b(self.variant.encode(), digest_size=16).hexdigest()

    def key(self, version: int | None, kind: str = "page") -> str | None:
        return f"pagecache:{version}:{kind}:{self.digest}" if version is not None else None

    @property
    def durable_key(self) -> str:
        return f"pagecache:{site_state().key}:{self.digest}"


def normalised_query(view, query_string: str) -> str | None:
    """The query a page is kept (and rendered) under; None when a value is invalid.

    The view's known parameters (`cache_public_page(query=Form)`), each validated by its form,
    sorted by name, empty ones dropped; every other parameter is ignored. A view that declares
    none is one page whatever its query. So the keys of a page are bounded by what its form
    accepts, and a parameter no form knows never makes another key.
    """
    form_class = getattr(view, "page_query", None)
    if form_class is None or not query_string:
        return ""
    form = form_class(QueryDict(query_string))
    if not form.is_valid():
        return None
    known = sorted((name, form.data.get(name, "")) for name in form.fields)
    return urlencode([(name, value) for name, value in known if value])


def route(path_info: str, query_string: str) -> str | None:
    """The normalised query of a public page at `path_info`; None when it is not one."""
    try:
        view = resolve(path_info).func
    except Resolver404:
        return None
    if not getattr(view, "public_page", False):
        return None
    return normalised_query(view, query_string)


def request_scheme(environ: dict) -> str:
    """The scheme as Django's request.scheme reads it (SECURE_PROXY_SSL_HEADER first)."""
    if proxy := getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        header, secure = proxy
        if (value := environ.get(header)) is not None:
            return "https" if value.split(",", 1)[0].strip() == secure else "http"
    return environ.get("wsgi.url_scheme", "http")


class WorkerPages:
    """Pages this worker served last, for one version at a time, bounded in bytes."""

    def __init__(self, capacity: int = WORKER_BYTES):
        self.capacity = capacity
        self.bytes = 0
        self.version: int | None = None
        self.pages: OrderedDict[str, Page] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, version: int, key: str) -> Page | None:
        with self.lock:
            if version != self.version:
                return None
            page = self.pages.get(key)
            if page is None:
                return None
            if time.time() >= page.expires_at:
                self.bytes -= self.pages.pop(key).size
                return None
            self.pages.move_to_end(key)
            return page

    def put(self, version: int, key: str, page: Page) -> None:
        with self.lock:
            if version != self.version:
                if self.version is not None and version < self.version:
                    return  # an answer from before the last invalidation this worker heard of
                self.version, self.pages, self.bytes = version, OrderedDict(), 0
            if (old := self.pages.pop(key, None)) is not None:
                self.bytes -= old.size
            if page.size > self.capacity:
                return
            self.pages[key] = page
            self.bytes += page.size
            while self.bytes > self.capacity:
                self.bytes -= self.pages.popitem(last=False)[1].size


class PageCache:
    """The WSGI layer in front of Django that answers anonymous visitors' cached pages."""

    def __init__(self, application: Callable):
        self.application = application
        self.memory = WorkerPages()
        self.listener: VersionListener | None = None
        self.listener_lock = threading.Lock()
        # Renders of one key on this worker wait for each other (striped: bounded memory).
        self.rebuild_locks = [threading.Lock() for _ in range(64)]
        self.route = functools.lru_cache(maxsize=ROUTES)(route)

    def __call__(self, environ: dict, start_response) -> Iterable[bytes]:
        request = self.page_request(environ)
        if request is None:
            return self.application(environ, start_response)
        version = self.version()
        page = self.lookup(version, request)
        if page is not None:
            instruments.page_cache("hit")
            return page.answer(request.if_none_match, start_response)
        return self.render_and_keep(environ, start_response, version, request)

    def page_request(self, environ: dict) -> PageRequest | None:
        """The request as a page to look up; None when it must reach Django untouched."""
        if (
            settings.PAGE_CACHE_SECONDS <= 0
            or environ.get("REQUEST_METHOD") != "GET"
            or f"{settings.SESSION_COOKIE_NAME}=" in environ.get("HTTP_COOKIE", "")
        ):
            return None
        path_info = get_path_info(environ)
        query = self.route(path_info, environ.get("QUERY_STRING", ""))
        if query is None:
            return None
        # Django renders what the key says: the same page for every spelling of its query.
        environ["QUERY_STRING"] = query
        encoding = "gzip" if GZIP.search(environ.get("HTTP_ACCEPT_ENCODING", "")) else "plain"
        host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")
        path = environ.get("SCRIPT_NAME", "") + path_info + (f"?{query}" if query else "")
        return PageRequest(
            variant=f"{encoding}:{request_scheme(environ)}://{host}{path}",
            if_none_match=environ.get("HTTP_IF_NONE_MATCH", ""),
        )

    def version(self) -> int | None:
        if self.listener is None and (location := redis_location()):
            with self.listener_lock:
                # Started here, in the worker: a thread started before gunicorn forks is not.
                if self.listener is None:
                    self.listener = VersionListener(location, cache.make_key(VERSION_KEY))
        known = self.listener.current() if self.listener else None
        return known if known is not None else shared_version()

    def lookup(self, version: int | None, request: PageRequest) -> Page | None:
        """The page kept for this version: from this worker's memory, or the shared cache.

        A key names one version, so a copy in memory is as current as the version it was
        looked up by (from the listener, or read from the shared cache for this request).
        """
        key = request.key(version)
        if key is None:
            return None
        if (page := self.memory.get(version, key)) is not None:
            return page
        page = fresh(cache.get(key))
        if page is not None:
            self.memory.put(version, key, page)
        return page

    def render_and_keep(
        self, environ: dict, start_response, version: int | None, request: PageRequest
    ) -> Iterable[bytes]:
        """Render the page, by one request of this node at a time, and keep it."""
        with self.rebuild_locks[hash(request.variant) % len(self.rebuild_locks)]:
            # Another request of this worker may have kept it while this one waited.
            page = self.lookup(version, request)
            if page is not None:
                instruments.page_cache("hit")
                return page.answer(request.if_none_match, start_response)
            claimed = self.claim(version, request)
            if not claimed and (page := self.wait_for(version, request)) is not None:
                instruments.page_cache("hit")
                return page.answer(request.if_none_match, start_response)
            try:
                page = fresh(caches["durable"].get(request.durable_key))
                if page is None:
                    page = self.render(environ)
                    if isinstance(page, Rendered):
                        return page.pass_on(start_response)
                    instruments.page_cache("miss")
                    caches["durable"].set(request.durable_key, page, timeout=seconds_left(page))
                else:
                    instruments.page_cache("hit")
                self.keep(version, request, page)
            finally:
                if claimed and version is not None:
                    cache.delete(request.key(version, "rebuild"))
        return page.answer(request.if_none_match, start_response)

    def claim(self, version: int | None, request: PageRequest) -> bool:
        """Whether this request may rebuild the page: no other worker is rebuilding it."""
        key = request.key(version, "rebuild")
        if key is None:
            return True
        with atomically():
            return cache.add(key, 1, timeout=int(REBUILD_SECONDS) + 1)

    def wait_for(self, version: int | None, request: PageRequest) -> Page | None:
        """The page another worker is rebuilding, once kept; None if it gave up or took long."""
        deadline = time.monotonic() + REBUILD_SECONDS
        while time.monotonic() < deadline:
            time.sleep(REBUILD_POLL)
            if (page := self.lookup(version, request)) is not None:
                return page
            if cache.get(request.key(version, "rebuild")) is None:
                return self.lookup(version, request)  # kept just now, or not a page after all
        return None

    def render(self, environ: dict) -> Page | Rendered:
        """Django's answer: a `Page` to keep, or what it answered when it is not one."""
        # The page is rendered whole; a conditional request is answered from it afterwards.
        environ.pop("HTTP_IF_NONE_MATCH", None)
        environ.pop("HTTP_IF_MODIFIED_SINCE", None)
        started: list = []
        result = self.application(environ, lambda *args: started.append(args))
        status, headers = started[0][:2]
        seconds = environ.get(KEEP_FOR)
        if (
            not seconds
            or not status.startswith("200 ")
            or any(name.lower() == "set-cookie" for name, _ in headers)
        ):
            return Rendered(status, headers, result)
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        etag = next((value for name, value in headers if name == "ETag"), "")
        return Page(status, tuple(headers), body, etag, time.time() + seconds)

    def keep(self, version: int | None, request: PageRequest, page: Page) -> None:
        key = request.key(version)
        left = seconds_left(page)
        if key is None or left <= 0:
            return
        cache.set(key, page, timeout=left)
        self.memory.put(version, key, page)


@dataclass(frozen=True)
class Rendered:
    """Django's answer to a page request that turned out not to be a page to keep."""

    status: str
    headers: list
    body: Iterable[bytes]

    def pass_on(self, start_response) -> Iterable[bytes]:
        start_response(self.status, self.headers)
        return self.body


def fresh(page: Page | None) -> Page | None:
    """The page while it may be kept: caches count their timeouts in whole seconds (and Redis on
    its own clock), so a page could otherwise outlive PAGE_CACHE_SECONDS by up to a second."""
    return page if page is not None and time.time() < page.expires_at else None


def seconds_left(page: Page) -> int:
    left = page.expires_at - time.time()
    return max(int(left), 1) if left > 0 else 0  # caches count whole seconds


# The WSGI environ key through which a view tells the page cache how long it may keep a page.
KEEP_FOR = "tractatus.pagecache.seconds"


def fresh_for(response) -> int:
    """Seconds any cache may keep a public page: PAGE_CACHE_SECONDS, or until its next
    scheduled change (`response.fresh_until`, set by the view) if that comes first."""
    seconds = settings.PAGE_CACHE_SECONDS
    if fresh_until := getattr(response, "fresh_until", None):
        seconds = min(seconds, max(int((fresh_until - timezone.now()).total_seconds()), 0))
    return seconds


def cache_public_page(view=None, *, query=None):
    """Marks what anonymous visitors get as a public page: shared caches may keep it.

    `query` is the form of the page's parameters (`normalised_query`); without one, the page
    is the same whatever its query string. Signed-in staff (and their previews) get
    `private, no-store`; nobody else's cache keeps it.
    """
    if view is None:
        return functools.partial(cache_public_page, query=query)

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if request.user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        else:
            seconds = fresh_for(response)
            request.environ[KEEP_FOR] = seconds
            # Browsers ask again each time (a 304 when nothing changed); a CDN may keep it for
            # as long as the page cache here does, no longer.
            patch_cache_control(response, public=True, max_age=0, s_maxage=seconds)
        return response

    wrapper.public_page = True
    wrapper.page_query = query
    return wrapper


# -- Invalidation ----------------------------------------------------------------------------


class CommitInvalidation:
    """`invalidate`, once the transaction that changed content commits."""

    def __init__(self):
        self.done = False

    def __call__(self) -> None:
        self.done = True
        invalidate()


def _on_change(using=None, **kwargs) -> None:
    """Once per transaction: a new content version, and every page invalidated on commit.

    Pages rendered before the commit from what the database held before are stale then too,
    so the one invalidation waits for it. A rolled-back savepoint's callbacks are dropped with
    it, so the next change in the transaction replaces the version again.
    """
    from .models import ContentVersion

    connection = transaction.get_connection(using)
    if any(
        isinstance(callback, CommitInvalidation) and not callback.done
        for _, callback, _ in connection.run_on_commit
    ):
        return
    ContentVersion.replace()
    transaction.on_commit(CommitInvalidation(), using=using)


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
