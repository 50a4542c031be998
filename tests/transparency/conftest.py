"""Fixtures for the transparency log's tests: a witness on 127.0.0.1, Go's log clients."""

from __future__ import annotations

import subprocess

import pytest

from tests.transparency.golang import build_gocheck
from tests.transparency.notes import NoteKey
from tests.transparency.staticlog import ORIGIN, static_log
from tests.transparency.witness import Witness


@pytest.fixture
def witness(tmp_path):
    """A tlog-witness on 127.0.0.1 trusting no log yet: `witness.trust(log_vkey)`, then give
    the site `witness.setting` as WITNESSES. Set `witness.mode` to "refuse" or "hang" to see a
    witness fail; its state survives in a file, as a real witness's must.
    """
    running = Witness(state_path=tmp_path / "witness-state.json").start()
    yield running
    running.stop()


@pytest.fixture(scope="session")
def gocheck(tmp_path_factory):
    """Runs Go's sumdb/note and sumdb/tlog against a log: gocheck(base_url, vkey, *flags).

    Flags: "-old", FILE (an earlier checkpoint the current one must extend); "-entries=false".
    Exit status 0 verified, 1 something does not verify, 2 could not run.
    """
    binary = build_gocheck(tmp_path_factory.mktemp("gocheck"))

    def run(base_url: str, vkey: str, *flags: str) -> subprocess.CompletedProcess:
        return subprocess.run([binary, *flags, base_url, vkey], capture_output=True,
                              text=True, timeout=600)

    return run


@pytest.fixture
def key() -> NoteKey:
    """The signing key of a static log (tests/transparency/staticlog.py)."""
    return NoteKey(ORIGIN)


@pytest.fixture
def site(key):
    """A log served from memory on 127.0.0.1: `site.publish(entries)`, then break any byte."""
    with static_log(key) as log:
        yield log
