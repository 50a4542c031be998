"""Several nodes, one truth: two gunicorn nodes on one PostgreSQL and one Redis, and a cron.

Node A and node B are two gunicorn processes (2 workers each) on different ports, sharing a
PostgreSQL database and a Redis, as two web machines behind a load balancer would; `cron` is
a third process running management commands against the same database and cache.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
import requests

from tests.services import postgres_url

from .conftest import Site, sign_in
from .test_browser import feed

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
# Long enough that no page expires on its own while a test edits and looks.
PAGE_CACHE_SECONDS = 10


@pytest.fixture(scope="module")
def nodes(tmp_path_factory, redis):
    workdir = tmp_path_factory.mktemp("nodes")
    shared = {
        "DATABASE_URL": postgres_url("tractatus_nodes"),
        "CACHE_URL": redis.url.rsplit("/", 1)[0] + "/1",
        "PAGE_CACHE_SECONDS": str(PAGE_CACHE_SECONDS),
        "CACHE_KEY_PREFIX": "nodes",
    }
    a, b = Site(workdir, **shared), Site(workdir, **shared)
    a.start()  # migrates the shared database, then serves
    b.serve()
    yield a, b
    a.stop()
    b.stop()


def text(site: Site, path: str) -> str:
    response = requests.get(site.url + path, timeout=10)
    assert response.status_code == 200, (site.url, path)
    return response.text


def warm(*sites: Site, paths=("/", "/enforcement/", "/api/metrics/latest.json")) -> None:
    for site in sites:
        for path in paths:
            for _ in range(4):  # every worker of the node, from the cache or its own memory
                text(site, path)


def test_an_ingest_by_the_cron_node_is_what_both_nodes_show_next(nodes, tmp_path):
    a, b = nodes
    # `manage` runs in a third process: the scheduled-jobs node.
    assert a.manage("ingest_metrics", "--file", feed(tmp_path, 20, 2847)).returncode == 0
    warm(a, b)
    result = a.manage("ingest_metrics", "--file", feed(tmp_path, 10, 3111))
    assert result.returncode == 0, result.stdout + result.stderr
    for site in (a, b):
        assert "3,111" in text(site, "/"), site.url
        assert "3,111" in text(site, "/enforcement/"), site.url
        latest = requests.get(site.url + "/api/metrics/latest.json", timeout=10).json()
        assert latest["services"][0]["windows"]["30d"]["operations"] == 3111


def test_an_editors_save_on_node_a_is_what_node_b_serves_next(nodes, desktop):
    a, b = nodes
    sign_in(desktop, a)
    desktop.goto(a.url + "/admin/showcase/sitesettings/1/change/")
    warm(a, b)
    desktop.fill("#id_banner_text", "Saved on node A.")
    desktop.click("input[name=_save]")
    desktop.wait_for_url(re.compile(r"/admin/showcase/sitesettings/"))
    for _ in range(4):  # whichever of node B's workers answers
        assert "Saved on node A." in text(b, "/")


def test_two_ingests_of_one_new_payload_at_once_store_one_snapshot(nodes, tmp_path):
    a, b = nodes
    path = feed(tmp_path, 1, 3222)
    both = [
        subprocess.Popen(
            site.command("ingest_metrics", "--file", path),
            cwd=ROOT, env=site.env, stdout=subprocess.PIPE, text=True,
        )
        for site in (a, b)
    ]
    outcomes = sorted(process.communicate(timeout=120)[0].split(":")[0] for process in both)
    assert outcomes == ["accepted", "unchanged"]
    log = requests.get(a.url + "/api/metrics/log.json", timeout=10).json()["entries"]
    latest = requests.get(b.url + "/api/metrics/latest.json", timeout=10).json()
    stored = [e for e in log if e["outcome"] == "accepted"]
    assert [e["snapshot"]["sha256"] for e in stored].count(latest["sha256"]) == 1


def test_a_restored_backup_shows_on_no_node_what_it_no_longer_holds(nodes, tmp_path):
    a, b = nodes
    assert a.manage("ingest_metrics", "--file", feed(tmp_path, 0.75, 765432)).returncode == 0
    database = a.env["DATABASE_URL"]
    backup = tmp_path / "backup.dump"
    subprocess.run([pg("pg_dump"), "-Fc", "-f", str(backup), database], check=True)
    assert a.manage("ingest_metrics", "--file", feed(tmp_path, 0.5, 987654)).returncode == 0
    warm(a, b)
    assert "987,654" in text(b, "/")

    subprocess.run(
        [pg("pg_restore"), "--clean", "--if-exists", "--single-transaction", "-d", database,
         str(backup)],
        check=True,
    )
    restored = time.monotonic()
    for site in (a, b):  # the data answers read the database's own state: at once
        latest = requests.get(site.url + "/api/metrics/latest.json", timeout=10).json()
        assert latest["services"][0]["windows"]["30d"]["operations"] == 765432
    # Every page was cached before the restore, and none is kept past PAGE_CACHE_SECONDS.
    time.sleep(max(restored + PAGE_CACHE_SECONDS + 1 - time.monotonic(), 0))
    for site in (a, b):
        for path in ("/", "/enforcement/", "/metrics/", "/api/metrics/figures.json"):
            for _ in range(4):
                assert "987,654" not in text(site, path), (site.url, path)
        for path in ("/", "/enforcement/"):
            for _ in range(4):  # what the backup held, from every worker
                assert "765,432" in text(site, path), (site.url, path)


def pg(tool: str) -> str:
    """A PostgreSQL client program: on the PATH, or in Debian's server package."""
    return shutil.which(tool) or str(sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{tool}"))[-1])
