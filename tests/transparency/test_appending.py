"""What the log holds: each accepted snapshot, then its new events, as canonical JSON entries."""

from __future__ import annotations

import csv
import io
import json

import pytest
import rfc8785
from django.db import transaction
from hypothesis import given
from hypothesis import strategies as st

from metrics.models import AuditEvent, Snapshot
from tests.factories import make_events, make_snapshot
from transparency import log
from transparency.entries import SAFE_INTEGER, EntryTooLarge, canonical
from transparency.models import LogEntry, Tile

from . import independent
from .conftest import events, feed

pytestmark = pytest.mark.django_db


def logged() -> list[dict]:
    return [json.loads(bytes(e.data)) for e in LogEntry.objects.order_by("index")]


def test_a_snapshot_is_logged_then_its_new_events_in_feed_order(ingest_feed):
    carried = events(4)
    ingest_feed(feed(20, carried))
    snapshot = Snapshot.objects.get()
    entries = logged()
    assert entries[0] == {
        "kind": "snapshot",
        "sha256": snapshot.sha256,
        "previous_sha256": "",
        "generated_at": snapshot.generated_at.isoformat(),
        "ingested_at": snapshot.ingested_at.isoformat(),
        "source": snapshot.source,
        "signature_verified": False,
    }
    assert [e["id"] for e in entries[1:]] == [e["id"] for e in carried]
    assert {e["kind"] for e in entries[1:]} == {"audit_event"}


def test_each_entry_is_rfc_8785_canonical_json(ingest_feed):
    ingest_feed(feed(20, events(3)))
    for entry in LogEntry.objects.all():
        assert bytes(entry.data) == rfc8785.dumps(json.loads(bytes(entry.data)))


VALUES = (
    st.none() | st.booleans() | st.text()
    | st.integers(-SAFE_INTEGER, SAFE_INTEGER) | st.integers() | st.floats(allow_nan=False)
)


def assert_canonical_as_the_rfc8785_package(entry: dict) -> None:
    try:
        expected = rfc8785.dumps(entry)
    except rfc8785.CanonicalizationError as refused:
        with pytest.raises(type(refused)):
            canonical(entry)
    else:
        assert canonical(entry) == expected


@given(st.dictionaries(st.text(), VALUES | st.lists(VALUES, max_size=3), max_size=12))
def test_canonical_bytes_are_byte_for_byte_those_of_the_rfc8785_package(entry):
    assert_canonical_as_the_rfc8785_package(entry)


@pytest.mark.parametrize("entry", [
    {"kind": "\ud800"}, {"kind": 2**53}, {"kind": -(2**53)}, {"kind": 0.5},
    {"\ue000": 1, "\U00010000": 2},  # sorted by UTF-16 code units, not by code points
])
def test_what_plain_json_would_get_wrong_goes_through_the_rfc8785_package(entry):
    assert_canonical_as_the_rfc8785_package(entry)


def test_an_event_entry_holds_exactly_what_audit_json_serves_for_it_but_its_index(
    client, ingest_feed
):
    ingest_feed(feed(20, events(5)))
    served = client.get("/api/metrics/audit.json").json()["events"]
    by_index = {e.index: json.loads(bytes(e.data)) for e in LogEntry.objects.all()}
    assert len(served) == 5
    for event in served:
        index = event.pop("log_index")
        assert by_index[index] == {"kind": "audit_event", **event}


def test_a_later_payload_logs_only_the_events_it_adds(ingest_feed):
    first, more = events(3), events(5)
    ingest_feed(feed(20, first))
    ingest_feed(feed(10, more))
    ids = [e.get("id") for e in logged()]
    assert ids == [None, *(e["id"] for e in first), None, more[3]["id"], more[4]["id"]]
    assert log.log_size() == 1 + 3 + 1 + 2


def test_a_repeated_or_rejected_payload_appends_nothing(ingest_feed):
    payload = feed(20, events(3))
    ingest_feed(payload)
    before = log.log_size()
    assert ingest_feed(payload).outcome == "unchanged"
    broken = feed(10, events(3))
    broken["audit_events"][0]["detail"] = "rewritten"  # an event never changes
    assert ingest_feed(broken).outcome == "rejected"
    assert ingest_feed(b"{not json").outcome == "rejected"
    assert log.log_size() == before == LogEntry.objects.count()


