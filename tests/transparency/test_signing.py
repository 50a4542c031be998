"""Checkpoints: signed after each append, kept twice, and never signed over a forked history."""

from __future__ import annotations

import io
import logging
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError, SystemCheckError

from metrics.models import IngestRun, Snapshot
from transparency import log
from transparency.models import Checkpoint, LogEntry, LogHead, Tile
from transparency.notes import Signer, Verifier, verify_note

from .conftest import SITE_ORIGIN, events, feed

pytestmark = pytest.mark.django_db


def published(settings) -> Path:
    return Path(settings.LOG_CHECKPOINT_DIR) / quote(SITE_ORIGIN, safe="")


def test_log_key_prints_a_pair_in_gos_signed_note_format():
    out = io.StringIO()
    call_command("log_key", "--new", "tractatus.example/log", stdout=out)
    private, verifier = out.getvalue().splitlines()
    key = Signer.parse(private.removeprefix("LOG_SIGNING_KEY="))
    assert private.startswith("LOG_SIGNING_KEY=PRIVATE+KEY+tractatus.example/log+")
    assert Verifier.parse(verifier.removeprefix("verifier key: ")) == key.verifier
    assert key.verifier.verify(b"m", key.private.sign(b"m"))


@pytest.mark.parametrize("origin", ["", "with space", "a+b"])
def test_log_key_refuses_a_name_a_note_cannot_carry(origin):
    with pytest.raises(CommandError):
        call_command("log_key", "--new", origin, stdout=io.StringIO())


def test_each_accepted_ingest_signs_a_checkpoint_kept_in_the_database_and_on_disk(
    client, ingest_feed, log_key, settings
):
    ingest_feed(feed(20, events(2)))
    ingest_feed(feed(10, events(5)))
    signed = list(Checkpoint.objects.order_by("size"))
    assert [c.size for c in signed] == [3, 7]
    for checkpoint in signed:
        assert verify_note(checkpoint.note, log_key.verifier)
        assert (published(settings) / str(checkpoint.size)).read_text() == checkpoint.note
    assert (published(settings) / "latest").read_text() == signed[-1].note
    # The copy on disk is the database's latest, as in every normal run: served, not refused.
    served = client.get("/log/checkpoint")
    assert (served.status_code, served.content.decode()) == (200, signed[-1].note)


def test_a_production_site_without_a_key_is_warned_by_check_deploy(settings):
    settings.LOG_SIGNING_KEY = ""
    out = io.StringIO()
    try:
        call_command("check", "--deploy", stdout=out, stderr=out)
    except SystemCheckError as exc:  # other deploy settings of the test run may fail too
        out.write(str(exc))
    assert "transparency.W001" in out.getvalue()
    assert "LOG_SIGNING_KEY is not set" in out.getvalue()


def test_entries_appended_without_a_key_are_signed_once_one_is_set(client, settings):
    settings.LOG_SIGNING_KEY = ""
    log.append({"kind": "evidence", "n": 1})
    assert Checkpoint.objects.count() == 0
    key = Signer.generate(SITE_ORIGIN)
    settings.LOG_SIGNING_KEY = str(key)
    body = verify_note(client.get("/log/checkpoint").content.decode(), key.verifier)
    assert body.splitlines()[1] == "1"


def restore_database_to(size: int) -> None:
    """What restoring a backup taken at `size` entries does to the log's rows."""
    LogEntry.objects.filter(index__gte=size).delete()
    Checkpoint.objects.filter(size__gt=size).delete()
    Tile.objects.all().delete()
    LogHead.objects.update(size=0)
    kept = [bytes(e.data) for e in LogEntry.objects.order_by("index")]
    LogEntry.objects.all().delete()
    for data in kept:  # the same entries, tiles rebuilt as they were at that size
        log.append_items([log.Item(data)], sign=False)


def test_a_database_restored_from_before_the_last_checkpoint_is_refused_a_fork(
    client, ingest_feed, log_key, settings
):
    ingest_feed(feed(30, events(2)))
    ingest_feed(feed(20, events(4)))  # two new events: published at 3 + 3 = 6
    restore_database_to(3)
    result = ingest_feed(feed(10, []))
    assert (result.outcome, result.reason) == ("failed", "transparency log forked")
    assert IngestRun.objects.first().error == (
        "the log holds 4 entries but a checkpoint of 6 was published: the database was"
        " restored from before it (see docs/transparency.md, Recovery)"
    )
    longer = ingest_feed(feed(5, events(6, prefix="new")))  # past 6, with other entries
    assert longer.outcome == "failed"
    assert IngestRun.objects.first().error == (
        "the log's first 6 entries no longer hash to the root published for them"
        " (see docs/transparency.md, Recovery)"
    )
    # Nothing of the refused ingest is stored, and nothing inconsistent was signed.
    assert log.log_size() == 3
    assert Snapshot.objects.count() == 2  # the restored database's own rows
    assert not Checkpoint.objects.filter(size__gt=3).exists()
    assert (published(settings) / "latest").read_text().splitlines()[1] == "6"
    health = client.get("/healthz")
    assert health.status_code == 200
    assert (
        "log: FORKED, signing refused: the log holds 3 entries but a checkpoint of 6 was"
        " published: the database was restored from before it" in health.content.decode()
    )
    refused = client.get("/log/checkpoint")
    assert refused.status_code == 503
    assert "a checkpoint of 6 was published, the database's latest is 3" in refused.content.decode()


