"""The tests' witness speaks c2sp.org/tlog-witness as a real one would, refusals included."""

from __future__ import annotations

import base64
import json
import struct
import subprocess
import sys

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from tests.transparency import independent as rfc
from tests.transparency.notes import NoteKey, b64, checkpoint_text, key_id, signed_note
from tests.transparency.witness import Witness

ORIGIN = "tractatus.test/log"
LOG = [f"entry {i}".encode() for i in range(20)]


@pytest.fixture
def log_key(witness):
    key = NoteKey(ORIGIN)
    witness.trust(key.vkey)
    return key


def checkpoint(key: NoteKey, size: int, entries=LOG) -> tuple[str, bytes]:
    text = checkpoint_text(key.name, size, rfc.mth(entries[:size]))
    return text, signed_note(text, key)


def add(witness, old: int, note: bytes, proof=(), timeout=10) -> requests.Response:
    body = f"old {old}\n" + "".join(b64(p) + "\n" for p in proof) + "\n"
    return requests.post(witness.url + "add-checkpoint", data=body.encode() + note,
                         timeout=timeout)


def cosigned_at(witness: Witness, text: str, line: str) -> int:
    """The timestamp of a valid cosignature/v1 line by `witness` on `text`, checked by hand."""
    prefix, name, encoded = line.split(" ")
    assert (prefix, name) == ("—", witness.key.name)
    raw = base64.b64decode(encoded)
    assert raw[:4] == key_id(witness.key.name, 0x04, witness.key.public)
    (timestamp,) = struct.unpack(">Q", raw[4:12])
    message = f"cosignature/v1\ntime {timestamp}\n{text}".encode()
    Ed25519PublicKey.from_public_bytes(witness.key.public).verify(raw[12:], message)
    return timestamp


def test_a_first_checkpoint_and_each_consistent_one_after_it_are_cosigned(witness, log_key):
    text, note = checkpoint(log_key, 5)
    first = add(witness, 0, note)
    assert first.status_code == 200
    assert first.text.endswith("\n") and first.text.count("\n") == 1
    assert cosigned_at(witness, text, first.text.rstrip("\n")) > 1_700_000_000

    text, note = checkpoint(log_key, 13)
    second = add(witness, 5, note, rfc.proof(5, LOG[:13]))
    assert second.status_code == 200
    cosigned_at(witness, text, second.text.rstrip("\n"))
    assert add(witness, 13, note).status_code == 200  # the same checkpoint again


def test_a_stale_old_size_gets_409_with_the_size_the_witness_knows(witness, log_key):
    assert add(witness, 0, checkpoint(log_key, 5)[1]).status_code == 200
    stale = add(witness, 0, checkpoint(log_key, 8)[1])
    assert stale.status_code == 409
    assert stale.headers["Content-Type"] == "text/x.tlog.size"
    assert stale.text == "5\n"


def test_a_fork_is_not_cosigned(witness, log_key):
    assert add(witness, 0, checkpoint(log_key, 8)[1]).status_code == 200
    forked = [*LOG[:3], b"rewritten", *LOG[4:]]
    note = checkpoint(log_key, 12, forked)[1]
    assert add(witness, 8, note, rfc.proof(8, forked[:12])).status_code == 422
    assert add(witness, 8, note, rfc.proof(8, LOG[:12])).status_code == 422
    assert add(witness, 8, checkpoint(log_key, 8, forked)[1]).status_code == 422
    assert add(witness, 8, checkpoint(log_key, 12)[1], rfc.proof(8, LOG[:12])).status_code == 200


def test_bad_requests_get_the_status_the_spec_names(witness, log_key):
    good = checkpoint(log_key, 5)[1]
    assert add(witness, 0, good, [rfc.mth(LOG[:1])]).status_code == 422  # proof from 0
    assert add(witness, 6, good).status_code == 400  # old size above the checkpoint's
    assert add(witness, 0, signed_note(checkpoint_text(ORIGIN, 0, b"\1" * 32), log_key)) \
        .status_code == 422  # an empty tree with another root
    assert requests.post(witness.url + "add-checkpoint", data=b"old 01\n\n" + good,
                         timeout=10).status_code == 400
    assert add(witness, 0, checkpoint(NoteKey("other.test/log"), 5)[1]).status_code == 404
    assert add(witness, 0, checkpoint(NoteKey(ORIGIN), 5)[1]).status_code == 403
    altered = good.replace(b"\n5\n", b"\n6\n")
    assert add(witness, 0, altered).status_code == 403
    assert witness.state == {}


def test_the_latest_cosigned_size_survives_a_restart(witness, log_key, tmp_path):
    assert add(witness, 0, checkpoint(log_key, 7)[1]).status_code == 200
    again = Witness(state_path=tmp_path / "witness-state.json")
    assert again.state == {ORIGIN: (7, rfc.mth(LOG[:7]))}


def test_a_refusing_witness_refuses_everything(witness, log_key):
    witness.mode = "refuse"
    assert add(witness, 0, checkpoint(log_key, 5)[1]).status_code == 403
    witness.refusal = 503
    assert add(witness, 0, checkpoint(log_key, 5)[1]).status_code == 503


def test_a_hanging_witness_never_answers(witness, log_key):
    witness.mode = "hang"
    with pytest.raises(requests.Timeout):
        add(witness, 0, checkpoint(log_key, 5)[1], timeout=0.5)


def test_the_witness_runs_as_its_own_process():
    key = NoteKey(ORIGIN)
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.transparency.witness", "--log-key", key.vkey],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        started = json.loads(process.stdout.readline())
        assert started["witnesses"] == f"{started['vkey']} {started['url']}"
        body = b"old 0\n\n" + checkpoint(key, 3)[1]
        answer = requests.post(started["url"] + "add-checkpoint", data=body, timeout=10)
        assert answer.status_code == 200
        assert answer.text.startswith("— witness.test/w1 ")
    finally:
        process.terminate()
        process.wait(timeout=10)
