"""The page cache's WSGI layer: what it keeps, under which key, and what a hit answers.

Each test that keeps pages runs on the default file cache and again on a real Redis.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser, Group, User
from django.core.cache import cache, caches
from django.core.handlers.wsgi import WSGIRequest
from django.db import connections, transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import resolve

from audit.events import cursor_after
from metrics.demo import demo_payload
from metrics.ingest import ingest
from metrics.models import AuditEvent
from showcase.models import HistoricalPage, Page
from tests.factories import make_events, make_snapshot
from tests.metrics.conftest import minutes_ago
from tractatus_site import pagecache
from tractatus_site.models import ContentVersion

pytestmark = pytest.mark.django_db

AUDIT = resolve("/audit/").func
ABOUT = resolve("/about/").func


def environ(path: str, **headers: str) -> dict:
    return RequestFactory().get(path, headers=headers).environ


def wsgi_call(layer, env: dict) -> tuple[str, list, bytes]:
    """What a WSGI server sends for the request `env`: status, headers as given, body."""
    started = []
    body = layer(env, lambda *args: started.append(args))
    return started[-1][0], started[-1][1], b"".join(body)


def wsgi_get(layer, path: str, **headers: str) -> tuple[str, list, bytes]:
    return wsgi_call(layer, environ(path, **headers))


def reaches_django(client, path: str, **headers: str) -> bool:
    client.handler.rendered = []
    wsgi_get(client.handler.layer, path, **headers)
    return bool(client.handler.rendered)


# -- Keys --------------------------------------------------------------------------------------


def test_a_query_is_kept_under_its_known_parameters_sorted_and_anything_else_ignored():
    blocked = "decision=blocked&service=boundary-enforcer"
    spellings = [
        "service=boundary-enforcer&decision=blocked",
        "decision=blocked&service=boundary-enforcer&utm_source=mail",
        "decision=blocked&rule=&service=boundary-enforcer&x=1&y=2",
        "decision=allowed&decision=blocked&service=boundary-enforcer",  # the last one counts
    ]
    assert {pagecache.normalised_query(AUDIT, query) for query in spellings} == {blocked}


def test_parameters_no_form_knows_never_make_another_key():
    junk = [f"p{n}={n}" for n in range(1000)]
    assert {pagecache.normalised_query(AUDIT, query) for query in junk} == {""}
    # A page with no parameters of its own is one page whatever its query.
    assert {pagecache.normalised_query(ABOUT, query) for query in [*junk, "preview=1"]} == {""}


def test_an_invalid_value_gives_no_key():
    for query in ("decision=maybe", "since=yesterday", "cursor=forged", "tenant=<script>"):
        assert pagecache.normalised_query(AUDIT, query) is None


def test_a_filtered_page_is_answered_from_the_cache_for_every_spelling_of_its_query(
    client, shared_cache, django_assert_num_queries
):
    snapshot = make_snapshot()
    make_events(snapshot, 3)
    first = client.get("/audit/?service=boundary-enforcer&decision=blocked")
    assert first.status_code == 200
    with django_assert_num_queries(0):
        again = client.get("/audit/?decision=blocked&utm_source=mail&service=boundary-enforcer")
    assert again.content == first.content
    with django_assert_num_queries(0):
        assert client.get("/audit/?decision=blocked&service=boundary-enforcer",
                          HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_a_cursor_page_is_kept_apart_and_answered_from_the_cache(
    client, shared_cache, django_assert_num_queries
):
    events = make_events(make_snapshot(), 60)
    cursor = cursor_after(AuditEvent.objects.get(event_id=events[49].event_id))
    deeper = client.get(f"/audit/?cursor={cursor}")
    assert "evt-000050" in deeper.content.decode()
    with django_assert_num_queries(0):
        assert client.get(f"/audit/?cursor={cursor}").content == deeper.content
    assert "evt-000050" not in client.get("/audit/").content.decode()


def test_an_invalid_filter_is_answered_400_by_the_view_and_never_kept(client, shared_cache):
    for _ in range(2):
        assert reaches_django(client, "/audit/?decision=maybe")
    assert client.get("/audit/?decision=maybe").status_code == 400


def test_a_filtered_page_follows_the_page_version(client, shared_cache):
    assert "evt-000000" not in client.get("/audit/?decision=blocked").content.decode()
    snapshot = make_snapshot()  # invalidates, as an accepted snapshot does
    make_events(snapshot, 1)
    assert "evt-000000" in client.get("/audit/?decision=blocked").content.decode()


# What a proxy in front may say of the visitor's scheme, and what the WSGI server says.
FORWARDED = [None, "https", "http", "https, http", " https ,http", "http,https", "https,http,http",
             "HTTPS", "", "on"]
PROXY_HEADERS = [None, ("HTTP_X_FORWARDED_PROTO", "https"), ("HTTP_X_FORWARDED_SSL", "on")]


def test_a_page_is_kept_under_the_scheme_django_renders_it_for(settings):
    for proxy_header in PROXY_HEADERS:
        settings.SECURE_PROXY_SSL_HEADER = proxy_header
        for forwarded in FORWARDED:
            for url_scheme in ("http", "https"):
                env = environ("/about/")
                env["wsgi.url_scheme"] = url_scheme
                if forwarded is not None:
                    env["HTTP_X_FORWARDED_PROTO"] = env["HTTP_X_FORWARDED_SSL"] = forwarded
                case = (proxy_header, forwarded, url_scheme)
                assert pagecache.request_scheme(env) == WSGIRequest(env).scheme, case


def test_behind_a_proxy_a_page_for_https_visitors_is_kept_apart_from_the_plain_http_one(
    client, shared_cache, settings
):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    client.get("/about/", HTTP_X_FORWARDED_PROTO="https")
    assert not reaches_django(client, "/about/", x_forwarded_proto="https")
    assert reaches_django(client, "/about/", x_forwarded_proto="http")
    assert not reaches_django(client, "/about/", x_forwarded_proto="http")


# -- What a hit answers ------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/metrics/", "/about/", "/audit/?decision=blocked"])
@pytest.mark.parametrize("encoding", ["gzip", "identity"])
def test_a_hit_sends_exactly_what_the_miss_sent(client, shared_cache, path, encoding):
    ingest(demo_payload(minutes_ago(30)), "demo", now=minutes_ago(29))
    layer = client.handler.layer
    miss = wsgi_get(layer, path, accept_encoding=encoding)
    assert not reaches_django(client, path, accept_encoding=encoding)
    hit = wsgi_get(layer, path, accept_encoding=encoding)
    assert hit == miss
    assert miss[0] == "200 OK"
    names = [name for name, _ in miss[1]]
    for name in ("Content-Security-Policy", "ETag", "Vary", "Cache-Control"):
        assert names.count(name) == 1


def test_a_page_and_its_304_carry_todays_headers_byte_for_byte(client, shared_cache):
    """The layer's answers against Django's own for the same request.

    Uncompressed: Django's gzip adds random bytes to each response (against BREACH), so two
    renders of a compressed page never share an ETag.
    """
    layer = client.handler.layer
    django = client.handler.django
    kept = wsgi_get(layer, "/about/")
    todays = wsgi_get(django, "/about/")
    assert kept == todays
    etag = dict(kept[1])["ETag"]
    pagecache.invalidate()
    miss_304 = wsgi_get(layer, "/about/", if_none_match=etag)
    hit_304 = wsgi_get(layer, "/about/", if_none_match=etag)
    todays_304 = wsgi_get(django, "/about/", if_none_match=etag)
    assert miss_304 == hit_304
    assert miss_304[0] == todays_304[0] == "304 Not Modified"
    assert sorted(hit_304[1]) == sorted(todays_304[1])
    assert hit_304[2] == b""


def test_a_validator_names_a_page_as_djangos_weak_comparison_does():
    page = pagecache.Page("200 OK", (), b"", '"v1"', time.time() + 60)
    weak = dataclasses.replace(page, etag='W/"v1"')
    for kept in (page, weak):
        for asked in ('"v1"', 'W/"v1"', '"v0", W/"v1"', "*"):
            assert kept.matches(asked), (kept.etag, asked)
        for asked in ('"v0"', 'W/"v0"', "", "v1"):
            assert not kept.matches(asked), (kept.etag, asked)
    unvalidated = dataclasses.replace(page, etag="")
    assert not unvalidated.matches("*")  # no ETag, no 304: Django answers such a page whole


def test_a_validator_list_longer_than_a_thousand_characters_is_not_read():
    page = pagecache.Page("200 OK", (), b"", '"v1"', time.time() + 60)
    padded = '"v1", ' + " " * (1000 - 7) + '"'  # '"v1", ' ... '"': 1000 characters
    assert len(padded) == 1000 and page.matches(padded)
    assert not page.matches(padded + " ")


def test_only_a_get_is_answered_from_the_cache(client, shared_cache):
    client.get("/about/")
    assert not reaches_django(client, "/about/")
    for method in ("HEAD", "POST"):
        env = environ("/about/")
        env["REQUEST_METHOD"] = method
        client.handler.rendered = []
        status, _, _ = wsgi_call(client.handler.layer, env)
        assert client.handler.rendered, method
        assert status == ("200 OK" if method == "HEAD" else "405 Method Not Allowed"), method


def test_a_request_for_a_host_the_site_does_not_serve_is_refused_even_when_the_page_is_kept(
    client, shared_cache
):
    client.get("/about/", HTTP_HOST="testserver")  # kept, for the Host every browser sends
    assert client.get("/about/", HTTP_HOST="evil.example").status_code == 400


def counted_since(before: tuple[float, float] = (0, 0)) -> tuple[float, float]:
    """The page cache's hits and misses (its /internal/metrics counter) since `before`."""
    from prometheus_client import REGISTRY

    return tuple(
        (REGISTRY.get_sample_value("tractatus_page_cache_lookups_total", {"result": result}) or 0)
        - earlier
        for result, earlier in zip(("hit", "miss"), before, strict=True)
    )