def rewrite_entry(index: int) -> None:
    """A history rewritten in the database: one entry changed, the tiles rebuilt to match."""
    LogEntry.objects.filter(index=index).update(data=b'{"kind":"audit_event","id":"forged"}')
    Tile.objects.all().delete()
    LogHead.objects.update(size=0)
    kept = [(bytes(e.data), e.snapshot_id, e.audit_event_id) for e in LogEntry.objects.all()]
    LogEntry.objects.all().delete()
    log.append_items([log.Item(*row) for row in kept], sign=False)


def test_a_rewritten_history_the_same_length_is_refused_too(ingest_feed, log_key):
    ingest_feed(feed(20, events(2)))
    rewrite_entry(1)
    with pytest.raises(log.LogForked, match="no longer hash to the root published"):
        log.append({"kind": "evidence"})


def test_a_checkpoint_written_late_never_moves_latest_back(ingest_feed, log_key, settings):
    ingest_feed(feed(30, events(2)))
    ingest_feed(feed(20, events(4)))
    older, newer = Checkpoint.objects.order_by("size")[0], Checkpoint.objects.order_by("-size")[0]
    log.save_published(older)  # another machine's writer, finishing after this one
    assert (published(settings) / str(older.size)).read_text() == older.note
    assert (published(settings) / "latest").read_text() == newer.note


def test_the_databases_own_checkpoints_refuse_a_fork_when_the_copies_on_disk_are_lost(
    client, ingest_feed, log_key, settings
):
    ingest_feed(feed(30, events(2)))  # checkpoint 3
    ingest_feed(feed(20, events(4)))  # checkpoint 6
    for copy in published(settings).iterdir():  # e.g. a new machine, its directory empty
        copy.unlink()
    rewrite_entry(4)  # after the first checkpoint: only the latest one covers it
    with pytest.raises(log.LogForked) as refused:
        log.append({"kind": "evidence"})
    assert str(refused.value) == (
        "the log's first 6 entries no longer hash to the root published for them"
        " (see docs/transparency.md, Recovery)"
    )
    assert log.fork_problem() == str(refused.value)
    health = client.get("/healthz").content.decode()
    assert f"log: FORKED, signing refused: {refused.value}" in health


def test_a_log_that_extends_its_checkpoints_is_healthy(client, ingest_feed, log_key, settings):
    ingest_feed(feed(20, events(2)))  # the latest checkpoint is of the log's very size
    assert log.fork_problem() == ""
    health = client.get("/healthz").content.decode()
    assert "log: 3 entries, checkpoint 3 signed" in health
    assert "FORKED" not in health
    settings.LOG_SIGNING_KEY = ""  # nothing is signed, so nothing can fork
    assert log.fork_problem() == ""


def test_a_latest_copy_not_signed_by_the_logs_key_refuses_signing(client, log_key, settings):
    log.append({"kind": "evidence"})
    latest = published(settings) / "latest"
    latest.parent.mkdir(parents=True, exist_ok=True)
    latest.write_text(Signer.generate(SITE_ORIGIN).sign(log.checkpoint_body(SITE_ORIGIN, 1, b"")))
    with pytest.raises(log.LogForked) as refused:
        log.append({"kind": "evidence"})
    assert str(refused.value) == f"{latest} is not a checkpoint signed by this log's key"
    assert log.fork_problem() == str(refused.value)
    assert log.log_size() == 1


def test_a_checkpoint_not_copied_to_disk_is_logged_and_still_sent_to_the_witnesses(
    caplog, django_capture_on_commit_callbacks, log_key, settings
):
    sent = []

    def receiver(sender, **kwargs):
        sent.append((sender, kwargs))

    log.checkpoint_published.connect(receiver)
    (published(settings) / "1").mkdir(parents=True)  # in the way of checkpoint 1's copy
    try:
        with (
            caplog.at_level(logging.ERROR, logger="transparency.log"),
            django_capture_on_commit_callbacks(execute=True),
        ):
            log.append({"kind": "evidence"})
    finally:
        log.checkpoint_published.disconnect(receiver)
    checkpoint = Checkpoint.objects.get()
    [record] = caplog.records
    assert (record.levelname, record.getMessage()) == (
        "ERROR", f"could not write checkpoint {SITE_ORIGIN} at 1 to LOG_CHECKPOINT_DIR"
    )
    assert isinstance(record.exc_info[1], OSError)  # the cause, with its traceback
    assert sent == [(Checkpoint, {"signal": log.checkpoint_published, "checkpoint": checkpoint})]
