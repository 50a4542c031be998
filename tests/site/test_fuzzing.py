"""Schemathesis against the site as deployed: deploy/gunicorn.sh on 127.0.0.1, demo data,
every operation of /api/openapi.json, with no server error and no answer that breaks the
description. The same server shows that a forwarded header counts only when configured."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
# Everything but the checks that need business knowledge a schema cannot carry: that a
# syntactically valid sha256 names a stored snapshot, or that a path is a published page.
CHECKS = ",".join([
    "not_a_server_error", "status_code_conformance", "content_type_conformance",
    "response_headers_conformance", "response_schema_conformance",
])


class Deployed:
    """The site served by deploy/gunicorn.sh from a throwaway SQLite database with demo data."""

    def __init__(self, workdir: Path, **settings: str):
        port = free_port()
        self.workdir = workdir
        self.url = f"http://127.0.0.1:{port}"
        self.env = {
            **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
            "DEBUG": "0", "SECRET_KEY": "fuzz-" + "k" * 60, "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": f"sqlite:///{workdir / 'site.sqlite3'}",
            "CACHE_URL": f"filecache://{workdir / 'cache'}",
            "SITE_URL": self.url, "BIND": f"127.0.0.1:{port}", "WORKERS": "2",
            **settings,
        }
        for args in (("migrate", "--noinput"), ("collectstatic", "--noinput"),
                     ("ingest_metrics", "--demo")):
            subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env,
                           check=True, capture_output=True, timeout=300)
        self.process = subprocess.Popen(
            ["bash", "deploy/gunicorn.sh"], cwd=ROOT, env=self.env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                requests.get(f"{self.url}/healthz", timeout=1, allow_redirects=False)
                return
            except (requests.ConnectionError, requests.Timeout):  # still booting
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer within 60 s")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=20)


@pytest.fixture(scope="module")
def deployed(tmp_path_factory):
    site = Deployed(tmp_path_factory.mktemp("fuzz"))
    yield site
    site.stop()


def test_schemathesis_finds_nothing_over_every_operation(deployed):
    # One worker: Schemathesis' threads can trip over Python's parser (a runtime error of the
    # tool, not of the site).
    result = subprocess.run(
        [shutil.which("schemathesis", path=str(Path(sys.executable).parent)), "run",
         f"{deployed.url}/api/openapi.json", "--checks", CHECKS, "--workers", "1",
         "--max-examples", "20", "--seed", "1", "--request-timeout", "30"],
        # Run where it may leave its cache (.schemathesis/), outside the repository.
        cwd=deployed.workdir, capture_output=True, text=True, timeout=900, check=False,
    )
    assert result.returncode == 0, result.stdout[-6000:]
    # Every operation the description names was run, however many there are.
    described = requests.get(f"{deployed.url}/api/openapi.json", timeout=30).json()["paths"]
    operations = sum(len(methods) for methods in described.values())
    assert operations >= 12
    assert f"{operations} selected / {operations} total" in result.stdout


@pytest.mark.parametrize(("configured", "scheme"), [(False, "http"), (True, "https")])
def test_a_forwarded_scheme_counts_only_when_configured(tmp_path, configured, scheme):
    # SECURE_SSL_REDIRECT sends plain requests to https: a request the proxy header says is
    # https already is served only when the deployment trusts that header.
    site = Deployed(tmp_path, SECURE_SSL_REDIRECT="1",
                    **({"SECURE_PROXY_SSL_HEADER": "1"} if configured else {}))
    try:
        response = requests.get(f"{site.url}/robots.txt", allow_redirects=False, timeout=10,
                                headers={"X-Forwarded-Proto": "https"})
    finally:
        site.stop()
    assert response.status_code == (200 if configured else 301)
    assert (scheme == "https") == configured
