"""On Redis, workers follow the page version by pub/sub: no round trip for a cached page."""

from __future__ import annotations

import time

import pytest
import redis

from showcase.models import SiteSettings
from tractatus_site import pagecache

pytestmark = pytest.mark.django_db


def until(condition, seconds: float = 3.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def commands(server) -> int:
    info = redis.Redis(port=server.port).info("stats")
    return info["total_commands_processed"]


def listener(server) -> pagecache.VersionListener:
    from django.core.cache import cache

    return pagecache.VersionListener(server.url, cache.make_key(pagecache.VERSION_KEY))


def test_a_listener_follows_a_version_published_elsewhere(own_redis):
    from django.core.cache import cache

    following = listener(own_redis)
    assert until(lambda: following.current() is not None)
    higher = following.current() + 1
    elsewhere = redis.Redis(port=own_redis.port)  # another node, as it were
    elsewhere.publish(cache.make_key(pagecache.VERSION_KEY), str(higher))
    assert until(lambda: following.current() == higher, 1.0)


def test_a_listener_is_not_trusted_once_redis_stops_answering(own_redis):
    following = listener(own_redis)
    assert until(lambda: following.current() is not None)
    own_redis.stop()
    assert until(lambda: following.current() is None, pagecache.TRUSTED_FOR + 1)


def test_with_a_listener_a_cached_page_and_its_304_cost_no_round_trip(client, own_redis):
    first = client.get("/about/")
    # Copies: the worker's memory hands out one response object, so `first` is what it serves.
    page, etag = first.content, first["ETag"]
    assert b"<h1" in page
    assert until(lambda: pagecache.LISTENERS and pagecache.LISTENERS[0].current())
    client.get("/about/")  # now in the worker's own memory
    before = commands(own_redis)
    for _ in range(20):
        again = client.get("/about/")
        assert (again.status_code, again.content, again["ETag"]) == (200, page, etag)
        assert client.get("/about/", HTTP_IF_NONE_MATCH=etag).status_code == 304
    # Only the listener's pings (one every HEARTBEAT) reached Redis, not forty requests.
    assert commands(own_redis) - before < 10


def test_with_a_listener_an_edit_reaches_the_next_visitor_at_once(
    client, own_redis, django_capture_on_commit_callbacks
):
    client.get("/")
    assert until(lambda: pagecache.LISTENERS and pagecache.LISTENERS[0].current())
    client.get("/")
    site = SiteSettings.load()
    site.banner_text = "Saved a moment ago."
    with django_capture_on_commit_callbacks(execute=True):  # committed
        site.save()
    assert "Saved a moment ago." in client.get("/").content.decode()
