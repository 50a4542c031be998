"""deploy/deploy.sh in local mode, end to end: ship, activate, serve, redeploy, roll back.

The script ships the committed tree only, so it runs from a throwaway repository whose one
commit is this working tree as it is now; the deployed site is served by a gunicorn that the
test's RESTART_CMD starts and stops by its pid file.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "Deploy test",
    "GIT_AUTHOR_EMAIL": "deploy-test@example.org",
    "GIT_COMMITTER_NAME": "Deploy test",
    "GIT_COMMITTER_EMAIL": "deploy-test@example.org",
}
RESTART = """#!/bin/sh
# Stop the gunicorn this test started (by its pid file), then serve `current` (the cwd).
if [ -f "{pidfile}" ]; then
  pid=$(cat "{pidfile}")
  kill "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
fi
exec .venv/bin/gunicorn tractatus_site.wsgi:application --bind 127.0.0.1:{port} \\
  --workers 1 --daemon --pid "{pidfile}"
"""


def git(repo: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", "-c", "commit.gpgsign=false", "-C", str(repo), *args],
        capture_output=True, text=True, check=True, env={**os.environ, **GIT_IDENTITY},
    )
    return result.stdout.strip()


def commit_all(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "--short=12", "HEAD")


@pytest.fixture
def source(tmp_path) -> Path:
    """A repository whose HEAD is the working tree's tracked and unignored files, as they are."""
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: deploy.sh ships a commit")
    repo = tmp_path / "source"
    listed = git(ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    for name in filter(None, listed.split("\0")):
        if (ROOT / name).is_file():  # a tracked file deleted in the working tree stays out
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, repo / name)
    git(repo, "init", "-q")
    return repo


class Target:
    """A local deploy target with the operator's .env, and the site it serves once deployed."""

    def __init__(self, tmp_path: Path):
        self.base = tmp_path / "srv"
        self.base.mkdir()
        self.pidfile = tmp_path / "gunicorn.pid"
        self.url = f"http://127.0.0.1:{free_port()}"
        (self.base / ".env").write_text(
            f"SECRET_KEY=deploy-test-{'k' * 50}\n"
            "ALLOWED_HOSTS=127.0.0.1\n"
            f"DATABASE_URL=sqlite:///{self.base / 'db.sqlite3'}\n"
            f"MEDIA_ROOT={self.base / 'media'}\n"
            f"CACHE_URL=filecache://{self.base / 'cache'}\n"
        )
        restart = tmp_path / "restart.sh"
        restart.write_text(RESTART.format(pidfile=self.pidfile, port=self.url.rsplit(":", 1)[1]))
        self.env = {
            "PATH": os.environ["PATH"],
            "HOME": str(tmp_path),
            "RESTART_CMD": f"sh {restart}",
            "HEALTHZ_URL": f"{self.url}/healthz",
            "HEALTHZ_TIMEOUT": "6",
            # The venv running these tests has every dependency: building one would take minutes.
            "DEPLOY_VENV": sys.prefix,
        }

    def deploy(self, source: Path, *flags: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["bash", str(source / "deploy" / "deploy.sh"), *flags, f"local:{self.base}"],
            env=self.env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
            timeout=120, check=False,
        )

    def link(self, name: str) -> str:
        return os.readlink(self.base / name)

    def get(self, path: str) -> requests.Response:
        return requests.get(self.url + path, timeout=5)

    def stop(self) -> None:
        if self.pidfile.exists():
            os.kill(int(self.pidfile.read_text()), signal.SIGTERM)


@pytest.fixture
def target(tmp_path):
    deployed = Target(tmp_path)
    yield deployed
    deployed.stop()


def test_without_yes_and_without_a_terminal_nothing_is_done(source, target):
    commit_all(source, "release")
    result = target.deploy(source)
    assert result.returncode == 1
    assert "Steps:" in result.stdout and "smoke check" in result.stdout
    assert "nothing done" in result.stderr
    assert sorted(p.name for p in target.base.iterdir()) == [".env"]


def test_an_incomplete_env_is_refused_before_anything_changes(source, target):
    commit_all(source, "release")
    (target.base / ".env").write_text("SECRET_KEY=x\n")
    result = target.deploy(source, "--yes")
    assert result.returncode == 1
    assert "must set DATABASE_URL" in result.stderr
    assert not (target.base / "current").exists()


def test_local_deploy_serves_redeploys_and_rolls_back_a_failing_release(source, target):
    first = commit_all(source, "first release")
    result = target.deploy(source, "--yes")
    assert result.returncode == 0, result.stdout + result.stderr
    assert target.link("current") == f"releases/{first}"
    assert target.get("/healthz").status_code == 200
    home = target.get("/")
    assert home.status_code == 200
    assert "Set-Cookie" not in home.headers
    # The release reads the operator's .env through a link; no settings file was shipped.
    assert os.readlink(target.base / "releases" / first / ".env") == "../../.env"

    again = target.deploy(source, "--yes")
    assert again.returncode == 0, again.stdout + again.stderr
    assert [p.name for p in (target.base / "releases").iterdir()] == [first]
    assert target.link("current") == f"releases/{first}"
    assert target.get("/healthz").status_code == 200

    # The second release changes the page chrome; the first one's cached home page, still fresh
    # in the shared cache, must not be served by the second.
    footer = source / "templates" / "includes" / "footer.html"
    footer.write_text(footer.read_text() + "<p>Second release.</p>\n")
    second = commit_all(source, "second release")
    result = target.deploy(source, "--yes")
    assert result.returncode == 0, result.stdout + result.stderr
    assert target.link("current") == f"releases/{second}"
    assert target.link("previous") == f"releases/{first}"
    assert target.get("/healthz").status_code == 200
    assert "Second release." in target.get("/").text

    views = source / "tractatus_site" / "views.py"
    views.write_text(
        views.read_text()
        + "\n\ndef healthz(request):\n    return HttpResponse('broken', status=503)\n"
    )
    broken = commit_all(source, "a release whose smoke check fails")
    result = target.deploy(source, "--yes")
    assert result.returncode == 1
    assert f"{broken} failed its smoke check" in result.stderr
    assert f"roll back to releases/{second}" in result.stdout
    assert target.link("current") == f"releases/{second}"
    assert target.get("/healthz").status_code == 200
