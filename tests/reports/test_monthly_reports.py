"""Monthly reports: figures from the stored daily series, commentary kept, public pages."""

import hashlib
from datetime import UTC, date, datetime, timedelta
from io import StringIO
from xml.etree import ElementTree

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import TestCase

from metrics.charts import NO_DATA
from metrics.models import ServiceDay, Snapshot
from reports.models import MonthlyReport

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


def snapshot_on(generated_at: datetime, days: dict, source="mysovereignty.digital"):
    """An accepted snapshot reporting {key: {date: operations}} (blocked = operations // 10)."""
    raw = f"{generated_at.isoformat()} {source}".encode()
    snapshot = Snapshot.objects.create(
        raw=raw, sha256=hashlib.sha256(raw).hexdigest(), generated_at=generated_at,
        source=source, deployed_since=date(2024, 10, 1), tenant_isolation_24h=1,
        tenant_isolation_7d=7, tenant_isolation_30d=30, uptime_percent=100.0, bypasses=0,
    )
    for key, series in days.items():
        for day, operations in series.items():
            ServiceDay.objects.create(snapshot=snapshot, key=key, date=day,
                                      operations=operations, blocked=operations // 10)
    return snapshot


def october(first: int, last: int, operations: int) -> dict:
    return {date(2026, 10, d): operations for d in range(first, last + 1)}


def run(*args) -> str:
    """The command, committed as its run is (what waits for a commit runs when it ends)."""
    out = StringIO()
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("publish_monthly_report", *args, stdout=out)
    return out.getvalue().strip()


def test_a_later_snapshot_wins_each_day_and_gaps_are_counted():
    early = snapshot_on(datetime(2026, 10, 15, tzinfo=UTC),
                        {"boundary-enforcer": october(1, 14, 10)})
    late = snapshot_on(datetime(2026, 10, 20, tzinfo=UTC),
                       {"boundary-enforcer": october(10, 19, 20)})
    assert "draft" in run("--month", "2026-10")
    report = MonthlyReport.objects.get(month=date(2026, 10, 1))
    [service] = report.figures["services"]
    assert service["name"] == "BoundaryEnforcer"
    assert service["operations"] == 9 * 10 + 10 * 20
    assert service["blocked"] == 9 * 1 + 10 * 2
    assert service["days_with_data"] == 19
    assert report.figures["days_in_month"] == 31
    assert report.figures["snapshots"] == [early.sha256, late.sha256]
    assert report.figures["latest"]["sha256"] == late.sha256
    assert report.published is False


def test_a_feed_key_no_editor_mapped_is_left_out():
    snapshot_on(datetime(2026, 10, 20, tzinfo=UTC),
                {"boundary-enforcer": october(1, 3, 5), "unmapped-service": october(1, 3, 99)})
    run("--month", "2026-10")
    keys = [s["key"] for s in MonthlyReport.objects.get().figures["services"]]
    assert keys == ["boundary-enforcer"]


def test_the_change_against_the_previous_month_needs_data_in_both():
    snapshot_on(datetime(2026, 10, 31, tzinfo=UTC), {
        "boundary-enforcer": {date(2026, 9, 30): 50, **october(1, 2, 40)},
        "metacognitive-verifier": october(1, 2, 7),
    })
    run("--month", "2026-10")
    services = {s["key"]: s for s in MonthlyReport.objects.get().figures["services"]}
    assert services["boundary-enforcer"]["change_operations"] == 80 - 50
    assert services["metacognitive-verifier"]["change_operations"] is None


def test_a_month_without_data_creates_nothing():
    snapshot_on(datetime(2026, 10, 20, tzinfo=UTC), {"boundary-enforcer": october(1, 3, 5)})
    assert run("--month", "2026-08") == "no data for 2026-08"
    assert not MonthlyReport.objects.exists()


def test_the_default_month_is_the_one_just_ended():
    snapshot_on(datetime(2026, 10, 20, tzinfo=UTC), {"boundary-enforcer": october(1, 3, 5)})
    run()
    assert MonthlyReport.objects.get().month == date(2026, 10, 1)


def test_the_current_month_is_labelled_month_to_date():
    snapshot_on(NOW - timedelta(hours=1),
                {"boundary-enforcer": {date(2026, 11, 24): 3}})
    assert "month to date" in run("--month", "2026-11")


@pytest.mark.parametrize(("month", "message"), [
    ("2026-13", "must look like YYYY-MM"),
    ("26-10", "must look like YYYY-MM"),
    ("2026-12", "is in the future"),
])
def test_a_malformed_or_future_month_is_refused(month, message):
    with pytest.raises(CommandError, match=message):
        run("--month", month)


def atom_entries(client) -> list[dict]:
    atom = "{http://www.w3.org/2005/Atom}"
    feed = ElementTree.fromstring(client.get("/reports/feed.xml").content)
    return [
        {"title": entry.findtext(f"{atom}title"), "summary": entry.findtext(f"{atom}summary")}
        for entry in feed.iter(f"{atom}entry")
    ]


def test_demo_data_says_so_on_the_report_and_in_its_atom_entry(client):
    snapshot_on(datetime(2026, 10, 20, tzinfo=UTC), {"boundary-enforcer": october(1, 3, 5)},
                source="demo")
    run("--month", "2026-10", "--publish")
    body = client.get("/reports/2026/10/").content.decode()
    assert "Demo data" in body
    [entry] = atom_entries(client)
    assert entry["title"] == "Enforcement report: October 2026 (demo data)"
    assert entry["summary"].startswith("Demo data, not production figures: 15 framework")


def test_a_production_report_is_not_labelled_demo_in_atom(client):
    snapshot_on(datetime(2026, 10, 20, tzinfo=UTC), {"boundary-enforcer": october(1, 3, 5)})
    run("--month", "2026-10", "--publish")
    [entry] = atom_entries(client)
    assert "demo" not in (entry["title"] + entry["summary"]).lower()


def test_a_rerun_regenerates_figures_and_keeps_the_commentary():
    snapshot_on(datetime(2026, 10, 20, tzinfo=UTC), {"boundary-enforcer": october(1, 3, 5)})
    run("--month", "2026-10")
    report = MonthlyReport.objects.get()
    report.commentary = "A quiet month: **no** bypasses."
    report.save()
    snapshot_on(datetime(2026, 10, 25, tzinfo=UTC), {"boundary-enforcer": october(1, 3, 6)})
    run("--month", "2026-10")
    report.refresh_from_db()
    assert report.figures["services"][0]["operations"] == 18
    assert report.commentary == "A quiet month: **no** bypasses."
    assert "<strong>no</strong>" in report.commentary_html


def test_drafts_are_private_and_publishing_lists_them(client, staff_client):
    snapshot = snapshot_on(datetime(2026, 10, 20, tzinfo=UTC),
                           {"boundary-enforcer": october(1, 3, 5)})
    run("--month", "2026-10")
    assert client.get("/reports/2026/10/").status_code == 404
    assert b"draft" in staff_client.get("/reports/2026/10/?preview=1").content
    assert b"2026" not in client.get("/reports/").content.split(b'id="main"')[1]
    run("--month", "2026-10", "--publish")
    body = client.get("/reports/2026/10/").content.decode()
    assert "Enforcement report: October 2026" in body
    assert f'href="/api/metrics/snapshots/{snapshot.sha256}.json"' in body
    assert "15</td>" in body  # 3 days x 5 operations
    assert "3 of 31" in body
    assert "/reports/2026/10/" in client.get("/reports/").content.decode()
    assert "/reports/2026/10/" in client.get("/sitemap.xml").content.decode()


def test_the_atom_feed_parses_and_lists_only_published_reports(client):
    snapshot_on(datetime(2026, 10, 20, tzinfo=UTC), {"boundary-enforcer": october(1, 3, 5)})
    snapshot_on(datetime(2026, 11, 2, tzinfo=UTC),
                {"boundary-enforcer": {**october(1, 3, 5), date(2026, 11, 1): 4}})
    run("--month", "2026-10", "--publish")
    run("--month", "2026-11")
    response = client.get("/reports/feed.xml")
    assert response["Content-Type"].startswith("application/atom+xml")
    assert [entry["title"] for entry in atom_entries(client)] == [
        "Enforcement report: October 2026"
    ]


def test_the_reports_index_query_count_stays_bounded(
    client, settings, django_assert_max_num_queries
):
    settings.PAGE_CACHE_SECONDS = 0  # the page is rendered, not read from the page cache
    for month in range(1, 11):
        MonthlyReport.objects.create(
            month=date(2026, month, 1), generated_at=NOW, published=True,
            figures={"services": [], "is_demo": False, "month_to_date": False},
        )
    with django_assert_max_num_queries(6):
        assert client.get("/reports/").status_code == 200


def test_the_report_charts_each_day_and_leaves_days_without_data_empty(client):
    snapshot_on(datetime(2026, 10, 20, tzinfo=UTC), {
        "boundary-enforcer": october(1, 3, 5), "metacognitive-verifier": october(2, 3, 7),
    })
    run("--month", "2026-10", "--publish")
    body = client.get("/reports/2026/10/").content.decode()
    assert "<svg" in body and "Framework operations per day, October 2026" in body
    report = MonthlyReport.objects.get()
    values = {row.label: row.cells[0] for row in report.chart().table.rows}
    assert (values["1"], values["2"], values["3"]) == ("5", "12", "12")
    assert values["4"] == NO_DATA  # no data that day: a gap, not a zero
    assert len(values) == 31
