"""Witnesses cosign each new checkpoint after the commit; one that refuses or hangs delays nothing.

The witness is a real c2sp.org/tlog-witness server on 127.0.0.1 (tests/transparency/witness.py),
keeping its own state: it cosigns only checkpoints consistent with the last one it saw.
"""

from __future__ import annotations

import pytest

from metrics.ingest import ingest
from tests.metrics.conftest import encode
from transparency import witnesses
from transparency.models import Checkpoint, Cosignature, WitnessState
from transparency.notes import parse_witnesses, split_note

from .conftest import events, feed

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def witnessed(settings, log_key, witness):
    witness.trust(str(log_key.verifier))
    settings.WITNESSES = witness.setting
    settings.LOG_WITNESS_TIMEOUT = 10.0  # generous: a loaded CI machine is slow to answer
    yield witness
    witnesses.wait()


def ingest_now(minutes: float, count: int = 2) -> None:
    """Ingests a feed as cron does."""
    result = ingest(encode(feed(minutes, events(count))), "https://feed.example/metrics")
    assert result.outcome == "accepted"


def test_each_new_checkpoint_is_cosigned_and_served_after_the_logs_signature(
    witnessed, client, log_key
):
    ingest_now(20)
    witnesses.wait()
    ingest_now(10, count=4)  # the second request carries a consistency proof from size 3
    witnesses.wait()
    assert witnessed.answers == [200, 200]
    assert witnessed.state["tests.example/log"][0] == 6
    note = client.get("/log/checkpoint").content.decode()
    body, lines = split_note(note)
    assert lines[0].startswith("— tests.example/log ")
    assert lines[1].startswith("— witness.test/w1 ")
    [witness] = parse_witnesses(witnessed.setting)
    assert witness.verifier.verify_cosignature(body, lines[1]) is not None
    state = WitnessState.objects.get()
    assert (state.ok, state.size) == (True, 6)
    assert "witness witness.test/w1: ok, cosigned 6" in client.get("/healthz").content.decode()


def test_a_witness_that_lost_track_is_sent_the_proof_from_the_size_it_names(witnessed):
    ingest_now(20)
    witnesses.wait()
    WitnessState.objects.update(size=0)  # e.g. our record of it was lost with a restore
    ingest_now(10, count=4)
    witnesses.wait()
    assert witnessed.answers == [200, 409, 200]
    assert WitnessState.objects.get().size == 6


def test_a_refusing_witness_is_reported_and_the_checkpoint_served_without_it(
    witnessed, client, staff_client
):
    witnessed.mode = "refuse"
    ingest_now(20)
    witnesses.wait()
    state = WitnessState.objects.get()
    assert (state.ok, state.detail) == (False, "refused: HTTP 403 refused")
    assert not Cosignature.objects.exists()
    assert len(split_note(client.get("/log/checkpoint").content.decode())[1]) == 1
    assert "witness witness.test/w1: refused: HTTP 403" in client.get("/healthz").content.decode()
    assert "refused: HTTP 403 refused" in staff_client.get("/admin/").content.decode()


def test_a_witness_that_hangs_never_slows_an_ingest(witnessed, settings):
    settings.LOG_WITNESS_TIMEOUT = 5.0
    witnessed.mode = "hang"
    ingest_now(20)
    # The ingest returned while the witness was still being waited for: it never waited. Read
    # once the witness holds the request, while its thread writes nothing (SQLite's in-memory
    # test database refuses a read that meets another connection's write).
    assert witnessed.holding.wait(5)
    assert not WitnessState.objects.filter(attempted_at__isnull=False).exists()
    witnesses.wait()
    state = WitnessState.objects.get()
    assert (state.ok, state.detail) == (False, "no answer within 5 s")
    assert Checkpoint.objects.count() == 1


def test_a_witness_that_is_down_is_reported(witnessed, settings):
    witnessed.stop()
    ingest_now(20)
    witnesses.wait()
    assert WitnessState.objects.get().detail == "unreachable: ConnectionError"


@pytest.mark.parametrize(
    "setting",
    ["nokey https://w.example/", "witness.test/w1+00000000+AQ== https://w.example/", "x y z"],
)
def test_a_malformed_witnesses_setting_is_refused(setting):
    with pytest.raises(ValueError):
        parse_witnesses(setting)