def test_every_page_answered_is_counted_a_hit_or_a_miss(client, shared_cache):
    before = counted_since()
    client.get("/about/")  # rendered
    client.get("/about/")  # from the shared cache (or this worker's memory)
    pagecache.invalidate()
    assert not reaches_django(client, "/about/")  # from the database's cache table
    assert counted_since(before) == (2, 1)


def test_a_conditional_request_that_misses_renders_the_whole_page_and_keeps_it(
    client, shared_cache, own_durable
):
    etag = client.get("/about/")["ETag"]
    pagecache.invalidate()
    assert wsgi_get(client.handler.layer, "/about/", if_none_match=etag)[0] == "304 Not Modified"
    assert not reaches_django(client, "/about/")


def test_a_request_conditional_on_a_date_that_misses_gets_the_whole_page_which_is_kept(
    client, shared_cache, own_durable
):
    from reports.models import MonthlyReport

    MonthlyReport.objects.create(month=datetime(2026, 10, 1, tzinfo=UTC).date(), published=True,
                                 figures={"services": []}, generated_at=minutes_ago(60))
    modified = client.get("/reports/feed.xml")["Last-Modified"]
    pagecache.invalidate()
    # Kept pages answer If-None-Match only, so the page is rendered whole for this request too.
    status, _, body = wsgi_get(client.handler.layer, "/reports/feed.xml",
                               if_modified_since=modified)
    assert status == "200 OK" and b"<feed" in body
    assert not reaches_django(client, "/reports/feed.xml")


