"""Overlapping cron runs, as real processes: a snapshot is stored once and whole, never forked.

The children use a database of their own making on SQLite (the test database there lives in
memory) and the test database itself on PostgreSQL.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings

from .conftest import dated, encode, minutes_ago

ROOT = Path(__file__).resolve().parents[2]
REPORT = """
import json
from metrics.chain import verify_chain
from metrics.models import IngestRun, ServiceDay, ServiceWindow, Snapshot
print(json.dumps({
    "snapshots": Snapshot.objects.count(),
    "windows": ServiceWindow.objects.count(),
    "days": ServiceDay.objects.count(),
    "runs": sorted(IngestRun.objects.values_list("outcome", flat=True)),
    "chain_intact": verify_chain().intact,
}))
"""


def manage(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )


def postgres_url(database: dict) -> str:
    """A DATABASE_URL naming the database Django is connected to (the test database)."""
    credentials = quote(database["USER"] or "", safe="")
    if database.get("PASSWORD"):
        credentials += ":" + quote(database["PASSWORD"], safe="")
    port = f":{database['PORT']}" if database.get("PORT") else ""
    host = quote(database["HOST"] or "localhost", safe="")
    return f"postgres://{credentials}@{host}{port}/{quote(database['NAME'], safe='')}"


@pytest.fixture
def child_env(tmp_path) -> dict:
    """The environment of `manage.py` children sharing one migrated database with this test."""
    env = {
        **os.environ,
        "SECRET_KEY": os.environ.get("SECRET_KEY", "tests-only"),
        "CACHE_URL": f"filecache://{tmp_path / 'cache'}",
    }
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'concurrent.sqlite3'}"
        migrated = manage(env, "migrate", "--noinput")
        assert migrated.returncode == 0, migrated.stderr
    elif database["ENGINE"] == "django.db.backends.postgresql":
        env["DATABASE_URL"] = postgres_url(database)
    else:
        pytest.skip(f"no way to share a database with children on {database['ENGINE']}")
    return env


# Each child waits at a start line until both have booted, then ingests. Once it holds the writer
# lock and has read the latest snapshot, it waits MEETING seconds for the other to get as far:
# under a working lock the other cannot, so the first stores alone; under a broken one both are
# there at once, both store on the same latest snapshot, and the test fails every time.
MEETING = 3.0
CHILD = """
import os, sys, time
from pathlib import Path
from django.core.management import call_command
from metrics import ingest

barrier, me = Path(os.environ["BARRIER"]), os.environ["CHILD"]

def meet(name, timeout):
    (barrier / f"{name}-{me}").touch()
    deadline = time.monotonic() + timeout
    while len(list(barrier.glob(f"{name}-*"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.005)

read_latest = ingest.latest_snapshot

def latest_then_meet():
    latest = read_latest()
    meet("inside", float(os.environ["MEETING"]))
    return latest

ingest.latest_snapshot = latest_then_meet
meet("start", 120)
call_command("ingest_metrics", "--file", os.environ["FEED"])
"""


def released_together(env: dict, barrier: Path, *paths: Path) -> list[tuple[int, str]]:
    """One `ingest_metrics --file PATH` per path, in children released by a barrier."""
    barrier.mkdir()
    children = [
        subprocess.Popen(
            [sys.executable, "manage.py", "shell", "--verbosity", "0", "--command", CHILD],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**env, "BARRIER": str(barrier), "CHILD": str(n), "FEED": str(path),
                 "MEETING": str(MEETING)},
        )
        for n, path in enumerate(paths)
    ]
    results = []
    for child in children:
        out, err = child.communicate(timeout=120)
        assert "Traceback" not in err, err
        results.append((child.returncode, out.strip()))
    return results


def stored(env: dict) -> dict:
    result = manage(env, "shell", "--verbosity", "0", "--command", REPORT)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.django_db(transaction=True)
def test_two_runs_of_the_same_payload_at_once_store_it_once(child_env, example, tmp_path):
    path = tmp_path / "same.json"
    path.write_bytes(encode(example))
    results = released_together(child_env, tmp_path / "barrier", path, path)
    assert [status for status, _ in results] == [0, 0]
    # The second found it stored, not a unique index refusing its own copy.
    assert sorted(out.split(" ")[0] for _, out in results) == ["accepted:", "unchanged:"]
    assert "unchanged: identical to the latest snapshot" in [out for _, out in results]
    assert stored(child_env) == {
        "snapshots": 1,
        "windows": 6 * 3,
        "days": 6 * 30,
        "runs": ["accepted", "unchanged"],
        "chain_intact": True,
    }


@pytest.mark.django_db(transaction=True)
def test_two_runs_of_different_payloads_at_once_never_fork_the_chain(
    child_env, example, tmp_path
):
    older, newer = tmp_path / "older.json", tmp_path / "newer.json"
    older.write_bytes(encode(dated(example, minutes_ago(10))))
    newer.write_bytes(encode(dated(example, minutes_ago(5))))
    results = released_together(child_env, tmp_path / "barrier", older, newer)
    assert [status for status, _ in results] == [0, 0]
    state = stored(child_env)
    assert state["chain_intact"]
    # The older one is stored too if it came first, and is out of order if it came second.
    assert state["runs"] in (["accepted", "accepted"], ["accepted", "out_of_order"])
    assert state["snapshots"] == state["runs"].count("accepted")
