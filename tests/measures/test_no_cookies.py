"""Anonymous visitors get no cookie at all: no session, no CSRF token, nothing to track."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

PUBLIC_GETS = [
    "/",
    "/about/",
    "/enforcement/",
    "/metrics/",
    "/sitemap.xml",
    "/robots.txt",
    "/out/mysovereignty/",
    "/reports/",
    "/audit/",
    "/audit/feed/",
    "/api/",
    "/api/metrics/audit.json",
    "/api/metrics/audit.csv",
    "/healthz",
    "/no-such-page/",
]


@pytest.mark.parametrize("path", PUBLIC_GETS)
def test_no_public_page_sets_a_cookie(client, path):
    response = client.get(path)
    assert response.status_code in (200, 302, 404), path
    assert "Set-Cookie" not in response.headers
    assert not response.cookies


def test_the_beacon_sets_no_cookie(send):
    response = send({"path": "/", "event": "view", "entry": True})
    assert response.status_code == 204
    assert "Set-Cookie" not in response.headers
    assert not response.cookies
