"""Every CSV the site writes opens safely in a spreadsheet (OWASP, "CSV Injection")."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from tests.factories import make_events, make_snapshot
from tractatus_site.csvfile import safe_cell

pytestmark = pytest.mark.django_db

HOSTILE = ["=1+2 refused", "+SUM(1,2)", "-3+4", "@SUM(1,1)", "\tcmd", "\rcmd"]


def read(response) -> list[list[str]]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(body.decode(), newline="")))


@pytest.mark.parametrize("text", HOSTILE)
def test_a_cell_a_spreadsheet_would_run_is_written_as_text(text):
    assert safe_cell(text) == f"'{text}"


@pytest.mark.parametrize("text", ["Query without a tenant scope", "a=b", "", "3-4", "'quoted"])
def test_other_text_is_written_as_it_is(text):
    assert safe_cell(text) == text


@pytest.mark.parametrize("number", [-3, 0, 2847, -0.25, 12.5])
def test_numbers_stay_numbers_negative_ones_too(number):
    assert safe_cell(number) == number


def test_nothing_is_an_empty_cell():
    assert safe_cell(None) == ""


@pytest.mark.parametrize("detail", HOSTILE)
def test_audit_csv_neutralises_a_feed_detail_but_json_keeps_it(client, detail):
    snapshot = make_snapshot()
    make_events(snapshot, 1, detail=detail)
    [header, row] = read(client.get("/api/metrics/audit.csv"))
    assert row[header.index("detail")] == f"'{detail}"
    assert client.get("/api/metrics/audit.json").json()["events"][0]["detail"] == detail


def test_the_site_has_one_csv_writer():
    root = Path(__file__).resolve().parents[2]
    apps = ("audit", "measures", "metrics", "reports", "showcase", "staff", "tractatus_site")
    writers = {
        str(path.relative_to(root))
        for app in apps
        for path in (root / app).rglob("*.py")
        if re.search(r"^import csv$", path.read_text(), re.MULTILINE)
    }
    assert writers == {"tractatus_site/csvfile.py"}


def test_the_api_page_says_how_csv_cells_are_written(client):
    assert "written with a leading <code>'</code>" in client.get("/api/").content.decode()
