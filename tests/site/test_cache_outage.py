"""A cache outage is not a site outage: with Redis stopped, everything answers from the database."""

from __future__ import annotations

import pytest

from metrics.demo import demo_payload
from metrics.ingest import ingest
from metrics.models import Snapshot
from tests.metrics.conftest import minutes_ago

from .test_restore import APIS, PAGES

pytestmark = pytest.mark.django_db


def test_healthz_says_the_cache_is_ok_while_redis_answers(client, own_redis):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content.startswith(b"ok\ncache: ok\n")  # then the transparency log's lines


def test_with_redis_stopped_mid_test_pages_apis_and_the_ingest_carry_on(
    client, own_redis, django_assert_max_num_queries
):
    assert ingest(demo_payload(minutes_ago(30)), "demo", now=minutes_ago(29)).outcome == "accepted"
    for path in PAGES + APIS:
        assert client.get(path).status_code == 200, path  # cached now

    own_redis.stop()

    for path in PAGES + APIS:
        assert client.get(path).status_code == 200, path
    with django_assert_max_num_queries(2):  # not rendered again: the database keeps the page
        assert client.get("/metrics/").status_code == 200
    result = ingest(demo_payload(minutes_ago(5)), "demo", now=minutes_ago(4))
    assert result.outcome == "accepted"
    assert Snapshot.objects.count() == 2
    assert client.get("/api/metrics/latest.json").json()["sha256"] == result.snapshot.sha256
    assert result.snapshot.sha256 in client.get("/metrics/").content.decode()
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.content.startswith(b"ok\ncache: degraded\n")
