"""The lock files: every requirement pinned with hashes; this environment installed from them."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)")


def locked(name: str) -> dict[str, tuple[str, list[str]]]:
    """Each package of a lock file: its pinned version and its hashes."""
    pins: dict[str, tuple[str, list[str]]] = {}
    current = None
    for line in (ROOT / name).read_text().splitlines():
        if match := PIN.match(line):
            current = canonicalize_name(match[1])
            pins[current] = (match[2], [])
        elif current and (digest := re.search(r"--hash=sha256:([0-9a-f]{64})", line)):
            pins[current][1].append(digest[1])
        elif not line.startswith(" "):
            current = None
    return pins


PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
RUNTIME = [Requirement(spec) for spec in PROJECT["dependencies"]]
EXTRAS = [Requirement(s) for specs in PROJECT["optional-dependencies"].values() for s in specs]


@pytest.mark.parametrize(("lock", "requirements"), [
    ("requirements.txt", RUNTIME),
    ("requirements-dev.txt", RUNTIME + EXTRAS),
])
def test_every_requirement_of_pyproject_is_pinned_within_its_range(lock, requirements):
    pins = locked(lock)
    stale = [
        str(requirement) for requirement in requirements
        if canonicalize_name(requirement.name) not in pins
        or pins[canonicalize_name(requirement.name)][0] not in requirement.specifier
    ]
    assert stale == [], f"pyproject.toml changed without `make lock`: {stale}"


@pytest.mark.parametrize("lock", ["requirements.txt", "requirements-dev.txt"])
def test_every_pin_carries_hashes(lock):
    pins = locked(lock)
    assert len(pins) > len(RUNTIME)
    assert [name for name, (_, hashes) in pins.items() if not hashes] == []


def test_the_dev_lock_runs_what_production_runs():
    production, development = locked("requirements.txt"), locked("requirements-dev.txt")
    assert {name: development.get(name, ("missing",))[0] for name in production} == {
        name: version for name, (version, _) in production.items()
    }


def test_this_environment_was_installed_from_the_lock():
    installed = {canonicalize_name(d.metadata["Name"]): d.version for d in metadata.distributions()}
    pins = locked("requirements-dev.txt")
    assert {name: installed.get(name) for name in pins} == {n: v for n, (v, _) in pins.items()}
