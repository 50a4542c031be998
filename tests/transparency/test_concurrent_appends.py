"""Writers racing on two processes make one linear log: no gap, no index used twice.

Real processes, as two machines' cron jobs would be; on SQLite they share a database file, on
PostgreSQL the test database itself, where the head row's lock is what orders them.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.metrics.conftest import encode
from tests.metrics.test_concurrent_runs import ROOT, child_env, manage  # noqa: F401 - fixture
from transparency.notes import Signer

from .conftest import SITE_ORIGIN, events, feed

APPENDS = 40
WRITER = """
from transparency import log
for n in range({count}):
    log.append({{"kind": "evidence", "writer": "{name}", "n": n}})
"""
REPORT = """
import json
from transparency import integrity
from transparency.models import Checkpoint, LogEntry
report = integrity.verify()
print(json.dumps({
    "indexes": list(LogEntry.objects.order_by("index").values_list("index", flat=True)),
    "entries": [json.loads(bytes(d)) for d in LogEntry.objects.order_by("index")
                .values_list("data", flat=True)],
    "checkpoints": sorted(Checkpoint.objects.values_list("size", flat=True)),
    "problems": report.problems,
}))
"""


@pytest.fixture
def signing_env(child_env, tmp_path) -> dict:  # noqa: F811 - the imported fixture, extended
    return {
        **child_env,
        "LOG_SIGNING_KEY": str(Signer.generate(SITE_ORIGIN)),
        "LOG_CHECKPOINT_DIR": str(tmp_path / "published"),
    }


def together(env: dict, *commands: list[str]) -> list[subprocess.CompletedProcess]:
    children = [
        subprocess.Popen(
            [sys.executable, "manage.py", *command], cwd=ROOT, env=env,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for command in commands
    ]
    finished = []
    for child in children:
        out, err = child.communicate(timeout=180)
        assert "Traceback" not in err, err
        finished.append(subprocess.CompletedProcess(child.args, child.returncode, out, err))
    return finished


def state(env: dict) -> dict:
    result = manage(env, "shell", "--verbosity", "0", "--command", REPORT)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.django_db(transaction=True)
def test_two_appenders_at_once_make_one_log_without_gaps(signing_env):
    writers = [
        ["shell", "--verbosity", "0", "--command", WRITER.format(count=APPENDS, name=name)]
        for name in ("a", "b")
    ]
    assert [child.returncode for child in together(signing_env, *writers)] == [0, 0]
    log = state(signing_env)
    assert log["indexes"] == list(range(2 * APPENDS))
    for name in ("a", "b"):  # each writer's entries in the order it appended them
        assert [e["n"] for e in log["entries"] if e["writer"] == name] == list(range(APPENDS))
    assert log["checkpoints"] == list(range(1, 2 * APPENDS + 1))
    assert log["problems"] == []


@pytest.mark.django_db(transaction=True)
def test_two_ingests_at_once_log_each_accepted_snapshot_once(signing_env, tmp_path):
    older, newer = tmp_path / "older.json", tmp_path / "newer.json"
    older.write_bytes(encode(feed(10, events(30, prefix="a"))))
    newer.write_bytes(encode(feed(5, events(30, prefix="b"))))
    runs = together(
        signing_env,
        ["ingest_metrics", "--file", str(older)],
        ["ingest_metrics", "--file", str(newer)],
    )
    assert [run.returncode for run in runs] == [0, 0]
    accepted = sum(run.stdout.startswith("accepted") for run in runs)
    log = state(signing_env)
    assert log["problems"] == []
    assert log["indexes"] == list(range(accepted * 31))
    assert [e["kind"] for e in log["entries"]].count("snapshot") == accepted
