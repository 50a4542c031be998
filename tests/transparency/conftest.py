"""Fixtures for the transparency log's tests: a witness on 127.0.0.1."""

from __future__ import annotations

import pytest

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
