"""The migration that logs what was stored before the log existed, in the order it was stored."""

from __future__ import annotations

import importlib
import json

import pytest
from django.apps import apps

from metrics.ingest import ingest_demo
from metrics.models import AuditEvent, Snapshot
from tests.transparency import independent
from transparency import integrity, log
from transparency.models import LogEntry

from .conftest import events, feed

pytestmark = pytest.mark.django_db
migration = importlib.import_module("transparency.migrations.0002_backfill")


@pytest.fixture
def stored_before_the_log(monkeypatch, ingest_feed):
    """The demo feed and two feeds with events, stored as they were before the log existed."""
    monkeypatch.setattr(log, "append_snapshot", lambda snapshot, events: 0)
    ingest_demo()
    ingest_feed(feed(20, events(3)))
    ingest_feed(feed(10, events(5)))
    monkeypatch.undo()
    assert LogEntry.objects.count() == 0


def test_every_snapshot_then_its_events_is_logged_in_stored_order(stored_before_the_log):
    migration.backfill(apps, None)
    expected = []
    for snapshot in Snapshot.objects.order_by("pk"):
        expected.append(("snapshot", snapshot.sha256))
        expected += [("audit_event", e.event_id) for e in snapshot.audit_events.order_by("pk")]
    entries = [json.loads(bytes(e.data)) for e in LogEntry.objects.order_by("index")]
    assert [(e["kind"], e.get("sha256") or e["id"]) for e in entries] == expected
    assert log.log_size() == len(expected) == Snapshot.objects.count() + AuditEvent.objects.count()
    assert AuditEvent.objects.filter(log_entry__isnull=True).count() == 0


def test_the_back_filled_log_is_the_one_live_ingests_would_have_made(stored_before_the_log):
    migration.backfill(apps, None)
    leaves = [bytes(e.data) for e in LogEntry.objects.order_by("index")]
    assert log.tree().root() == independent.mth(leaves)
    assert integrity.verify().intact
    log.append({"kind": "evidence"})  # and it grows from there
    assert log.tree().root() == independent.mth([*leaves, bytes(LogEntry.objects.last().data)])


def test_it_does_nothing_to_a_log_that_has_entries(stored_before_the_log):
    log.append({"kind": "evidence"})
    migration.backfill(apps, None)
    assert log.log_size() == 1