def test_a_failure_after_the_append_leaves_neither_the_rows_nor_their_entries(monkeypatch):
    def fail(snapshot, events):
        raise RuntimeError("disk full")

    payload = feed(20, events(3))
    monkeypatch.setattr(log, "append_snapshot", fail)
    from metrics.ingest import ingest
    from tests.metrics.conftest import encode

    with pytest.raises(RuntimeError):
        ingest(encode(payload), "https://feed.example/metrics")
    assert (Snapshot.objects.count(), AuditEvent.objects.count(), log.log_size()) == (0, 0, 0)


def test_other_apps_append_evidence_inside_their_own_transaction():
    first = log.append({"kind": "evidence", "probe": "tls", "ok": True})
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        log.append({"kind": "evidence", "probe": "headers", "ok": False})
        1 / 0  # noqa: B018 - the caller's transaction fails after the append
    assert (first, log.log_size()) == (0, 1)
    assert logged() == [{"kind": "evidence", "ok": True, "probe": "tls"}]


def test_logging_a_snapshot_answers_the_snapshots_own_index():
    log.append({"kind": "evidence", "probe": "tls", "ok": True})
    snapshot = make_snapshot()
    carried = make_events(snapshot, 2)
    assert log.append_snapshot(snapshot, carried) == 1
    assert LogEntry.objects.get(snapshot=snapshot).index == 1
    assert log.log_size() == 4


def test_an_append_continues_the_edge_tiles_whatever_order_the_database_returns_tiles_in():
    log.append_items([log.Item(canonical({"kind": "evidence", "n": n})) for n in range(300)])
    # A restored copy (pg_restore, a replica) may hold the rows in any order: here the full
    # tile 0/0 comes after the edge tile 0/1 it precedes.
    tiles = [(t.level, t.index, bytes(t.hashes)) for t in Tile.objects.order_by("-level", "-index")]
    Tile.objects.all().delete()
    Tile.objects.bulk_create([Tile(level=lv, index=ix, hashes=h) for lv, ix, h in tiles])
    log.append({"kind": "evidence", "n": 300})
    leaves = [bytes(e.data) for e in LogEntry.objects.order_by("index")]
    assert log.tree().root() == independent.mth(leaves)


@pytest.mark.parametrize("entry", [{}, {"kind": 3}, {"probe": "tls"}])
def test_an_entry_without_a_kind_is_refused(entry):
    with pytest.raises(ValueError, match="kind"):
        log.append(entry)
    assert log.log_size() == 0


def test_an_entry_a_bundle_cannot_hold_is_refused():
    with pytest.raises(EntryTooLarge):
        log.append({"kind": "evidence", "body": "x" * 70_000})
    assert log.log_size() == 0


def test_every_public_view_names_the_log_index(client, ingest_feed):
    carried = events(2)
    ingest_feed(feed(20, carried))
    snapshot_index = LogEntry.objects.get(snapshot__isnull=False).index
    event_index = LogEntry.objects.get(audit_event__event_id=carried[1]["id"]).index
    assert client.get("/api/metrics/latest.json").json()["log_index"] == snapshot_index
    one = client.get(f"/api/metrics/audit/{carried[1]['id']}.json").json()
    assert one["log_index"] == event_index
    rows = list(csv.DictReader(io.StringIO(b"".join(client.get("/api/metrics/audit.csv")
                                                    .streaming_content).decode())))
    assert {row["id"]: row["log_index"] for row in rows}[carried[1]["id"]] == str(event_index)
    page = client.get(f"/audit/events/{carried[1]['id']}/").content.decode()
    assert f"<dt>Log index</dt><dd><code>{event_index}</code>" in page
    dashboard = client.get("/metrics/").content.decode()
    assert f"entry <code>{snapshot_index}</code> of the" in dashboard


def test_an_unknown_event_json_is_a_404(client):
    response = client.get("/api/metrics/audit/nope.json")
    assert response.status_code == 404
    assert response.json() == {"error": "no decision has that id"}


def test_lookup_finds_an_event_or_a_snapshot_by_what_the_site_published(client, ingest_feed):
    carried = events(2)
    ingest_feed(feed(20, carried))
    sha = Snapshot.objects.get().sha256
    assert client.get(f"/api/log/lookup?snapshot={sha}").json() == {
        "log_index": 0, "kind": "snapshot"
    }
    assert client.get(f"/api/log/lookup?event={carried[0]['id']}").json()["log_index"] == 1
    assert client.get("/api/log/lookup?event=unknown").status_code == 404
    for query in ["", "?event=a&snapshot=" + sha, "?snapshot=ABC"]:
        response = client.get(f"/api/log/lookup{query}")
        assert response.status_code == 400
        assert "error" in response.json()
