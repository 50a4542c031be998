"""Ready for a CDN and for pollers: validators, 304s and Cache-Control a shared cache can obey."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.factories import make_snapshot

pytestmark = pytest.mark.django_db

PAGES = ["/", "/enforcement/", "/metrics/", "/audit/", "/api/", "/reports/"]
LIVE_DATA = [
    "/api/metrics/latest.json",
    "/api/metrics/figures.json",
    "/api/metrics/windows.csv",
    "/api/metrics/log.json",
    "/api/metrics/audit.json",
]


@pytest.fixture(autouse=True)
def snapshot():
    return make_snapshot()


@pytest.mark.parametrize("path", PAGES + LIVE_DATA)
def test_it_carries_a_validator_and_answers_a_matching_request_with_304(
    client, shared_cache, path
):
    response = client.get(path)
    assert response.status_code == 200
    assert response["ETag"]
    again = client.get(path, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    assert again.content == b""
    assert "Set-Cookie" not in again


def test_a_cached_page_is_revalidated_without_a_query(
    client, shared_cache, django_assert_num_queries
):
    etag = client.get("/metrics/")["ETag"]
    with django_assert_num_queries(0):
        assert client.get("/metrics/", HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_a_page_changes_its_etag_when_its_content_changes(client, shared_cache):
    etag = client.get("/")["ETag"]
    make_snapshot(services=(("boundary-enforcer", "BoundaryEnforcer", 3001),))
    assert client.get("/", HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_latest_json_also_gives_last_modified(client, snapshot):
    response = client.get("/api/metrics/latest.json")
    modified = response["Last-Modified"]
    assert client.get(
        "/api/metrics/latest.json", HTTP_IF_MODIFIED_SINCE=modified
    ).status_code == 304


def test_figures_json_stays_the_same_until_the_figures_change(client, time_machine):
    # No "… ago" in it: the open page works that out, so a poll 5 minutes later gets a 304.
    time_machine.move_to(timezone.now())
    etag = client.get("/api/metrics/figures.json")["ETag"]
    time_machine.shift(300)
    assert client.get("/api/metrics/figures.json", HTTP_IF_NONE_MATCH=etag).status_code == 304


@pytest.mark.parametrize("path", PAGES)
def test_a_public_page_may_be_kept_by_a_shared_cache_for_page_cache_seconds(
    client, settings, path
):
    settings.PAGE_CACHE_SECONDS = 45
    cache_control = client.get(path)["Cache-Control"]
    assert cache_control == "public, max-age=0, s-maxage=45"


@pytest.mark.parametrize("path", LIVE_DATA)
def test_live_data_may_be_kept_briefly_and_revalidated(client, settings, path):
    settings.PAGE_CACHE_SECONDS = 45
    directives = set(client.get(path)["Cache-Control"].split(", "))
    assert directives == {"public", "max-age=30", "s-maxage=45", "stale-while-revalidate=30"}


@pytest.mark.parametrize("path", ["/enforcement/?preview=1", "/metrics/"])
def test_what_staff_see_is_private_and_never_stored(staff_client, path):
    assert staff_client.get(path)["Cache-Control"] == "private, no-store"
