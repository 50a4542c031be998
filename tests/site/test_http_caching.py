"""Every public answer carries ETag and Cache-Control, and revalidates with a 304 every time,
whether it travelled gzip-compressed or plain."""

from __future__ import annotations

import pytest

from tests.factories import make_events, make_snapshot

pytestmark = pytest.mark.django_db

PUBLIC = [
    "/", "/enforcement/", "/metrics/", "/audit/", "/audit/feed/", "/api/", "/reports/",
    "/robots.txt", "/sitemap.xml", "/reports/feed.xml", "/citations.bib",
    "/api/metrics/latest.json", "/api/metrics/figures.json", "/api/metrics/log.json",
    "/api/metrics/audit.json", "/api/metrics/audit.json?decision=blocked",
    "/api/metrics/audit.csv", "/api/metrics/audit.csv?decision=blocked",
    "/api/metrics/daily.csv", "/api/metrics/windows.csv",
    "/api/metrics/contract/v1.schema.json", "/api/metrics/contract/v1.md",
]
ENCODINGS = {"plain": {}, "gzip": {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}}


@pytest.fixture(autouse=True)
def snapshot():
    snapshot = make_snapshot()
    make_events(snapshot, 3)
    return snapshot


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("path", PUBLIC)
def test_it_carries_etag_and_cache_control_and_answers_its_own_etag_with_304_every_time(
    client, path, encoding
):
    headers = ENCODINGS[encoding]
    response = client.get(path, **headers)
    assert response.status_code == 200
    assert response["Cache-Control"]
    etag = response["ETag"]
    for _ in range(5):
        again = client.get(path, HTTP_IF_NONE_MATCH=etag, **headers)
        assert again.status_code == 304
        assert again["ETag"] == etag


@pytest.mark.parametrize("path", ["/about/", "/api/metrics/audit.json"])
def test_a_compressed_copy_shares_the_plain_copys_weak_etag(client, path):
    plain = client.get(path)
    zipped = client.get(path, HTTP_ACCEPT_ENCODING="gzip")
    assert zipped["Content-Encoding"] == "gzip"
    assert plain["ETag"] == zipped["ETag"]
    assert plain["ETag"].startswith('W/"')
    assert client.get(path, HTTP_ACCEPT_ENCODING="gzip",
                      HTTP_IF_NONE_MATCH=plain["ETag"]).status_code == 304


def test_the_csvs_etag_follows_the_query_and_the_latest_snapshot(client, snapshot):
    etag = client.get("/api/metrics/audit.csv")["ETag"]
    assert client.get("/api/metrics/audit.csv?decision=allowed")["ETag"] != etag
    make_events(make_snapshot(), 2)
    assert client.get("/api/metrics/audit.csv", HTTP_IF_NONE_MATCH=etag).status_code == 200
