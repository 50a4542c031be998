"""Fixtures for the transparency log's tests: a signing key, feeds carrying events, ingests, a
witness on 127.0.0.1, Go's log clients."""

from __future__ import annotations

import copy
import json
import subprocess
from collections.abc import Callable

import pytest

from metrics.ingest import Result, ingest
from tests.metrics.conftest import CONTRACT, dated, encode, minutes_ago
from tests.transparency.golang import build_gocheck
from tests.transparency.notes import NoteKey
from tests.transparency.staticlog import ORIGIN, static_log
from tests.transparency.witness import Witness
from transparency.notes import Signer

WITH_EVENTS = (CONTRACT / "examples" / "feed-v1-audit-events.json").read_text()
SITE_ORIGIN = "tests.example/log"  # the site's own log in these tests


@pytest.fixture
def log_key(settings) -> Signer:
    """The log signs with a key of this test's own."""
    key = Signer.generate(SITE_ORIGIN)
    settings.LOG_SIGNING_KEY = str(key)
    return key


# Fixed for the whole run: an event published again must be the very same event.
EVENTS_AT = minutes_ago(180).strftime("%Y-%m-%dT%H:%M:%SZ")


def events(count: int, *, prefix: str = "e") -> list[dict]:
    """`count` distinct audit events, in the order a feed lists them."""
    at = EVENTS_AT
    return [
        {
            "id": f"{prefix}:{n:06d}",
            "at": at,
            "service": "boundary-enforcer",
            "decision": ("blocked", "allowed", "escalated")[n % 3],
            "rule": "cross-tenant-query" if n % 3 != 1 else None,
            "tenant": f"t_{n:016x}",
            "detail": f"Decision {n}" if n % 2 else None,
        }
        for n in range(count)
    ]


def feed(minutes: float, carried: list[dict]) -> dict:
    """The contract's example feed generated `minutes` ago, carrying the events `carried`."""
    payload = dated(json.loads(WITH_EVENTS), minutes_ago(minutes))
    payload["audit_events"] = copy.deepcopy(carried)
    return payload


@pytest.fixture
def ingest_feed(django_capture_on_commit_callbacks) -> Callable[[dict], Result]:
    """Ingests a feed as cron does, running what waits for the commit (checkpoint copies)."""

    def run(payload: dict | bytes) -> Result:
        body = payload if isinstance(payload, bytes) else encode(payload)
        with django_capture_on_commit_callbacks(execute=True):
            return ingest(body, "https://feed.example/metrics")

    return run


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
