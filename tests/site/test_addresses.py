"""Absolute addresses come from SITE_URL, never from the request's Host or forwarded headers."""

from __future__ import annotations

import pytest

from tests.factories import make_events, make_snapshot

pytestmark = pytest.mark.django_db

SITE = "https://tractatus.example"
HOSTILE = {"HTTP_HOST": "127.0.0.1:6666", "HTTP_X_FORWARDED_PROTO": "https",
           "HTTP_X_FORWARDED_HOST": "evil.example"}


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = f"{SITE}/"
    settings.ALLOWED_HOSTS = ["127.0.0.1", "testserver"]


@pytest.fixture
def event():
    [event] = make_events(make_snapshot(), 1)
    return event


def paths(event):
    return ["/", "/metrics/", "/api/", event.get_absolute_url(), "/robots.txt", "/sitemap.xml",
            "/reports/feed.xml"]


def test_no_absolute_address_comes_from_the_request(client, event):
    for path in paths(event):
        body = client.get(path, **HOSTILE).content.decode()
        assert SITE in body, path
        assert "6666" not in body and "evil.example" not in body, path
        assert "https://127.0.0.1" not in body, path


def test_a_page_cached_for_one_host_is_the_same_for_any(client, event, time_machine):
    time_machine.move_to(event.at, tick=False)  # the empty Atom feed is "updated" now
    for path in paths(event):
        assert client.get(path).content == client.get(path, **HOSTILE).content, path


def test_the_canonical_and_open_graph_addresses_are_on_site_url(client):
    body = client.get("/enforcement/", **HOSTILE).content.decode()
    assert f'<link rel="canonical" href="{SITE}/enforcement/">' in body
    assert f'<meta property="og:url" content="{SITE}/enforcement/">' in body


def test_robots_names_the_sitemap_on_site_url(client):
    assert f"Sitemap: {SITE}/sitemap.xml" in client.get("/robots.txt", **HOSTILE).content.decode()


def test_the_atom_feed_links_to_site_url(client):
    body = client.get("/reports/feed.xml", **HOSTILE).content.decode()
    assert f'<link href="{SITE}/reports/" rel="alternate"' in body
    assert f'<link href="{SITE}/reports/feed.xml" rel="self"' in body
