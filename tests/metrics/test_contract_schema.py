"""The published contract: its JSON Schema is what the code generates; the examples keep it."""

from __future__ import annotations

import copy
import json
import locale
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from metrics import feed
from metrics.feed import SCHEMA_PATH, schema_text

from .conftest import CONTRACT, EXAMPLE

EXAMPLES = sorted((CONTRACT / "examples").glob("*.json"))


def committed_schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def schema_errors(document) -> list[str]:
    validator = Draft202012Validator(
        committed_schema(), format_checker=Draft202012Validator.FORMAT_CHECKER
    )
    return [error.message for error in validator.iter_errors(document)]


def test_the_committed_schema_is_what_the_code_generates():
    assert SCHEMA_PATH.read_text(encoding="utf-8") == schema_text(), (
        f"{SCHEMA_PATH.relative_to(Path.cwd())} is out of date: run `make schema`"
    )


def test_the_published_description_states_every_rule_in_its_functions_own_words():
    published = committed_schema()["description"]
    assert published == feed.description()
    # Every rule, in the order RULES lists them (a missing one would raise ValueError here).
    found = [published.index(" ".join(rule.__doc__.split())) for rule in feed.RULES]
    assert found == sorted(found)


def test_python_m_metrics_feed_prints_the_schema_or_writes_the_published_copy(
    capsys, monkeypatch, tmp_path
):
    assert feed.main([]) == 0
    assert capsys.readouterr().out == schema_text()
    published = tmp_path / "framework-metrics-v1.schema.json"
    monkeypatch.setattr(feed, "SCHEMA_PATH", published)
    assert feed.main(["--write"]) == 0
    assert published.read_text(encoding="utf-8") == schema_text()
    assert capsys.readouterr().out == f"wrote {published}\n"


def test_the_published_copy_is_written_in_utf_8_whatever_the_machines_locale(
    monkeypatch, tmp_path
):
    published = tmp_path / "framework-metrics-v1.schema.json"
    monkeypatch.setattr(feed, "SCHEMA_PATH", published)
    previous = locale.setlocale(locale.LC_CTYPE)
    locale.setlocale(locale.LC_CTYPE, "C")  # a machine whose default encoding is ASCII
    try:
        feed.main(["--write"])
    finally:
        locale.setlocale(locale.LC_CTYPE, previous)
    assert "±" in schema_text()
    assert published.read_bytes() == schema_text().encode("utf-8")


def test_the_committed_schema_is_a_valid_draft_2020_12_schema():
    schema = committed_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_every_example_keeps_the_committed_schema(path):
    assert schema_errors(json.loads(path.read_text(encoding="utf-8"))) == []


@pytest.mark.django_db
@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_every_example_is_accepted_by_the_site(path, ingest_command, time_machine):
    generated_at = json.loads(path.read_text(encoding="utf-8"))["generated_at"]
    time_machine.move_to(datetime.fromisoformat(generated_at) + timedelta(minutes=1))
    status, out = ingest_command("--file", str(path))
    assert status == 0, out


@pytest.mark.parametrize(
    ("where", "value"),
    [
        (("schema_version",), 2),
        (("generated_at",), "yesterday"),
        (("services", 0, "windows", "7d", "operations"), 3.5),
        (("services", 0, "windows", "1h"), {"operations": 1, "blocked": 0}),
        (("services", 1, "key"), "Not A Slug"),
        (("boundary_blocks_by_rule", 0, "label"), ""),
        (("context_pressure", "window"), "7d"),
        (("enforcement", "uptime_percent"), 101),
    ],
)
def test_the_schema_refuses_what_the_contract_refuses(where, value):
    feed = copy.deepcopy(EXAMPLE)
    *parents, last = where
    target = feed
    for part in parents:
        target = target[part]
    target[last] = value
    assert schema_errors(feed)
