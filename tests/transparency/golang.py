"""Go's own transparency-log clients, built from Debian's packages, run against a log.

tests/transparency/gocheck/ is a small Go program that verifies a log with
golang.org/x/mod/sumdb/note and sumdb/tlog; it is built offline, in GOPATH mode, from
Debian's golang-go and golang-golang-x-mod-dev (`.ci/run` installs both).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parent / "gocheck"
GOPATH = Path("/usr/share/gocode")
TLOG = GOPATH / "src/golang.org/x/mod/sumdb/tlog"


def build_gocheck(workdir: Path) -> Path:
    """The gocheck binary, built in `workdir` (skips the test when Go or the package is absent)."""
    go = shutil.which("go")
    if go is None:
        pytest.skip("Go is not installed (apt-get install golang-go; .ci/run does)")
    if not TLOG.is_dir():
        pytest.skip(f"{TLOG} is missing (apt-get install golang-golang-x-mod-dev; .ci/run does)")
    binary = workdir / "gocheck"
    environment = {
        **os.environ, "GO111MODULE": "off", "GOPATH": str(GOPATH), "GOFLAGS": "",
        "GOCACHE": str(workdir / "cache"), "CGO_ENABLED": "0", "GOTOOLCHAIN": "local",
    }
    subprocess.run([go, "build", "-o", str(binary), "."], cwd=SOURCE, env=environment,
                   check=True, capture_output=True, timeout=600)
    return binary
