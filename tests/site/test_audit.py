"""`make audit`: pip-audit over the lock fails on a known vulnerability, against a local OSV.

The real databases (PyPI's, OSV's) are not reachable from the tests, so a server on 127.0.0.1
answers OSV's query API (https://google.github.io/osv.dev/post-v1-query/) for pip-audit.
"""

from __future__ import annotations

import datetime as dt
import http.server
import importlib.util
import json
import threading
from pathlib import Path

import pytest

from tests.site.test_lock import locked

ROOT = Path(__file__).resolve().parents[2]
LOCK = str(ROOT / "requirements.txt")
VULN = "GHSA-test-0001"

spec = importlib.util.spec_from_file_location("ci_audit", ROOT / ".ci" / "audit.py")
audit = importlib.util.module_from_spec(spec)
spec.loader.exec_module(audit)


class Osv(http.server.ThreadingHTTPServer):
    """OSV's POST /v1/query: a vulnerability for each package named in `vulnerable`."""

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), OsvQuery)
        self.vulnerable: set[str] = set()
        self.asked: list[tuple[str, str]] = []
        self.url = f"http://127.0.0.1:{self.server_address[1]}/v1/query"


class OsvQuery(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        query = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        name, version = query["package"]["name"], query["version"]
        self.server.asked.append((name, version))
        answer = {}
        if name in self.server.vulnerable:
            answer = {"vulns": [{
                "id": VULN, "summary": "A flaw for the test",
                "affected": [{
                    "package": {"name": name, "ecosystem": "PyPI"},
                    "ranges": [{"type": "ECOSYSTEM",
                                "events": [{"introduced": "0"}, {"fixed": "99.0"}]}],
                }],
            }]}
        body = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def osv(monkeypatch, tmp_path):
    server = Osv()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    # pip-audit's own settings: the OSV service, at this address.
    monkeypatch.setenv("PIP_AUDIT_VULNERABILITY_SERVICE", "osv")
    monkeypatch.setenv("PIP_AUDIT_OSV_URL", server.url)
    monkeypatch.setattr(audit, "IGNORES", tmp_path / "audit-ignores")
    yield server
    server.shutdown()
    server.server_close()


def test_a_clean_lock_passes_and_every_pin_was_asked_about(osv, capsys):
    assert audit.main([LOCK]) == 0
    pins = locked("requirements.txt")
    assert sorted(osv.asked) == sorted((name, version) for name, (version, _) in pins.items())
    assert "locked packages audited: no known vulnerability" in capsys.readouterr().out


def test_a_known_vulnerability_fails_the_audit(osv, capsys):
    osv.vulnerable = {"django"}
    assert audit.main([LOCK]) == 1
    version = locked("requirements.txt")["django"][0]
    assert f"django {version}: {VULN} (fixed in 99.0)" in capsys.readouterr().err


def test_an_ignore_holds_until_its_date_and_then_fails_again(osv, capsys):
    osv.vulnerable = {"django"}
    tomorrow, yesterday = dt.date.today() + dt.timedelta(days=1), dt.date.today() - dt.timedelta(1)
    audit.IGNORES.write_text(f"# why each\n{VULN}  {tomorrow}  no fix released; unused code path\n")
    assert audit.main([LOCK]) == 0
    assert f"ignoring {VULN} until {tomorrow}" in capsys.readouterr().out
    audit.IGNORES.write_text(f"{VULN}  {yesterday}  no fix released; unused code path\n")
    assert audit.main([LOCK]) == 1
    assert f"the ignore of {VULN} expired on {yesterday}" in capsys.readouterr().err


def test_an_ignore_without_a_reason_or_date_is_refused():
    active, problems = audit.read_ignores(f"{VULN} 2099-01-01\n{VULN} someday reason\n",
                                          dt.date.today())
    assert active == [] and len(problems) == 2


def test_a_database_that_cannot_be_reached_fails_the_audit(osv, monkeypatch):
    monkeypatch.setenv("PIP_AUDIT_OSV_URL", "http://127.0.0.1:9/v1/query")  # nobody listens
    assert audit.main([LOCK]) == 1


SKIPPED = {"name": "django", "skip_reason": "Dependency not found on PyPI and could not be audited"}


def test_a_database_that_knows_no_package_warns_unless_the_audit_is_required(capsys):
    # What a package mirror answering for pypi.org without PyPI's vulnerability data gives.
    report = [SKIPPED, {**SKIPPED, "name": "requests"}]
    assert audit.judge(report, required=False) == []
    assert "WARNING: the vulnerability database knows none of the 2" in capsys.readouterr().err
    assert audit.judge(report, required=True) != []


def test_a_database_that_knows_some_packages_only_fails():
    report = [SKIPPED, {"name": "requests", "version": "2.32.0", "vulns": []}]
    assert audit.judge(report, required=False) == [
        "django: not audited (Dependency not found on PyPI and could not be audited)"
    ]
