"""A database restored from a backup: no page or API shows what it no longer holds.

The backup is a savepoint of the test database and the restore a rollback to it: the rows go
back to what they were, as after a real restore, while the shared cache keeps what it had. Run
on the file cache and on a real Redis. (The several-nodes test does the same with pg_dump.)
"""

from __future__ import annotations

import json

import pytest
from django.db import transaction
from django.utils import timezone

from metrics.ingest import ingest
from metrics.models import Snapshot
from tests.metrics.conftest import CONTRACT, dated, encode, minutes_ago

pytestmark = pytest.mark.django_db

WITH_EVENTS = json.loads((CONTRACT / "examples" / "feed-v1-audit-events.json").read_text())
MARKER = 987654
PAGES = ["/", "/about/", "/enforcement/", "/metrics/", "/api/", "/audit/", "/audit/feed/"]
APIS = [
    "/api/metrics/latest.json",
    "/api/metrics/figures.json",
    "/api/metrics/windows.csv",
    "/api/metrics/daily.csv",
    "/api/metrics/log.json",
    "/api/metrics/audit.json",
    "/api/metrics/audit.csv",
]


def payload(minutes: float, boundary_30d: int, marker_event: bool = False) -> dict:
    feed = dated(WITH_EVENTS, minutes_ago(minutes))
    feed["services"][0]["windows"]["30d"]["operations"] = boundary_30d
    if marker_event:
        feed["audit_events"].append(
            {**feed["audit_events"][0], "id": "marker-event", "at": feed["generated_at"]}
        )
    return feed


def everything(client) -> dict[str, str]:
    """Every page and API as a visitor gets it now."""
    found = {}
    for path in PAGES + APIS:
        response = client.get(path)
        assert response.status_code == 200, path
        body = (
            b"".join(response.streaming_content) if response.streaming else response.content
        )
        found[path] = body.decode()
    return found


def shows_marker(body: str, marker_sha: str) -> bool:
    return any(sign in body for sign in (f"{MARKER:,}", str(MARKER), marker_sha, "marker-event"))


def accepted(feed: dict) -> None:
    assert ingest(encode(feed), "test").outcome == "accepted"


def test_after_a_restore_no_page_or_api_shows_what_the_database_no_longer_holds(
    client, shared_cache, settings, time_machine
):
    settings.PAGE_CACHE_SECONDS = 60
    time_machine.move_to(timezone.now(), tick=False)
    accepted(payload(20, 2847))
    everything(client)  # every cache warm
    backup = transaction.savepoint()

    accepted(payload(10, MARKER, marker_event=True))
    marker_sha = Snapshot.objects.latest().sha256
    seen = everything(client)
    # Everything that carries the marker shows it (the daily series do not carry 30-day sums).
    assert [path for path in PAGES + APIS if not shows_marker(seen[path], marker_sha)] == [
        "/about/",
        "/api/metrics/daily.csv",
    ]

    transaction.savepoint_rollback(backup)  # the restore
    for path, body in everything(client).items():
        if path in APIS:  # the data answers read the database's own state: at once
            assert not shows_marker(body, marker_sha), path
    time_machine.shift(settings.PAGE_CACHE_SECONDS)
    for path, body in everything(client).items():
        assert not shows_marker(body, marker_sha), path
    assert "2,847" in client.get("/").content.decode()
