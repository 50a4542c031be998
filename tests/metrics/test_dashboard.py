"""/metrics/ shows the latest snapshot's figures, its history, and how to check them."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from metrics.dashboard import history
from metrics.figures import latest_figures, live_values
from metrics.models import FrameworkService
from tests.factories import make_snapshot

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 24, 0, 15, tzinfo=UTC)
WEEK = [date(2026, 11, d) for d in range(17, 24)]  # the 7 whole days before NOW
SERVICES = (
    ("boundary-enforcer", "BoundaryEnforcer", 2847),
    ("metacognitive-verifier", "MetacognitiveVerifier", 1204),
    ("context-pressure-monitor", "ContextPressureMonitor", 0),
)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def known_snapshot(**overrides):
    """Boundary: 100..106 a day; metacognitive: no figure on 20 Nov; context: all zeros."""
    daily = {
        "boundary-enforcer": [(d, 100 + i, i) for i, d in enumerate(WEEK)],
        "metacognitive-verifier": [(d, 40, 1) for d in WEEK if d != date(2026, 11, 20)],
        "context-pressure-monitor": [(d, 0, 0) for d in WEEK],
    }
    values = {
        "generated_at": NOW - timedelta(minutes=10),
        "services": SERVICES,
        "daily": daily,
        "rules": [("cross-tenant-query", "Cross-tenant query", 44), ("export", "Data export", 19)],
        "buckets": [(0, 25, 512), (25, 50, 230), (50, 75, 90), (75, 100, 24)],
    }
    return make_snapshot(**(values | overrides))


def page(client, path="/metrics/") -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def svg(content: str, chart_id: str) -> ET.Element:
    """The chart's inline SVG, parsed as the XML it must be."""
    found = re.search(rf'<svg [^>]*aria-labelledby="{chart_id}-title.*?</svg>', content, re.S)
    assert found, f"no SVG {chart_id}"
    return ET.fromstring(found.group(0))


def titles(element: ET.Element) -> list[str]:
    """The hover texts of the chart's parts, in drawing order (not the chart's own title)."""
    return [t.text for g in element for t in g.findall("title")]