@pytest.fixture
def own_durable(settings):
    """No database cache table: threads' writes to it would outlive the test's transaction."""
    settings.CACHES = {
        **settings.CACHES,
        "durable": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
    }


class SlowPage:
    """A WSGI app standing for Django: a public page that takes a while to render."""

    def __init__(self, seconds: float = 0.05):
        self.seconds = seconds
        self.renders = 0
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        with self.lock:
            self.renders += 1
        time.sleep(self.seconds)
        environ[pagecache.KEEP_FOR] = 60
        start_response("200 OK", [("Content-Type", "text/html"), ("ETag", '"p"')])
        return [b"<p>the page</p>"]


def at_once(count: int, work) -> list:
    """`work(n)` in `count` threads released together; their results."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def run(n):
        try:
            barrier.wait()
            results[n] = work(n)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


class Answer:
    """A WSGI app standing for Django: answers a public page as given, in chunks."""

    def __init__(self, status="200 OK", headers=(), chunks=(b"<p>the ", b"page</p>")):
        self.status, self.headers, self.chunks = status, list(headers), chunks
        self.renders = 0
        self.closed = 0

    def __call__(self, environ, start_response):
        self.renders += 1
        environ[pagecache.KEEP_FOR] = 60
        start_response(self.status, list(self.headers))
        answer = self

        class Body(list):
            def close(self):  # what a WSGI server calls once it has sent the body (PEP 3333)
                answer.closed += 1

        return Body(self.chunks)


def test_a_page_sent_in_chunks_is_kept_whole_and_its_answer_closed(shared_cache, own_durable):
    app = Answer()
    layer = pagecache.PageCache(app)
    assert wsgi_get(layer, "/about/")[2] == b"<p>the page</p>"
    assert wsgi_get(layer, "/about/")[2] == b"<p>the page</p>"
    assert (app.renders, app.closed) == (1, 1)


def test_a_page_that_sets_a_cookie_is_never_kept(shared_cache, own_durable):
    app = Answer(headers=[("Content-Type", "text/html"), ("Set-Cookie", "csrftoken=abc; Path=/")])
    layer = pagecache.PageCache(app)
    for _ in range(2):
        assert ("Set-Cookie", "csrftoken=abc; Path=/") in wsgi_get(layer, "/about/")[1]
    assert app.renders == 2


def test_a_page_without_an_etag_is_kept_and_always_answered_whole(shared_cache, own_durable):
    app = Answer(headers=[("Content-Type", "text/html")])
    layer = pagecache.PageCache(app)
    for if_none_match in ("", "*", '""'):
        assert wsgi_get(layer, "/about/", if_none_match=if_none_match)[0] == "200 OK"
    assert app.renders == 1


def test_each_answer_is_built_afresh_from_an_immutable_page(shared_cache, own_durable):
    layer = pagecache.PageCache(SlowPage(0))
    wsgi_get(layer, "/about/")

    def answer_and_tamper(n):
        seen = []
        for _ in range(20):
            headers = []

            def start_response(status, given, headers=headers):
                headers.extend(given)
                given.append(("X-Leak", str(n)))  # as a middleware adding a header would

            body = layer(environ("/about/"), start_response)
            seen.append((headers, b"".join(body)))
        return seen

    answers = [answer for seen in at_once(16, answer_and_tamper) for answer in seen]
    assert {(tuple(headers), body) for headers, body in answers} == {
        ((("Content-Type", "text/html"), ("ETag", '"p"')), b"<p>the page</p>")
    }
    page = layer.lookup(layer.version(), layer.page_request(environ("/about/")))
    with pytest.raises(dataclasses.FrozenInstanceError):
        page.body = b"changed"


def test_after_an_invalidation_32_concurrent_requests_render_a_page_once(shared_cache, own_durable):
    app = SlowPage()
    layer = pagecache.PageCache(app)
    wsgi_get(layer, "/about/")
    pagecache.invalidate()
    answers = at_once(32, lambda n: wsgi_get(layer, "/about/"))
    assert app.renders == 2  # the first request, and one after the invalidation
    assert {status for status, _, _ in answers} == {"200 OK"}


def test_a_request_that_waited_for_its_workers_render_is_answered_from_it_as_a_hit(
    shared_cache, own_durable
):
    app = SlowPage(seconds=0.3)
    layer = pagecache.PageCache(app)
    pagecache.invalidate()  # a page version, as after an ingest
    before = counted_since()
    answers = at_once(2, lambda n: wsgi_get(layer, "/about/", if_none_match='"p"')[0])
    assert app.renders == 1
    assert answers == ["304 Not Modified"] * 2  # the waiting one's validator still counts
    assert counted_since(before) == (1, 1)


def test_a_kept_page_is_answered_while_its_worker_rebuilds_pages(shared_cache, own_durable):
    app = SlowPage(0)
    layer = pagecache.PageCache(app)
    pagecache.invalidate()
    wsgi_get(layer, "/about/")  # kept
    answered = []
    for lock in layer.rebuild_locks:  # every render of this worker in progress
        lock.acquire()
    try:
        hit = threading.Thread(target=lambda: answered.append(wsgi_get(layer, "/about/")[0]))
        hit.start()
        hit.join(timeout=5)
        waited = hit.is_alive()
    finally:
        for lock in layer.rebuild_locks:
            lock.release()
    hit.join()
    assert not waited
    assert answered == ["200 OK"] and app.renders == 1


def test_a_request_as_a_wsgi_server_sends_it_without_cookies_or_query_is_kept(
    shared_cache, own_durable
):
    app = SlowPage(0)
    layer = pagecache.PageCache(app)
    pagecache.invalidate()
    bare = {"REQUEST_METHOD": "GET", "PATH_INFO": "/about/", "SERVER_NAME": "testserver",
            "SERVER_PORT": "80", "wsgi.url_scheme": "http"}  # PEP 3333: no Cookie, no query
    assert [wsgi_call(layer, dict(bare))[0] for _ in range(2)] == ["200 OK"] * 2
    assert app.renders == 1


def test_two_workers_of_a_node_render_a_page_once_between_them(shared_cache, own_durable):
    app = SlowPage()
    workers = [pagecache.PageCache(app), pagecache.PageCache(app)]
    wsgi_get(workers[0], "/about/")
    pagecache.invalidate()
    answers = at_once(32, lambda n: wsgi_get(workers[n % 2], "/about/"))
    assert app.renders == 2
    assert {body for _, _, body in answers} == {b"<p>the page</p>"}


def test_a_worker_renders_two_different_pages_at_once(shared_cache, own_durable):
    both = threading.Barrier(2, timeout=5)

    class Together(SlowPage):
        def __call__(self, environ, start_response):
            both.wait()  # each page's render goes on once the other's has begun
            return super().__call__(environ, start_response)

    layer = pagecache.PageCache(Together(0))
    by_stripe = {}  # two pages whose renders do not share a lock (they are striped)
    for path in ("/about/", "/", "/metrics/", "/enforcement/", "/audit/", "/api/"):
        variant = layer.page_request(environ(path)).variant
        by_stripe.setdefault(hash(variant) % len(layer.rebuild_locks), path)
    paths = list(by_stripe.values())[:2]
    answers = at_once(2, lambda n: wsgi_get(layer, paths[n]))
    assert [answer and answer[0] for answer in answers] == ["200 OK", "200 OK"]


@pytest.mark.parametrize(("validator", "answer"), [
    ("", ("200 OK", [("ETag", '"kept"')], b"<p>kept</p>")),
    ('"kept"', ("304 Not Modified", [("ETag", '"kept"')], b"")),
])
def test_a_request_waiting_for_another_workers_rebuild_answers_the_page_once_it_is_kept(
    shared_cache, own_durable, validator, answer
):
    app = SlowPage(0)
    layer, other = pagecache.PageCache(app), pagecache.PageCache(SlowPage(0))
    request = other.page_request(environ("/about/"))
    version = other.version()
    assert other.claim(version, request)  # the other worker is rebuilding the page
    page = pagecache.Page("200 OK", (("ETag", '"kept"'),), b"<p>kept</p>", '"kept"',
                          time.time() + 60)
    keeping = threading.Timer(0.1, other.keep, (version, request, page))
    keeping.start()  # it keeps the page, and has not yet let go of its claim
    before = counted_since()
    assert wsgi_get(layer, "/about/", if_none_match=validator) == answer
    keeping.join()
    assert app.renders == 0
    assert counted_since(before) == (1, 0)


def test_a_request_whose_wait_ends_without_a_page_renders_it_itself(shared_cache, own_durable):
    app = SlowPage(0)
    layer, other = pagecache.PageCache(app), pagecache.PageCache(SlowPage(0))
    request = other.page_request(environ("/about/"))
    version = other.version()
    assert other.claim(version, request)
    # The other worker's answer was not a page to keep: it lets go, keeping nothing.
    letting_go = threading.Timer(0.1, cache.delete, (request.key(version, "rebuild"),))
    letting_go.start()
    assert wsgi_get(layer, "/about/")[2] == b"<p>the page</p>"
    letting_go.join()
    assert app.renders == 1


def test_a_page_kept_just_as_its_rebuild_is_let_go_is_answered_not_rendered_again(
    shared_cache, own_durable
):
    app = SlowPage(0)
    layer, other = pagecache.PageCache(app), pagecache.PageCache(SlowPage(0))
    request = other.page_request(environ("/about/"))
    version = other.version()
    assert other.claim(version, request)
    page = pagecache.Page("200 OK", (("ETag", '"kept"'),), b"<p>kept</p>", '"kept"',
                          time.time() + 60)
    looked_up = []

    def lookup(version, request, lookup=layer.lookup):
        found = lookup(version, request)
        looked_up.append(found)
        if len(looked_up) == 3:  # the waiting request's first look: just after it, the other
            other.keep(version, request, page)  # worker keeps the page and lets go
            cache.delete(request.key(version, "rebuild"))
        return found

    layer.lookup = lookup
    assert wsgi_get(layer, "/about/")[2] == b"<p>kept</p>"
    assert app.renders == 0


def test_a_worker_lets_go_of_its_claim_once_the_page_is_kept(shared_cache, own_durable):
    layer = pagecache.PageCache(SlowPage(0))
    wsgi_get(layer, "/about/")
    request = layer.page_request(environ("/about/"))
    assert cache.get(request.key(layer.version(), "rebuild")) is None


def test_a_worker_that_gave_up_waiting_leaves_the_other_workers_claim_alone(
    shared_cache, own_durable, monkeypatch
):
    monkeypatch.setattr(pagecache, "REBUILD_SECONDS", 0.2)
    app = SlowPage(0)
    layer = pagecache.PageCache(app)
    request = layer.page_request(environ("/about/"))
    version = layer.version()
    cache.add(request.key(version, "rebuild"), 1, timeout=30)  # its claim: a long render
    assert wsgi_get(layer, "/about/")[2] == b"<p>the page</p>"
    assert app.renders == 1
    assert cache.get(request.key(version, "rebuild")) is not None  # still the other's


def test_a_claim_on_a_rebuild_lapses_a_second_after_others_stop_waiting_for_it(time_machine):
    # On the file cache, which expires entries by this clock.
    time_machine.move_to(datetime(2026, 11, 29, 12, tzinfo=UTC), tick=False)
    layer = pagecache.PageCache(SlowPage(0))
    request = layer.page_request(environ("/about/"))
    version = layer.version()
    assert layer.claim(version, request)
    time_machine.shift(pagecache.REBUILD_SECONDS + 0.5)
    assert not layer.claim(version, request)  # a worker that died rendering holds it still
    time_machine.shift(1)
    assert layer.claim(version, request)  # but not for long


def test_a_worker_remembers_a_bounded_number_of_routes(shared_cache):
    layer = pagecache.PageCache(SlowPage(0))
    for n in range(pagecache.ROUTES + 10):
        layer.page_request(environ(f"/audit/?utm_source={n}"))
    assert layer.route.cache_info().currsize == pagecache.ROUTES


def test_a_public_page_that_is_not_found_is_passed_on_as_django_answered_and_never_kept(
    client, shared_cache
):
    missing = "/audit/events/evt-none/"
    passed_on = wsgi_get(client.handler.layer, missing)
    assert passed_on[0] == "404 Not Found"
    assert passed_on == wsgi_get(client.handler.django, missing)
    assert reaches_django(client, missing)


def test_a_page_that_is_not_public_reaches_django_with_its_query_as_sent(client):
    assert client.get("/admin/login/?next=/admin/")["Location"] == "/account/login/?next=/admin/"


def test_a_workers_memory_is_bounded_in_bytes():
    memory = pagecache.WorkerPages(capacity=1_000_000)
    for n in range(100):
        page = pagecache.Page("200 OK", (), bytes(100_000), f'"{n}"', time.time() + 60)
        memory.put(1, f"page-{n}", page)
        assert memory.bytes <= 1_000_000
    assert memory.get(1, "page-99") is not None
    assert memory.get(1, "page-0") is None
    memory.put(2, "page-new", page)  # a new version: the old one's pages are dropped at once
    assert memory.bytes == page.size



def test_a_page_that_fills_a_workers_memory_exactly_is_kept():
    page = pagecache.Page("200 OK", (("ETag", '"p"'),), bytes(1000), '"p"', time.time() + 60)
    memory = pagecache.WorkerPages(capacity=page.size)
    memory.put(1, "page", page)
    assert memory.get(1, "page") is page
    assert memory.bytes == page.size
    memory.put(1, "bigger", dataclasses.replace(page, body=bytes(1001)))
    assert memory.get(1, "bigger") is None  # larger than the whole memory: not kept
    assert memory.get(1, "page") is page


def test_a_full_memory_lets_its_least_recently_used_pages_go_and_counts_what_it_holds():
    page = pagecache.Page("200 OK", (), bytes(1000), "", time.time() + 60)
    memory = pagecache.WorkerPages(capacity=int(2.5 * page.size))
    for key in ("first", "second", "third"):
        memory.put(1, key, page)
    assert memory.get(1, "first") is None
    assert memory.bytes == 2 * page.size == sum(kept.size for kept in memory.pages.values())
    memory.get(1, "second")  # used: now the third is the least recently used
    memory.put(1, "fourth", page)
    assert [memory.get(1, key) is page for key in ("second", "third", "fourth")] == [
        True, False, True
    ]


def test_a_page_rendered_before_the_last_invalidation_a_worker_heard_of_is_not_kept():
    page = pagecache.Page("200 OK", (), b"new", "", time.time() + 60)
    memory = pagecache.WorkerPages()
    memory.put(2, "page", page)
    memory.put(1, "page", dataclasses.replace(page, body=b"old"))  # a slow render of version 1
    assert memory.get(2, "page") is page
    assert memory.get(1, "page") is None


def test_a_page_kept_again_is_counted_once_and_an_expired_one_leaves_the_memory(time_machine):
    time_machine.move_to(datetime(2026, 11, 29, 12, tzinfo=UTC), tick=False)
    page = pagecache.Page("200 OK", (), bytes(1000), "", time.time() + 60)
    memory = pagecache.WorkerPages()
    memory.put(1, "page", page)
    memory.put(1, "page", page)
    other = pagecache.Page("200 OK", (), bytes(500), "", time.time() + 10)
    memory.put(1, "other", other)
    assert memory.bytes == page.size + other.size
    time_machine.shift(10)  # "other" expires now; "page" has 50 s left
    assert memory.get(1, "other") is None
    assert memory.bytes == page.size
    assert memory.get(1, "page") is page


def test_a_page_is_kept_for_the_whole_seconds_it_has_left_at_least_one(time_machine):
    time_machine.move_to(datetime(2026, 11, 29, 12, tzinfo=UTC), tick=False)
    now = time.time()

    def expiring_in(seconds: float) -> pagecache.Page:
        return pagecache.Page("200 OK", (), b"", "", now + seconds)

    assert [pagecache.seconds_left(expiring_in(s)) for s in (60.0, 59.9, 1.5, 0.25)] == [
        60, 59, 1, 1
    ]
    assert [pagecache.seconds_left(expiring_in(s)) for s in (0.0, -0.25, -30.0)] == [0, 0, 0]
    assert pagecache.fresh(expiring_in(0.25)) is not None
    assert pagecache.fresh(expiring_in(0.0)) is None
    assert pagecache.fresh(None) is None


def test_neither_cache_holds_a_page_past_the_time_it_may_be_served(
    client, settings, time_machine
):
    # On the file cache and the database's cache table, which expire entries by this clock.
    settings.PAGE_CACHE_SECONDS = 60
    time_machine.move_to(datetime(2026, 11, 29, 12, tzinfo=UTC), tick=False)
    layer = client.handler.layer
    client.get("/about/")
    request = layer.page_request(environ("/about/"))
    key, durable = request.key(layer.version()), request.durable_key
    assert cache.get(key) is not None and caches["durable"].get(durable) is not None
    time_machine.shift(61)  # caches count whole seconds, and drop an entry once past them
    assert cache.get(key) is None and caches["durable"].get(durable) is None


def test_a_page_a_worker_rendered_is_answered_from_its_own_memory_next_time(
    shared_cache, own_durable
):
    app = SlowPage(0)
    layer = pagecache.PageCache(app)
    wsgi_get(layer, "/about/")
    request = layer.page_request(environ("/about/"))
    cache.delete(request.key(layer.version()))  # the shared cache lost it meanwhile
    assert wsgi_get(layer, "/about/")[2] == b"<p>the page</p>"
    assert app.renders == 1


def test_a_page_another_worker_kept_is_then_answered_from_this_workers_memory(
    shared_cache, own_durable
):
    app = SlowPage(0)
    kept_it, this = pagecache.PageCache(app), pagecache.PageCache(app)
    wsgi_get(kept_it, "/about/")
    wsgi_get(this, "/about/")  # from the shared cache
    request = this.page_request(environ("/about/"))
    cache.delete(request.key(this.version()))  # the shared cache lost it meanwhile
    assert wsgi_get(this, "/about/")[2] == b"<p>the page</p>"
    assert app.renders == 1


def test_without_a_shared_cache_no_request_waits_for_another_to_render(
    settings, own_durable, monkeypatch
):
    settings.CACHES = {**settings.CACHES,
                       "default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    waits = []
    monkeypatch.setattr(pagecache.time, "sleep", waits.append)
    app = Answer()
    assert wsgi_get(pagecache.PageCache(app), "/about/")[2] == b"<p>the page</p>"
    assert (app.renders, waits) == (1, [])


def test_a_page_with_a_second_left_is_still_kept(shared_cache, own_durable):
    layer = pagecache.PageCache(SlowPage(0))
    request = layer.page_request(environ("/about/"))
    version = layer.version()
    page = pagecache.Page("200 OK", (), b"<p>kept</p>", "", time.time() + 1.5)
    layer.keep(version, request, page)
    assert pagecache.PageCache(SlowPage(0)).lookup(version, request) == page  # shared cache


def test_with_page_cache_seconds_zero_the_layer_passes_every_request_on_untouched(settings):
    seen = []

    def django(environ, start_response):
        seen.append(environ["QUERY_STRING"])
        start_response("200 OK", [])
        return [b""]

    layer = pagecache.PageCache(django)
    for seconds in (0, 1):
        settings.PAGE_CACHE_SECONDS = seconds
        wsgi_get(layer, "/audit/?utm_source=mail&decision=blocked")
    # At 1 s the layer reads the page's query as the key says; at 0 it never touches it.
    assert seen == ["utm_source=mail&decision=blocked", "decision=blocked"]


# -- The page version --------------------------------------------------------------------------


def test_a_version_token_left_by_an_older_release_is_replaced_by_a_counter(shared_cache):
    cache.set(pagecache.VERSION_KEY, "an-older-release-token", timeout=None)
    before = pagecache.shared_version()
    assert isinstance(before, int)
    pagecache.invalidate()
    assert pagecache.shared_version() > before


def test_a_page_version_starts_at_the_clock_in_microseconds_and_never_expires(time_machine):
    # On the file cache, whose entries otherwise expire after its default timeout.
    start = datetime(2026, 11, 29, 12, tzinfo=UTC)
    time_machine.move_to(start, tick=False)
    assert pagecache.shared_version() == int(start.timestamp()) * 1_000_000
    time_machine.move_to(start + timedelta(days=1), tick=False)
    assert pagecache.shared_version() == int(start.timestamp()) * 1_000_000
    pagecache.invalidate()
    time_machine.move_to(start + timedelta(days=30), tick=False)
    assert pagecache.shared_version() == int(start.timestamp()) * 1_000_000 + 1


def test_on_a_cache_other_than_redis_an_invalidation_publishes_nothing_and_logs_nothing(caplog):
    pagecache.invalidate()
    pagecache.invalidate()
    assert not [record for record in caplog.records if record.name == pagecache.log.name]


def test_the_version_only_rises_however_two_nodes_messages_arrive(own_redis):
    listener = pagecache.VersionListener(own_redis.url, "unused-channel")
    listener.saw(10)
    listener.saw(9)  # the other node's, published first but delivered last
    assert listener.version == 10


@pytest.mark.parametrize("cache_kind", ["file", "redis"])
def test_two_nodes_invalidating_at_once_each_count(cache_kind, request, settings):
    if cache_kind == "redis":
        from tests.conftest import redis_cache

        redis_cache(settings, request.getfixturevalue("redis").url)
    start = pagecache.shared_version()
    at_once(8, lambda n: [pagecache.invalidate() for _ in range(10)])
    assert pagecache.shared_version() == start + 80
    pagecache.stop_listeners()


def test_listeners_end_on_the_caches_version_after_two_nodes_invalidate_at_once(own_redis):
    from tests.site.test_page_version import until

    listeners = [
        pagecache.VersionListener(own_redis.url, cache.make_key(pagecache.VERSION_KEY))
        for _ in range(2)
    ]
    assert until(lambda: all(listener.current() for listener in listeners))
    at_once(2, lambda n: pagecache.invalidate())
    final = pagecache.shared_version()
    assert until(lambda: [listener.current() for listener in listeners] == [final] * 2)


def test_a_listener_runs_in_a_daemon_thread_named_for_what_it_does(own_redis):
    listener = pagecache.VersionListener(own_redis.url, cache.make_key(pagecache.VERSION_KEY))
    # It never keeps a worker from exiting, and a thread dump (py-spy) says what it is.
    assert (listener.thread.daemon, listener.thread.name) == (True, "page-version")


def test_a_listener_keeps_one_connection_while_redis_stays_quiet(own_redis, monkeypatch):
    import redis

    from tests.site.test_page_version import until

    monkeypatch.setattr(pagecache, "HEARTBEAT", 0.05)
    listener = pagecache.VersionListener(own_redis.url, cache.make_key(pagecache.VERSION_KEY))
    assert until(lambda: listener.current() is not None)
    stats = redis.Redis.from_url(own_redis.url)

    def connections_made() -> int:
        return stats.info("stats")["total_connections_received"]

    before = connections_made()
    time.sleep(25 * pagecache.HEARTBEAT)  # heartbeats with nothing published in between
    assert connections_made() == before
    assert listener.current() is not None


def test_a_listener_that_keeps_failing_waits_longer_each_time_up_to_a_limit(
    own_redis, monkeypatch, caplog
):
    from tests.site.test_page_version import until

    monkeypatch.setattr(pagecache, "HEARTBEAT", 0.01)
    monkeypatch.setattr(pagecache, "MOST_BACKOFF", 0.04)

    def fails(self):
        raise RuntimeError("Redis refuses")

    monkeypatch.setattr(pagecache.VersionListener, "follow", fails)
    pagecache.VersionListener(own_redis.url, cache.make_key(pagecache.VERSION_KEY))

    def failures():
        return [r for r in caplog.records if r.name == pagecache.log.name]

    assert until(lambda: len(failures()) >= 5)
    pagecache.stop_listeners()
    assert [record.args for record in failures()[:5]] == [
        (0.01,), (0.02,), (0.04,), (0.04,), (0.04,)
    ]
    assert failures()[0].getMessage() == "page version listener failed; starting again in 0.0 s"
    assert failures()[0].levelname == "ERROR" and "Redis refuses" in caplog.text


def test_a_listener_that_followed_redis_again_starts_again_soon_after_its_next_error(
    own_redis, monkeypatch, caplog
):
    from tests.site.test_page_version import until

    monkeypatch.setattr(pagecache, "HEARTBEAT", 0.01)
    monkeypatch.setattr(pagecache, "MOST_BACKOFF", 0.04)
    followed = []

    def fails_then_follows_a_while_then_fails(self):
        followed.append(1)
        if len(followed) == 4:  # it subscribed and heard Redis for a while
            self.heard = time.monotonic()
        raise RuntimeError("Redis restarted")

    monkeypatch.setattr(pagecache.VersionListener, "follow", fails_then_follows_a_while_then_fails)
    pagecache.VersionListener(own_redis.url, cache.make_key(pagecache.VERSION_KEY))

    def waits():
        return [r.args for r in caplog.records if r.name == pagecache.log.name]

    assert until(lambda: len(waits()) >= 6)
    pagecache.stop_listeners()
    assert waits()[:6] == [(0.01,), (0.02,), (0.04,), (0.01,), (0.02,), (0.04,)]


def test_a_listener_that_meets_an_unexpected_error_logs_it_and_starts_again(
    own_redis, monkeypatch, caplog
):
    from tests.site.test_page_version import until

    follow = pagecache.VersionListener.follow
    failures = []

    def fails_once(self):
        if not failures:
            failures.append(1)
            raise RuntimeError("a bug the listener did not expect")
        follow(self)

    monkeypatch.setattr(pagecache.VersionListener, "follow", fails_once)
    listener = pagecache.VersionListener(own_redis.url, cache.make_key(pagecache.VERSION_KEY))
    assert until(lambda: listener.current() is not None, 5)
    assert listener.thread.is_alive()
    assert "a bug the listener did not expect" in caplog.text


# -- Which views are public pages --------------------------------------------------------------


def anonymous_get(path: str = "/page/"):
    request = RequestFactory().get(path)
    request.user = AnonymousUser()
    return request


def test_a_public_page_may_be_kept_by_shared_caches_and_the_page_cache_for_page_cache_seconds(
    settings,
):
    settings.PAGE_CACHE_SECONDS = 42

    def view(request, *args, **kwargs):
        """The page."""
        return HttpResponse(f"{args} {kwargs}")

    page = pagecache.cache_public_page(view)
    request = anonymous_get()
    response = page(request, "a", n=1)
    assert response.content == b"('a',) {'n': 1}"
    assert response["Cache-Control"] == "public, max-age=0, s-maxage=42"
    assert request.environ[pagecache.KEEP_FOR] == 42
    assert (page.public_page, page.page_query) == (True, None)
    assert (page.__name__, page.__doc__, page.__wrapped__) == ("view", "The page.", view)


def test_a_public_page_with_parameters_is_kept_under_its_form(settings):
    from audit.events import EventFilters

    page = pagecache.cache_public_page(query=EventFilters)(lambda request: HttpResponse("ok"))
    assert (page.public_page, page.page_query) == (True, EventFilters)
    request = anonymous_get()
    assert page(request)["Cache-Control"] == (
        f"public, max-age=0, s-maxage={settings.PAGE_CACHE_SECONDS}"
    )


def test_what_a_signed_in_editor_sees_of_a_public_page_is_never_kept(django_user_model):
    page = pagecache.cache_public_page(lambda request: HttpResponse("a preview"))
    request = RequestFactory().get("/page/")
    request.user = django_user_model(username="editor")
    assert page(request)["Cache-Control"] == "private, no-store"
    assert pagecache.KEEP_FOR not in request.environ


def test_a_public_page_is_kept_no_longer_than_its_next_scheduled_change(settings, time_machine):
    settings.PAGE_CACHE_SECONDS = 60
    time_machine.move_to(datetime(2026, 11, 29, 12, tzinfo=UTC), tick=False)
    now = datetime(2026, 11, 29, 12, tzinfo=UTC)

    def changing_at(when):
        def view(request):
            response = HttpResponse("ok")
            response.fresh_until = when
            return response

        return pagecache.cache_public_page(view)

    for when, seconds in [
        (now + timedelta(seconds=20.9), 20), (now + timedelta(minutes=5), 60),
        (now + timedelta(seconds=60), 60), (now - timedelta(seconds=5), 0), (None, 60),
    ]:
        request = anonymous_get()
        response = changing_at(when)(request)
        assert request.environ[pagecache.KEEP_FOR] == seconds, when
        assert response["Cache-Control"] == f"public, max-age=0, s-maxage={seconds}", when


# -- Invalidation ------------------------------------------------------------------------------


def test_restoring_a_page_replaces_the_version_once_and_invalidates_once(
    staff_client, monkeypatch, django_capture_on_commit_callbacks
):
    about = Page.objects.get(slug="about")
    about.title = "About, edited"
    with django_capture_on_commit_callbacks(execute=True):
        about.save()
    replaced, invalidated = [], []
    replace = ContentVersion.replace.__func__
    monkeypatch.setattr(ContentVersion, "replace",
                        classmethod(lambda cls: replaced.append(1) or replace(cls)))
    monkeypatch.setattr(pagecache, "invalidate", lambda: invalidated.append(1))
    response = staff_client.post(f"/admin/showcase/page/{about.pk}/restore-previous/")
    assert response.status_code == 302
    assert Page.objects.get(pk=about.pk).title != "About, edited"
    assert (len(replaced), len(invalidated)) == (1, 1)



@pytest.fixture
def groups_invalidate():
    """Groups invalidate pages for this test only."""
    yield
    post_save.disconnect(sender=Group, dispatch_uid="pagecache-save-auth.Group")
    post_delete.disconnect(sender=Group, dispatch_uid="pagecache-delete-auth.Group")


def test_saving_or_deleting_what_pages_show_invalidates_every_page(
    shared_cache, groups_invalidate, django_capture_on_commit_callbacks
):
    # Revision-history models are skipped (their rows are saved with what they record);
    # the models named after one are not.
    pagecache.invalidate_on_change(HistoricalPage, Group)
    version, token = pagecache.shared_version(), ContentVersion.objects.get().token
    with django_capture_on_commit_callbacks(execute=True):
        group = Group.objects.create(name="editors")
    assert pagecache.shared_version() == version + 1
    assert ContentVersion.objects.get().token != token
    with django_capture_on_commit_callbacks(execute=True):
        group.delete()
    assert pagecache.shared_version() == version + 2
    # What no page shows (a staff account) invalidates nothing, saved or deleted.
    with django_capture_on_commit_callbacks(execute=True):
        User.objects.create(username="someone").delete()
    assert pagecache.shared_version() == version + 2


def test_a_change_made_after_other_work_awaiting_the_commit_still_invalidates(
    shared_cache, django_capture_on_commit_callbacks
):
    about = Page.objects.get(slug="about")
    version = pagecache.shared_version()
    with django_capture_on_commit_callbacks(execute=True):
        transaction.on_commit(lambda: None)  # as the transparency log's checkpoint waits
        about.title = "About, edited"
        about.save()
    assert pagecache.shared_version() == version + 1


# -- Renders with no cache at all --------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/metrics/", "/audit/"])
def test_a_page_rendered_with_no_cache_at_all_runs_at_most_ten_queries(
    client, settings, path, django_assert_max_num_queries
):
    dummy = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    settings.CACHES = {"default": dummy, "durable": dummy}
    settings.PAGE_CACHE_SECONDS = 0
    ingest(demo_payload(minutes_ago(30)), "demo", now=minutes_ago(29))
    with django_assert_max_num_queries(10):
        assert client.get(path).status_code == 200
