"""On Redis, workers follow the page version by pub/sub: no round trip for a cached page."""

from __future__ import annotations

import contextlib
import socket
import threading
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


def test_an_invalidation_reaches_this_processs_listener_before_redis_relays_it(own_redis):
    here = listener(own_redis)
    assert until(lambda: here.current() is not None)
    pagecache.invalidate()
    assert here.current() == pagecache.shared_version()


def test_an_invalidation_reaches_the_listeners_of_other_processes_through_redis(
    own_redis, caplog
):
    elsewhere = listener(own_redis)
    pagecache.LISTENERS.remove(elsewhere)  # another process's worker: it hears Redis alone
    try:
        assert until(lambda: elsewhere.current() is not None)
        pagecache.invalidate()
        assert until(lambda: elsewhere.current() == pagecache.shared_version(), 1.0)
    finally:
        elsewhere.stop()
    assert not [record for record in caplog.records if record.name == pagecache.log.name]


def test_a_version_started_anew_after_redis_lost_it_reaches_every_listener(own_redis):
    from django.core.cache import cache

    following = listener(own_redis)
    assert until(lambda: following.current() is not None)
    cache.delete(pagecache.VERSION_KEY)  # Redis restarted empty, say
    started = pagecache.shared_version()
    assert until(lambda: following.current() == started, 1.0)


def test_a_version_redis_did_not_relay_is_logged_with_why(own_redis, monkeypatch, caplog):
    def refuses(self, channel, message):
        raise redis.ConnectionError("Redis went away")

    pagecache.shared_version()  # started (and published) before Redis stops relaying
    monkeypatch.setattr(redis.Redis, "publish", refuses)
    pagecache.invalidate()
    [record] = [record for record in caplog.records if record.name == pagecache.log.name]
    assert (record.levelname, record.getMessage()) == (
        "WARNING", f"page version {pagecache.shared_version()} not published"
    )
    assert "Redis went away" in caplog.text


def test_a_workers_listener_hears_the_versions_other_processes_publish(own_redis):
    from django.core.cache import cache

    layer = pagecache.PageCache(lambda environ, start_response: [])
    assert until(lambda: layer.version() is not None and layer.listener.current() is not None)
    higher = layer.listener.current() + 1
    redis.Redis(port=own_redis.port).publish(cache.make_key(pagecache.VERSION_KEY), str(higher))
    assert until(lambda: layer.version() == higher, 1.0)


class SilentRelay:
    """A TCP relay to Redis whose open connections can go silent: they stay open but carry
    nothing more, as a connection does to a server whose host vanished in a failover."""

    def __init__(self, port: int):
        self.port_behind = port
        self.listening = socket.create_server(("127.0.0.1", 0))
        self.url = f"redis://127.0.0.1:{self.listening.getsockname()[1]}/0"
        self.relayed: list[dict] = []  # each connection: its two sockets, and whether silent
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self) -> None:
        with contextlib.suppress(OSError):  # closed
            while True:
                near, _ = self.listening.accept()
                far = socket.create_connection(("127.0.0.1", self.port_behind))
                connection = {"sockets": (near, far), "silent": False}
                self.relayed.append(connection)
                for source, sink in ((near, far), (far, near)):
                    threading.Thread(
                        target=self.carry, args=(source, sink, connection), daemon=True
                    ).start()

    @staticmethod
    def carry(source, sink, connection) -> None:
        with contextlib.suppress(OSError):  # an end closed: this direction is done
            while data := source.recv(65536):
                if not connection["silent"]:
                    sink.sendall(data)

    def silence(self) -> None:
        """What the connections open now carry is lost from here on; new ones work."""
        for connection in self.relayed:
            connection["silent"] = True

    def close(self) -> None:
        for end in (self.listening, *(end for c in self.relayed for end in c["sockets"])):
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked on it
            end.close()


def test_a_listener_whose_connection_goes_silent_connects_again(own_redis, caplog):
    from django.core.cache import cache

    relay = SilentRelay(own_redis.port)
    following = listener(relay)
    try:
        assert until(lambda: following.current() is not None)
        relay.silence()
        # Another node invalidates: its message is lost on the silent connection.
        elsewhere = redis.Redis(port=own_redis.port)
        channel = cache.make_key(pagecache.VERSION_KEY)
        higher = elsewhere.incr(channel)
        elsewhere.publish(channel, str(higher))
        assert until(lambda: following.current() == higher, pagecache.SILENT_FOR + 3)
    finally:
        pagecache.stop_listeners()
        relay.close()
    assert "Redis did not answer" in caplog.text
