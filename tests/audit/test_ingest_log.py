"""The feed's ingest log shows every attempt and its reason, and nothing private."""

from datetime import UTC, datetime, timedelta

import pytest

from metrics.models import ChainCheck, IngestRun
from tests.factories import make_snapshot

pytestmark = pytest.mark.django_db

SECRET_URL = "https://internal-feed.example.net:8443/api/public/framework-metrics"


def run(outcome, reason="", when=None, snapshot=None, error=""):
    started = when or datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
    return IngestRun.objects.create(
        started_at=started,
        finished_at=started + timedelta(seconds=1),
        source_url=SECRET_URL,
        http_status=200,
        bytes_read=100,
        duration_ms=1000,
        outcome=outcome,
        reason=reason,
        error=error,
        snapshot=snapshot,
    )


def test_a_rejected_run_shows_its_reason_and_none_of_the_source(client):
    run(
        "rejected",
        reason="services[2].windows.7d.operations: expected an integer >= 0",
        error=f"Traceback… while reading {SECRET_URL} from 10.1.2.3 /srv/app/metrics/ingest.py",
    )
    run(
        "failed",
        reason="HTTP 503",
        when=datetime(2026, 11, 20, 10, 5, tzinfo=UTC),
        error="503 Service Unavailable from internal-feed.example.net",
    )
    for url in ("/audit/feed/", "/api/metrics/log.json"):
        body = client.get(url).content.decode()
        assert "services[2].windows.7d.operations: expected an integer" in body
        assert "HTTP 503" in body
        for private in (
            "internal-feed",
            "8443",
            "10.1.2.3",
            "Traceback",
            "/srv/app",
            "https://internal",
        ):
            assert private not in body, (url, private)


def test_an_accepted_snapshot_shows_its_hashes_source_and_signature_status(client):
    snapshot = make_snapshot()
    run("accepted", snapshot=snapshot)
    body = client.get("/audit/feed/").content.decode()
    assert f'href="/api/metrics/snapshots/{snapshot.sha256}.json"' in body
    assert snapshot.sha256[:12] in body
    assert "mysovereignty.digital" in body
    assert "not signed" in body
    entry = client.get("/api/metrics/log.json").json()["entries"][0]
    assert entry["snapshot"]["sha256"] == snapshot.sha256
    assert entry["snapshot"]["signed"] is False


def test_newest_first_fifty_a_page_and_filtered_by_month(client):
    # One run a day at noon from 1 October to 29 November, and one in October a year before.
    base = datetime(2026, 10, 1, 12, tzinfo=UTC)
    for n in range(60):
        run("unchanged", when=base + timedelta(days=n))
    run("unchanged", when=datetime(2025, 10, 15, 12, tzinfo=UTC))
    page = client.get("/api/metrics/log.json").json()
    assert page["pages"] == 2 and len(page["entries"]) == 50
    times = [e["time"] for e in page["entries"]]
    assert times == sorted(times, reverse=True)
    assert len(client.get("/api/metrics/log.json?page=2").json()["entries"]) == 11
    october = client.get("/api/metrics/log.json?month=2026-10").json()
    days = [e["time"][:10] for e in october["entries"]]
    assert days == [f"2026-10-{day:02}" for day in range(31, 0, -1)]
    assert "2026-11-01" not in client.get("/audit/feed/?month=2026-10").content.decode()
    assert client.get("/audit/feed/?month=2026-13").status_code == 400


def test_the_chain_state_is_shown_from_the_last_check(client):
    assert "has not been verified yet" in client.get("/audit/feed/").content.decode()
    ChainCheck.objects.create(snapshots_checked=3, verified_through="a" * 64)
    assert (
        "Chain verified</strong> through <code>aaaaaaaaaaaa"
        in client.get("/audit/feed/").content.decode()
    )
    ChainCheck.objects.create(
        snapshots_checked=3,
        verified_through="a" * 64,
        broken_at="b" * 64,
        problem="stored bytes no longer match their hash",
    )
    body = client.get("/audit/feed/").content.decode()
    assert "Chain broken" in body and "bbbbbbbbbbbb" in body


def test_the_audit_page_query_count_is_bounded(client, django_assert_max_num_queries):
    for n in range(120):
        run(
            "accepted" if n % 3 else "failed",
            reason="timeout",
            when=datetime(2026, 11, 1, tzinfo=UTC) + timedelta(minutes=5 * n),
            snapshot=make_snapshot(age=timedelta(minutes=600 - n)) if n % 3 else None,
        )
    with django_assert_max_num_queries(10):
        assert client.get("/audit/feed/").status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get("/api/metrics/log.json?page=2").status_code == 200
