"""Ingest's error paths are honest: a store that breaks is a failed run, never a routine one.

The writer lock keeps two ingests from storing at once, so an integrity error while storing is
either a writer that slipped past it with the very same payload (its copy is kept) or a bug.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from metrics import ingest
from metrics.models import IngestRun, ServiceDay, Snapshot
from transparency import log as transparency_log
from transparency.notes import Signer

from .conftest import dated, encode, minutes_ago

pytestmark = pytest.mark.django_db


@pytest.fixture
def lock_slipped(monkeypatch):
    """As if another writer stored its snapshot after this run looked: the latest seems none."""
    monkeypatch.setattr(ingest, "latest_snapshot", lambda: None)


def test_the_same_payload_stored_by_another_writer_is_unchanged(
    example, feed_file, ingest_command, lock_slipped
):
    path = feed_file(example)
    ingest.ingest_file(path)
    status, out = ingest_command("--file", path)
    assert (status, out.strip()) == (0, "unchanged: stored by a concurrent run")
    assert Snapshot.objects.count() == 1
    assert IngestRun.objects.latest("id").outcome == "unchanged"


def test_an_integrity_error_for_another_payload_fails_and_is_logged(
    example, feed_file, ingest_command, lock_slipped, caplog
):
    ingest.ingest_file(feed_file(example))
    # Same generated_at, other bytes: unique generated_at refuses it, and it is no copy of ours.
    example["source"] = "elsewhere.example"
    with caplog.at_level(logging.ERROR, logger="metrics.ingest"):
        status, out = ingest_command("--file", feed_file(example))
    assert (status, out.strip()) == (3, "failed: could not be stored")
    assert Snapshot.objects.get().source == "mysovereignty.digital"
    run = IngestRun.objects.latest("id")
    assert (run.outcome, run.snapshot) == ("failed", None)
    assert run.error.startswith("IntegrityError: ")
    [record] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert record.exc_info[0].__name__ == "IntegrityError"
    assert record.getMessage() == f"ingest from {run.source_url} could not store its snapshot"


def test_a_bug_in_a_row_builder_fails_the_run_and_stores_nothing(
    example, feed_file, ingest_command, monkeypatch
):
    build = ingest.service_day_rows
    monkeypatch.setattr(ingest, "service_day_rows", lambda s, f: build(s, f) * 2)
    status, out = ingest_command("--file", feed_file(dated(example, minutes_ago(5))))
    assert (status, out.strip()) == (3, "failed: could not be stored")
    assert not Snapshot.objects.exists() and not ServiceDay.objects.exists()
    assert IngestRun.objects.get().outcome == "failed"


def test_a_payload_the_transparency_log_could_not_sign_for_fails_and_stores_nothing(
    example, feed_file, ingest_command, settings, caplog
):
    key = Signer.generate("tests.example/log")
    settings.LOG_SIGNING_KEY = str(key)
    # What was published outside the database is not this log's: signing more would fork it.
    latest = transparency_log.origin_directory(key.name) / "latest"
    latest.parent.mkdir(parents=True)
    latest.write_text("not a checkpoint of this log\n")
    with caplog.at_level(logging.WARNING, logger="metrics.ingest"):
        status, out = ingest_command("--file", feed_file(example))
    assert (status, out.strip()) == (3, "failed: transparency log forked")
    assert not Snapshot.objects.exists()
    run = IngestRun.objects.get()
    why = f"{latest} is not a checkpoint signed by this log's key"
    assert (run.outcome, run.reason, run.error) == ("failed", "transparency log forked", why)
    # The cron log says why in full, as the run's error does for staff.
    assert [(r.levelno, r.getMessage()) for r in caplog.records] == [
        (logging.ERROR, f"ingest refused: {why}"),
        (logging.WARNING, f"ingest failed from {run.source_url}: {why}"),
    ]


def test_a_payload_is_judged_at_the_time_it_is_given(example):
    tomorrow = timezone.now() + timedelta(days=1)
    payload = encode(dated(example, tomorrow))
    assert ingest.ingest(payload, "test").outcome == "rejected"  # from the future, today
    assert ingest.ingest(payload, "test", now=tomorrow).outcome == "accepted"


def test_a_changed_event_is_refused_with_every_change_for_staff(example, feed_file, ingest_command):
    event = {
        "id": "evt-1", "service": "boundary-enforcer", "decision": "blocked",
        "rule": "cross-tenant-query", "tenant": "t_0123456789abcdef",
        "detail": "Query without a tenant scope.", "at": example["generated_at"],
    }
    example["audit_events"] = [event, event | {"id": "evt-2"}]
    ingest_command("--file", feed_file(example))
    later = dated(example, minutes_ago(5))
    for changed in later["audit_events"]:
        changed["detail"] = "Rewritten after publication."
    assert ingest_command("--file", feed_file(later))[0] == 4
    assert IngestRun.objects.latest("id").error.splitlines() == [
        f"audit_events[{n}]: its id was published before with other content (events never change)"
        for n in (0, 1)
    ]


def test_every_run_is_logged_routine_or_not_and_kept_within_its_columns(
    example, feed_file, ingest_command, caplog, sleeps
):
    path = feed_file(example)
    with caplog.at_level(logging.INFO, logger="metrics.ingest"):
        ingest_command("--file", path)
        example["schema_version"] = 2
        ingest_command("--file", feed_file(example))
    source = f"file://{path}"
    accepted, rejected = [(r.levelno, r.getMessage()) for r in caplog.records]
    assert accepted == (logging.INFO, f"ingest accepted from {source}: ")
    assert rejected[0] == logging.WARNING
    assert rejected[1].startswith(f"ingest rejected from file://{path[:-6]}1.json: schema_version")
    run = IngestRun.objects.get(outcome="accepted")
    assert (run.reason, run.error) == ("", "")
    assert 0 <= run.duration_ms < 60_000
    # A long source is cut to its column, not refused by the database.
    url = "http://127.0.0.1:9/" + "a" * 600
    ingest_command("--url", url)
    assert IngestRun.objects.latest("id").source_url == url[:500]


def test_a_runs_duration_is_the_time_since_its_attempt_began_in_milliseconds():
    # The attempt's clock is the monotonic one, which no test clock moves: began 1,000 s ago.
    attempt = ingest.Attempt("file:///feed.json", clock=time.monotonic() - 1000)
    attempt.finish("failed", "unreadable")
    assert 1_000_000 <= IngestRun.objects.get().duration_ms < 1_000_500


def test_a_long_reason_is_cut_to_its_column_and_kept_whole_in_the_error():
    reason = "services[0].name: " + "x" * 300
    ingest.Attempt("file:///feed.json").finish("rejected", reason, error=reason)
    assert IngestRun.objects.values_list("reason", "error").get() == (reason[:200], reason)
