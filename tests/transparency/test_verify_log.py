"""`verify_log` recomputes the log from its entries and names any row changed since it was
logged."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from metrics.models import AuditEvent, Snapshot
from tests.metrics.conftest import encode
from transparency.models import LogCheck, LogEntry, Tile

from .conftest import events, feed

pytestmark = pytest.mark.django_db


def verify_log() -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("verify_log", stdout=out)
    except SystemExit as exit_:
        return exit_.code, out.getvalue()
    return 0, out.getvalue()


@pytest.fixture
def logged(ingest_feed, log_key) -> list[dict]:
    carried = events(6)
    ingest_feed(feed(20, carried[:3]))
    ingest_feed(feed(10, carried))
    return carried


def test_an_intact_log_passes_and_the_check_is_kept(logged):
    status, out = verify_log()
    assert (status, out) == (0, "log of 8 entries, checkpoint 8: intact\n")
    assert LogCheck.objects.get().intact


def test_a_rewritten_event_is_named_with_its_log_index(logged, client, staff_client):
    rewritten = logged[4]["id"]
    AuditEvent.objects.filter(event_id=rewritten).update(decision="allowed", detail="benign")
    index = LogEntry.objects.get(audit_event__event_id=rewritten).index
    status, out = verify_log()
    assert status == 1
    assert f"MISMATCH audit event {rewritten} no longer matches its log entry {index}" in out
    assert out.splitlines()[-1] == "log of 8 entries, checkpoint 8: 1 problem(s)"
    health = client.get("/healthz")
    assert health.status_code == 200
    assert f"log check: MISMATCH audit event {rewritten}" in health.content.decode()
    admin = staff_client.get("/admin/").content.decode()
    assert f"audit event {rewritten} no longer matches" in admin
    page = client.get(f"/audit/events/{rewritten}/").content.decode()
    assert "No longer matches its log entry" in page
    intact = client.get(f"/audit/events/{logged[0]['id']}/").content.decode()
    assert "No longer matches its log entry" not in intact


def test_a_snapshot_whose_bytes_changed_is_named(logged):
    snapshot = Snapshot.objects.order_by("pk").first()
    Snapshot.objects.filter(pk=snapshot.pk).update(raw=b'{"forged": true}')
    status, out = verify_log()
    assert status == 1
    assert f"MISMATCH snapshot {snapshot.sha256} no longer matches its log entry 0" in out


def test_a_rewritten_entry_no_longer_hashes_to_its_tile(logged):
    LogEntry.objects.filter(index=2).update(data=b'{"kind":"audit_event"}')
    status, out = verify_log()
    assert status == 1
    assert "MISMATCH tile 0/0 does not hash the entries it covers" in out


def test_rewritten_tiles_no_longer_hash_to_the_signed_root(logged):
    tile = Tile.objects.get(level=0, index=0)
    Tile.objects.filter(pk=tile.pk).update(hashes=bytes(32) + bytes(tile.hashes)[32:])
    status, out = verify_log()
    assert status == 1
    assert "the tiles no longer hash to the root signed at size 8" in out


def test_it_runs_after_each_accepted_ingest(logged, tmp_path):
    AuditEvent.objects.filter(event_id=logged[0]["id"]).update(detail="changed")
    path = tmp_path / "next.json"
    path.write_bytes(encode(feed(5, events(7)[6:])))
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("ingest_metrics", "--file", str(path), stdout=out)
    out = out.getvalue()
    assert exit_.value.code == 5
    assert out.splitlines()[0].startswith("accepted:")
    assert f"log check: MISMATCH audit event {logged[0]['id']}" in out
    assert not LogCheck.objects.first().intact