def table(content: str, caption: str) -> list[list[str]]:
    """The rows (header first) of the data table with this caption, as plain text."""
    found = re.search(
        rf"<caption>{re.escape(html.escape(caption))}</caption>(.*?)</table>", content, re.S
    )
    assert found, f"no table {caption!r}"
    return [
        [
            html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", found.group(1), re.S)
    ]


def test_the_line_chart_has_each_service_and_day_with_a_gap_for_a_missing_day(client, frozen):
    known_snapshot()
    content = page(client)
    chart = svg(content, "chart-calls")
    assert chart.get("role") == "img"
    assert chart.find("title").text == "Framework service calls per day, 17 Nov to 23 Nov 2026"
    assert "1 missing value is left as gaps" in chart.find("desc").text
    lines = {}
    for polyline in chart.iter("polyline"):
        lines.setdefault(polyline.get("class"), []).append(polyline)
    assert [len(segments) for segments in lines.values()] == [1, 2, 1]
    assert titles(chart)[3] == (
        "20 Nov: BoundaryEnforcer 103; MetacognitiveVerifier no data; ContextPressureMonitor 0"
    )
    rows = table(content, "Framework service calls per day, 17 Nov to 23 Nov 2026")
    assert rows[0] == ["Service", *(f"{d.day} Nov" for d in WEEK)]
    assert rows[1] == ["BoundaryEnforcer", "100", "101", "102", "103", "104", "105", "106"]
    assert rows[2][4] == "no data"
    assert rows[3][1:] == ["0"] * 7
    assert 'class="legend"' in content and "ContextPressureMonitor</li>" in content


def test_the_blocked_bars_sum_the_services_blocks_of_each_day(client, frozen):
    known_snapshot()
    chart = svg(page(client), "chart-blocked")
    # Boundary blocks 0..6 a day, metacognitive 1 (none on 20 Nov), context 0.
    assert titles(chart) == [
        "17 Nov: 1",
        "18 Nov: 2",
        "19 Nov: 3",
        "20 Nov: 3",
        "21 Nov: 5",
        "22 Nov: 6",
        "23 Nov: 7",
    ]


def test_the_rule_bars_rank_the_30_day_blocks(client, frozen):
    known_snapshot(rules=[("export", "Data export", 19), ("cross", "Cross-tenant query", 44)])
    content = page(client)
    assert titles(svg(content, "chart-rules")) == ["Cross-tenant query: 44", "Data export: 19"]
    rows = table(content, "Boundary enforcement blocks by rule, last 30 days")
    assert rows[1:] == [["Cross-tenant query", "44"], ["Data export", "19"]]


def test_the_histogram_has_one_bar_per_pressure_bucket(client, frozen):
    known_snapshot()
    chart = svg(page(client), "chart-pressure")
    assert titles(chart) == ["0–25%: 512", "25–50%: 230", "50–75%: 90", "75–100%: 24"]
    heights = [float(rect.get("height")) for rect in chart.iter("rect")]
    assert heights == sorted(heights, reverse=True)


def test_the_tenant_counters_and_services_table_show_each_window(client, frozen):
    known_snapshot(tenant=(17112, 119161, 540112))
    content = page(client)
    assert 'data-figure="tenant-isolation-24h">17,112<' in content
    assert 'data-figure="tenant-isolation-30d">540,112<' in content
    assert 'data-figure="service-boundary-enforcer-30d-operations">2,847<' in content
    assert 'data-figure="service-boundary-enforcer-30d-blocked">71<' in content
    assert 'data-figure="service-metacognitive-verifier-7d-operations">301<' in content


def test_a_snapshot_without_daily_rules_or_buckets_shows_no_broken_chart(client, frozen):
    make_snapshot(age=timedelta(minutes=10))
    content = page(client)
    assert "The latest snapshot has no daily figures" not in content  # services are in it...
    assert "no data" in content  # ...but their days are not: gaps, not zeros
    assert "The latest snapshot reports no blocks by rule." in content
    assert "The latest snapshot reports nothing for this chart." in content
    assert not re.search(r'="[^"]*\b(nan|inf)\b', content, re.I)


@pytest.mark.parametrize(
    ("age", "source", "label", "pulses"),
    [
        (timedelta(minutes=59), "mysovereignty.digital", "Live", True),
        (timedelta(minutes=61), "mysovereignty.digital", "Delayed", False),
        (timedelta(minutes=5), "demo", "Demo data", False),
    ],
)
def test_the_state_label_follows_the_snapshot_age_and_source(
    client, settings, age, source, label, pulses
):
    settings.METRICS_STALE_AFTER_MINUTES = 60
    settings.PAGE_CACHE_SECONDS = 0
    with time_machine.travel(NOW, tick=False):
        make_snapshot(generated_at=NOW - timedelta(minutes=1), source=source)
    with time_machine.travel(NOW - timedelta(minutes=1) + age, tick=False):
        content = page(client)
        state = client.get("/api/metrics/figures.json").json()
    line = re.search(r'<p class="live-state.*?</p>', content, re.S).group(0)
    assert f"{label}</span>" in line
    assert ('class="pulse"' in line) is pulses
    assert state["state_label"] == label
    if label == "Delayed":
        assert "(1\xa0hour, 1\xa0minute ago)" in html.unescape(line)


def test_without_a_snapshot_the_label_is_awaiting_and_nothing_is_drawn(client):
    content = page(client)
    assert "Awaiting first metrics</span>" in content
    assert "<svg" not in content.split("<main", 1)[1]
    assert client.get("/api/metrics/figures.json").json() == {
        "state": "awaiting",
        "state_label": "Awaiting first metrics",
        "sha256": "",
        "as_of": None,
        "as_of_text": "",
        "figures": {},
    }


def test_the_refresh_endpoint_returns_the_new_figures_after_a_new_snapshot(client, frozen):
    known_snapshot()
    before = client.get("/api/metrics/figures.json").json()
    assert before["figures"]["service-boundary-enforcer-30d-operations"] == "2,847"
    newer = make_snapshot(services=(("boundary-enforcer", "BoundaryEnforcer", 2999),))
    after = client.get("/api/metrics/figures.json").json()
    assert after["sha256"] == newer.sha256
    assert after["figures"]["service-boundary-enforcer-30d-operations"] == "2,999"
    assert after["as_of"] == newer.generated_at.isoformat()
    assert after["state"] == "live" and "age" not in after  # the page works it out


def test_every_page_carries_figure_ids_the_refresh_endpoint_knows(client, frozen):
    known_snapshot()
    values = live_values(latest_figures())
    for path in ("/", "/about/", "/enforcement/", "/metrics/"):
        content = page(client, path)
        found = re.findall(r'data-figure="([^"]+)">([^<]*)<', content)
        assert found, path
        for figure, shown in found:
            assert values[figure] == shown, (path, figure)


def test_no_page_shows_a_figure_from_an_older_snapshot(client, frozen):
    make_snapshot(
        services=(("boundary-enforcer", "BoundaryEnforcer", 1111),),
        tenant=(3333, 4444, 5555),
        generated_at=NOW - timedelta(hours=2),
    )
    known_snapshot()
    for path in ("/", "/about/", "/enforcement/", "/metrics/"):
        content = page(client, path)
        for stale in ("1,111", "3,333", "4,444", "5,555"):
            assert stale not in content, (path, stale)


def test_feed_text_never_reaches_the_page_as_markup(client, frozen):
    FrameworkService.objects.filter(feed_key="boundary-enforcer").update(
        name="Boundary<script>alert(1)</script>"
    )
    known_snapshot(rules=[("evil", '<script>alert("rule")</script>', 5)])
    content = page(client)
    assert "<script>alert" not in content
    assert "&lt;script&gt;alert(&quot;rule&quot;)&lt;/script&gt;" in content
    assert "Boundary&lt;script&gt;alert(1)&lt;/script&gt;" in content
    # Still well-formed SVG, so the escaping holds inside the charts too.
    svg(content, "chart-rules")
    svg(content, "chart-calls")


def test_chart_coordinates_are_plain_numbers_whatever_the_locale(client, frozen, settings):
    settings.LANGUAGE_CODE = "de"  # writes 12,5 for twelve and a half
    known_snapshot()
    content = page(client)
    for chart_id in ("chart-calls", "chart-blocked", "chart-rules", "chart-pressure"):
        chart = svg(content, chart_id)
        coordinates = [
            value
            for element in chart.iter()
            for name, value in element.attrib.items()
            if name in {"x", "y", "x1", "x2", "y1", "y2", "cx", "cy", "width", "height"}
        ]
        assert coordinates, chart_id
        assert all(re.fullmatch(r"-?\d+(\.\d+)?", value) for value in coordinates), chart_id
        assert "," not in chart.get("viewBox")
    assert re.search(r'<rect class="day-ok" x="[\d.]+"', content)


def test_the_page_stays_within_ten_queries_however_long_the_history(
    client, frozen, django_assert_max_num_queries
):
    known_snapshot()
    with CaptureQueriesContext(connection) as short:
        page(client)
    for hours in range(3, 24 * 60, 7):  # a snapshot every 7 hours for 60 days
        make_snapshot(generated_at=NOW - timedelta(hours=hours))
    known_snapshot(generated_at=NOW - timedelta(minutes=1))
    with CaptureQueriesContext(connection) as long:
        page(client)  # the dashboard computed, and kept in the database's cache table
    assert len(long) == len(short)
    cache.clear()
    with django_assert_max_num_queries(10):
        page(client)


def test_the_dashboard_is_computed_once_per_snapshot(client, frozen):
    known_snapshot()
    page(client, "/metrics/")
    client.get("/api/metrics/figures.json")  # nothing in between invalidates it
    with CaptureQueriesContext(connection) as again:
        page(client, "/metrics/?fresh=1")  # a query string skips the page cache
    assert not any("metrics_serviceday" in q["sql"] for q in again.captured_queries)
    assert not any("GROUP BY" in q["sql"] for q in again.captured_queries)


def test_a_renamed_service_is_renamed_on_the_dashboard_at_once(
    client, frozen, django_capture_on_commit_callbacks
):
    known_snapshot()
    assert "BoundaryEnforcer" in page(client)
    service = FrameworkService.objects.get(feed_key="boundary-enforcer")
    service.name = "Boundary Enforcer (renamed)"
    with django_capture_on_commit_callbacks(execute=True):  # committed
        service.save()
    content = page(client)
    assert "Boundary Enforcer (renamed)" in content
    assert ">BoundaryEnforcer<" not in content


def test_a_staff_preview_of_a_draft_service_never_reaches_visitors(client, staff_client, frozen):
    known_snapshot()
    FrameworkService.objects.filter(feed_key="boundary-enforcer").update(published=False)
    assert "BoundaryEnforcer" in page(staff_client, "/metrics/?preview=1")
    assert "BoundaryEnforcer" not in page(client)
    assert "BoundaryEnforcer" not in page(client, "/metrics/?fresh=1")


def test_the_history_strip_moves_on_at_midnight_without_a_new_snapshot(client, frozen):
    known_snapshot()
    page(client)
    frozen.move_to(NOW + timedelta(days=1))
    cells = svg(page(client), "chart-history").findall("rect")
    assert cells[-1].find("title").text == "25 Nov 2026: no snapshot accepted"
    assert cells[-2].find("title").text == "24 Nov 2026: 1 snapshot, no bypass reported"


def test_the_history_strip_marks_missing_days_and_days_a_bypass_was_reported(frozen):
    def at(day, hour, bypasses):
        make_snapshot(generated_at=datetime(2026, 11, day, hour, tzinfo=UTC), bypasses=bypasses)

    at(20, 1, 0)
    at(20, 23, 0)
    at(22, 5, 1)  # 21 Nov is missing; the count rose since the 20th
    at(23, 5, 1)  # still 1: an old bypass, not a new one
    at(24, 0, 1)
    days = {d.date: d for d in history(NOW.date())}
    assert len(days) == 90 and max(days) == NOW.date()
    assert [days[date(2026, 11, d)].state for d in range(19, 25)] == [
        "missing",
        "ok",
        "missing",
        "bypass",
        "ok",
        "ok",
    ]
    assert days[date(2026, 11, 20)].snapshots == 2


def test_the_history_strip_is_drawn_with_one_cell_per_day(client, frozen):
    known_snapshot()
    content = page(client)
    chart = svg(content, "chart-history")
    cells = chart.findall("rect")
    assert len(cells) == 90
    assert cells[-1].get("class") == "day-ok" and cells[0].get("class") == "day-missing"
    assert cells[-1].find("title").text == "24 Nov 2026: 1 snapshot, no bypass reported"
    assert "1 of 90 days had an accepted snapshot; 0 reported a bypass." in content


def test_the_history_table_lists_every_day_newest_first(client, frozen):
    known_snapshot()
    rows = re.findall(
        r'<tr><th scope="row"><time datetime="([\d-]+)">([^<]+)</time></th>'
        r"<td>(\d+)</td><td>(Yes|No)</td></tr>",
        page(client),
    )
    assert len(rows) == 90
    assert rows[0] == ("2026-11-24", "24 Nov 2026", "1", "No")
    assert rows[-1] == ("2026-08-27", "27 Aug 2026", "0", "No")


def test_verify_it_yourself_links_the_snapshot_and_gives_the_command(client, frozen):
    first = known_snapshot(generated_at=NOW - timedelta(hours=1))
    latest = known_snapshot()
    content = page(client)
    assert f'href="/api/metrics/snapshots/{latest.sha256}.json"' in content
    assert f'href="/api/metrics/snapshots/{first.sha256}.json"' in content
    assert (
        f"curl -s http://testserver/api/metrics/snapshots/{latest.sha256}.json | sha256sum"
        in content
    )
    assert 'href="/api/metrics/daily.csv"' in content
    assert 'href="/api/metrics/windows.csv"' in content


def test_the_csv_downloads_hold_the_latest_snapshots_series(client, frozen):
    known_snapshot()
    daily = client.get("/api/metrics/daily.csv")
    assert daily["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="daily-20261124T0005Z.csv"' in daily["Content-Disposition"]
    lines = daily.content.decode().splitlines()
    assert lines[0] == "service,date,operations,blocked"
    assert "boundary-enforcer,2026-11-17,100,0" in lines
    assert not any(line.startswith("metacognitive-verifier,2026-11-20") for line in lines)
    windows = client.get("/api/metrics/windows.csv").content.decode().splitlines()
    assert windows[0] == "service,window,operations,blocked"
    assert "boundary-enforcer,30d,2847,71" in windows


def test_the_csv_downloads_are_404_before_the_first_snapshot(client):
    assert client.get("/api/metrics/daily.csv").status_code == 404
    assert client.get("/api/metrics/windows.csv").status_code == 404


def test_pages_load_the_refresh_script_and_no_inline_script(client, settings):
    settings.METRICS_REFRESH_SECONDS = 120
    content = page(client, "/")
    assert '<body data-refresh-seconds="120">' in content
    scripts = re.findall(r"<script[^>]*>", content)
    assert any("js/live." in tag for tag in scripts)
    assert all(" src=" in tag for tag in scripts)
