"""Run pip-audit over the lock files; fail on any known vulnerability not ignored for now.

Ignores live in .ci/audit-ignores, one per line: `VULN-ID  YYYY-MM-DD  reason`. An ignore past
its date fails the audit, so every exception is looked at again. pip-audit failing to run (no
connection to the database at all) fails the audit. When the database answers but knows none
of the locked packages (every one skipped: a package mirror answering for pypi.org without
PyPI's vulnerability data), that is said plainly and the audit passes unless AUDIT_REQUIRED=1;
a database that answers for some packages and not others fails.

pip-audit's own environment variables choose the database: PyPI's by default, or
PIP_AUDIT_VULNERABILITY_SERVICE=osv with PIP_AUDIT_OSV_URL for an OSV mirror (the tests use a
local one, tests/site/test_audit.py).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

IGNORES = Path(__file__).with_name("audit-ignores")


def read_ignores(text: str, today: dt.date) -> tuple[list[str], list[str]]:
    """The vulnerability ids ignored today, and a message for each malformed or expired line."""
    active, problems = [], []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split(None, 2)
        try:
            vuln, expires, reason = parts[0], dt.date.fromisoformat(parts[1]), parts[2]
        except (IndexError, ValueError):
            problems.append(f"audit-ignores:{number}: want `VULN-ID YYYY-MM-DD reason`")
            continue
        if expires < today:
            problems.append(f"audit-ignores:{number}: the ignore of {vuln} expired on {expires}")
        else:
            active.append(vuln)
            print(f"ignoring {vuln} until {expires}: {reason}")
    return active, problems


def main(locks: list[str]) -> int:
    text = IGNORES.read_text() if IGNORES.exists() else ""
    ignored, problems = read_ignores(text, dt.date.today())
    command = [sys.executable, "-m", "pip_audit", "--disable-pip", "--require-hashes",
               "--progress-spinner", "off", "--format", "json"]
    for lock in locks:
        command += ["-r", lock]
    for vuln in ignored:
        command += ["--ignore-vuln", vuln]
    run = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    try:
        report = json.loads(run.stdout)["dependencies"]
    except (ValueError, KeyError):
        print(run.stdout, run.stderr, sep="\n", file=sys.stderr)
        return 1
    problems += judge(report, required=os.environ.get("AUDIT_REQUIRED") == "1")
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


def judge(report: list[dict], *, required: bool) -> list[str]:
    """What fails the audit in pip-audit's JSON report: each vulnerability, each package skipped."""
    problems = []
    skipped = [d for d in report if "skip_reason" in d]
    for dep in report:
        for vuln in dep.get("vulns", []):
            fixes = ", ".join(vuln.get("fix_versions", [])) or "none yet"
            problems.append(f"{dep['name']} {dep['version']}: {vuln['id']} (fixed in {fixes})")
    if skipped and len(skipped) == len(report):
        message = (f"the vulnerability database knows none of the {len(report)} locked packages:"
                   " nothing was audited")
        if required:
            problems.append(message)
        else:
            print(f"WARNING: {message} (AUDIT_REQUIRED=1 makes this fail)", file=sys.stderr)
    elif skipped:
        problems += [f"{d['name']}: not audited ({d['skip_reason']})" for d in skipped]
    elif not problems:
        print(f"{len(report)} locked packages audited: no known vulnerability")
    return problems


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
