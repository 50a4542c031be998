"""The site's own log, checked over HTTP by clients it did not write: verify.py and Go's sumdb.

Each test serves the real site on 127.0.0.1 (pytest-django's live server) with a log grown by
real ingests, and runs the client as a visitor would.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from metrics.ingest import ingest
from metrics.models import AuditEvent, Snapshot
from tests.metrics.conftest import encode
from transparency import log
from transparency.models import Checkpoint

from .conftest import events, feed

pytestmark = pytest.mark.django_db(transaction=True)
VERIFY_PY = Path(log.__file__).with_name("verify.py")


@pytest.fixture
def grown(log_key) -> list[dict]:
    """A log of three snapshots and 300 events: more than one tile, partial tiles at its edge."""
    carried = events(300)
    for minutes, upto in ((30, 100), (20, 280), (10, 300)):
        ingest(encode(feed(minutes, carried[:upto])), "https://feed.example/metrics")
    assert log.log_size() == 303
    return carried


def verify_py(server, key, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(VERIFY_PY), server.url, "--key", str(key.verifier), *args],
        capture_output=True, text=True, timeout=300,
    )


def test_the_served_verifier_is_the_repositorys_file_byte_for_byte(client):
    response = client.get("/log/verify.py")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/x-python; charset=utf-8"
    assert response.content == VERIFY_PY.read_bytes()


def test_verify_py_proves_an_event_and_a_snapshot_in_the_sites_log(grown, live_server, log_key):
    event = verify_py(live_server, log_key, "--event", grown[150]["id"])
    assert event.returncode == 0, event.stderr
    sha = Snapshot.objects.order_by("pk")[1].sha256
    snapshot = verify_py(live_server, log_key, "--snapshot", sha)
    assert snapshot.returncode == 0, snapshot.stderr


def test_verify_py_names_an_event_whose_row_was_rewritten(grown, live_server, log_key):
    AuditEvent.objects.filter(event_id=grown[7]["id"]).update(detail="Nothing to see")
    result = verify_py(live_server, log_key, "--event", grown[7]["id"])
    assert result.returncode == 1
    assert result.stderr.startswith("FAILED: ")
    assert grown[7]["id"] in result.stderr


def test_verify_py_as_a_monitor_proves_the_log_only_grew(grown, live_server, log_key, tmp_path):
    state = tmp_path / "state"
    assert verify_py(live_server, log_key, "--state", str(state)).returncode == 0
    ingest(encode(feed(5, events(310))), "https://feed.example/metrics")
    again = verify_py(live_server, log_key, "--state", str(state))
    assert again.returncode == 0, again.stderr


def test_go_sumdb_verifies_the_sites_signature_tiles_and_every_entry(
    grown, live_server, log_key, gocheck, tmp_path
):
    old = tmp_path / "old-checkpoint"
    old.write_text(Checkpoint.objects.get(size=101).note)
    result = gocheck(live_server.url, str(log_key.verifier), "-old", str(old))
    assert result.returncode == 0, result.stderr
    assert "303 entries" in result.stdout
    assert "consistent with the checkpoint of 101 entries" in result.stdout
