"""The framework audit viewer: decisions newest first, filtered, paged by cursor, verifiable."""

from __future__ import annotations

import csv
import hashlib
import html
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from metrics.models import AuditEvent
from tests.factories import make_events, make_snapshot
from transparency import log
from transparency.models import LogEntry

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
EVENTS = "/api/metrics/audit.json"


@pytest.fixture
def snapshot():
    return make_snapshot(generated_at=NOW)


def walk(client, query: str = "") -> list[str]:
    """Every event id the JSON API gives, following `next` from the first page to the last."""
    ids, url = [], f"{EVENTS}?{query}"
    for _ in range(20):  # more pages than any test makes: a cursor going round fails, not hangs
        page = client.get(url).json()
        ids += [event["id"] for event in page["events"]]
        if not page["next"]:
            return ids
        url = f"{EVENTS}?{query}&cursor={page['next']}"
    raise AssertionError(f"no last page after {len(ids)} decisions")


def test_decisions_come_newest_first_fifty_a_page(client, snapshot):
    events = make_events(snapshot, 120)
    page = client.get(EVENTS).json()
    assert [e["id"] for e in page["events"]] == [e.event_id for e in events[:50]]
    assert page["next"]
    assert walk(client) == [e.event_id for e in events]


def test_the_cursor_neither_skips_nor_repeats_decisions_made_at_the_same_instant(
    client, snapshot
):
    make_events(snapshot, 75, every=timedelta(0))  # all at one instant
    make_events(snapshot, 40, newest=NOW - timedelta(hours=1))
    ids = walk(client)
    assert len(ids) == len(set(ids)) == 115


def test_the_cursor_page_shows_older_decisions_and_a_way_back(client, snapshot):
    make_events(snapshot, 60)
    first = client.get("/audit/")
    assert 'rel="next"' in first.content.decode()
    cursor = client.get(EVENTS).json()["next"]
    deeper = client.get(f"/audit/?cursor={cursor}").content.decode()
    assert "evt-000050" in deeper and "evt-000049" not in deeper
    assert "Newest decisions" in deeper and 'rel="next"' not in deeper


def test_each_filter_narrows_the_list(client, snapshot):
    make_events(snapshot, 3)
    make_events(snapshot, 2, decision="allowed", rule="", detail="")
    make_events(snapshot, 4, service="pluralistic-deliberation-orchestrator",
                decision="escalated", rule="privacy-boundary")
    make_events(snapshot, 5, tenant="t_ffffffffffffffff", rule="unscoped-export")
    counts = {
        "decision=allowed": 2,
        "decision=escalated": 4,
        "service=pluralistic-deliberation-orchestrator": 4,
        "service=boundary-enforcer&decision=blocked": 8,
        "rule=unscoped-export": 5,
        "tenant=t_ffffffffffffffff": 5,
        "tenant=t_ffffffffffffffff&rule=cross-tenant-query": 0,
        "service=no-such-service": 0,
    }
    for query, count in counts.items():
        assert len(walk(client, query)) == count, query


def test_the_date_range_takes_whole_utc_days(client, snapshot):
    make_events(snapshot, 1, newest=datetime(2026, 11, 20, 0, 0, tzinfo=UTC))
    make_events(snapshot, 1, newest=datetime(2026, 11, 22, 23, 59, 59, tzinfo=UTC))
    make_events(snapshot, 1, newest=datetime(2026, 11, 23, 0, 0, tzinfo=UTC))
    assert len(walk(client, "since=2026-11-20&until=2026-11-22")) == 2
    assert len(walk(client, "since=2026-11-21")) == 2
    assert len(walk(client, "until=2026-11-20")) == 1
    assert len(walk(client, "since=2026-11-22&until=2026-11-22")) == 1


HOSTILE = "<script>alert(1)</script>"


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        (f"decision={HOSTILE}", "decision: must be blocked, allowed or escalated"),
        ("decision=denied", "decision: must be blocked, allowed or escalated"),
        ("since=garbage", "since: a date is YYYY-MM-DD"),
        ("until=2026-02-30", "until: a date is YYYY-MM-DD"),
        ("since=2026-11-22&until=2026-11-21", "until: the end of the range is before its start"),
        (f"service={HOSTILE}", "service: Enter a valid “slug”"),
        ("tenant=alice", "tenant: a tenant pseudonym is t_ followed by 16 hex digits"),
        ("cursor=not-a-cursor", "cursor: this cursor was not made by this site"),
    ],
)
def test_bad_filters_answer_400_with_a_short_message_and_never_the_input_unescaped(
    client, snapshot, query, problem
):
    make_events(snapshot, 3)
    api = client.get(f"{EVENTS}?{query}")
    assert api.status_code == 400
    assert api.json()["error"].startswith(problem)
    assert HOSTILE not in api.content.decode()
    page = client.get(f"/audit/?{query}")
    assert page.status_code == 400
    body = page.content.decode()
    assert "These filters could not be used" in body
    assert HOSTILE not in body


def test_a_tampered_cursor_is_refused(client, snapshot):
    make_events(snapshot, 60)
    cursor = client.get(EVENTS).json()["next"]
    value, signature = cursor.rsplit(":", 1)
    forged = value.replace("A", "B", 1) + ":" + signature
    assert client.get(f"{EVENTS}?cursor={forged}").status_code == 400
    assert client.get(f"{EVENTS}?cursor={cursor}").status_code == 200


def test_the_json_gives_the_contracts_fields_and_the_snapshot_they_came_in(client, snapshot):
    make_events(snapshot, 1, decision="allowed", rule="", detail="")
    [event] = client.get(EVENTS).json()["events"]
    assert event == {
        "id": "evt-000000",
        "at": "2026-11-25T12:00:00+00:00",
        "service": "boundary-enforcer",
        "decision": "allowed",
        "rule": None,
        "tenant": "t_0123456789abcdef",
        "detail": None,
        "snapshot_sha256": snapshot.sha256,
        "demo": False,
        "log_index": None,  # these rows were made by hand, not ingested: nothing logged them
    }


def test_the_csv_streams_every_matching_decision(client, snapshot):
    make_events(snapshot, 130)
    make_events(snapshot, 7, decision="allowed", rule="", detail="")
    response = client.get("/api/metrics/audit.csv?decision=blocked")
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Access-Control-Allow-Origin"] == "*"
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["id", "at", "service", "decision", "rule", "tenant", "detail",
                       "snapshot_sha256", "log_index", "demo"]
    assert len(rows) == 131
    assert rows[1][:4] == ["evt-000000", "2026-11-25T12:00:00+00:00", "boundary-enforcer",
                           "blocked"]
    assert rows[1][-3:] == [snapshot.sha256, "", "no"]


def test_a_permalink_shows_the_decision_and_how_to_verify_its_bytes(client, snapshot):
    [event] = make_events(snapshot, 1, detail="Query <b>without</b> a tenant scope")
    response = client.get(f"/audit/events/{event.event_id}/")
    assert response.status_code == 200
    body = response.content.decode()
    raw_url = f"/api/metrics/snapshots/{snapshot.sha256}.json"
    assert f"curl -s http://testserver{raw_url} | sha256sum" in body
    assert f"jq '.audit_events[] | select(.id == \"{event.event_id}\")'" in html.unescape(body)
    assert "Query &lt;b&gt;without&lt;/b&gt; a tenant scope" in body
    raw = client.get(raw_url).content
    assert hashlib.sha256(raw).hexdigest() == snapshot.sha256


def test_a_listed_decision_links_to_its_permalink_with_its_time_in_utc(client, snapshot):
    [event] = make_events(snapshot, 1, newest=datetime(2026, 3, 5, 9, 4, 7, tzinfo=UTC))
    AuditEvent.objects.filter(pk=event.pk).update(event_id="chk:7.b_x-1")  # every kind of char
    body = client.get("/audit/").content.decode()
    permalink = reverse("audit:event", args=["chk:7.b_x-1"])
    assert (f'<a href="{permalink}"><time datetime="2026-03-05T09:04:07+00:00">'
            "5 Mar 2026, 09:04:07 UTC</time></a>") in body
    assert client.get(permalink).status_code == 200


def test_an_unknown_permalink_is_a_404(client, snapshot):
    assert client.get("/audit/events/no-such-event/").status_code == 404


def test_demo_decisions_say_so_on_the_page_in_json_and_in_csv(client):
    demo = make_snapshot(generated_at=NOW, source="demo")
    [event] = make_events(demo, 1)
    assert "Demo" in client.get("/audit/").content.decode()
    assert "Demo data" in client.get(event.get_absolute_url()).content.decode()
    assert client.get(EVENTS).json()["events"][0]["demo"] is True
    last = b"".join(client.get("/api/metrics/audit.csv").streaming_content).decode()
    assert last.strip().endswith(",yes")


@pytest.mark.parametrize("path", ["/enforcement/", "/metrics/"])
def test_pages_show_the_latest_ten_blocks_and_escalations(client, path):
    demo = make_snapshot(generated_at=NOW, source="demo")
    make_events(demo, 5, decision="allowed", rule="", detail="", newest=NOW)
    enforced = make_events(demo, 12, newest=NOW - timedelta(hours=1))
    body = client.get(path).content.decode()
    section = body.split("Recent enforcement decisions")[1]
    shown = [e for e in enforced if e.get_absolute_url() in section]
    assert shown == enforced[:10]
    assert "decision-allowed" not in section
    assert "Demo" in section


def test_the_viewer_runs_a_bounded_number_of_queries(
    client, snapshot, django_assert_max_num_queries, settings
):
    settings.PAGE_CACHE_SECONDS = 0  # the viewer's own queries, every time
    make_events(snapshot, 120)
    with django_assert_max_num_queries(6):
        assert client.get("/audit/?decision=blocked").status_code == 200
    with django_assert_max_num_queries(3):
        assert client.get(EVENTS).status_code == 200


def test_a_stored_decision_matches_what_the_contract_calls_its_content(snapshot):
    [event] = make_events(snapshot, 1)
    assert event.content == (NOW, "boundary-enforcer", "blocked", "cross-tenant-query",
                             "t_0123456789abcdef", "Query without a tenant scope")
    assert AuditEvent.objects.recent_enforcement().get() == event


def test_the_pages_links_keep_its_filters_and_change_only_the_cursor(client, snapshot):
    make_events(snapshot, 60)
    body = html.unescape(client.get("/audit/?decision=blocked").content.decode())
    assert re.search(r'href="\?decision=blocked&cursor=[\w%-]+" rel="next"', body)
    assert f'href="{EVENTS}?decision=blocked"' in body
    assert 'href="/api/metrics/audit.csv?decision=blocked" download' in body


def test_a_last_page_of_exactly_fifty_decisions_points_to_no_older_page(client, snapshot):
    make_events(snapshot, 50)
    assert client.get(EVENTS).json()["next"] is None
    assert 'rel="next"' not in client.get("/audit/").content.decode()


def test_each_decision_gives_its_place_in_the_transparency_log(client, snapshot):
    events = make_events(snapshot, 2)
    log.append_snapshot(snapshot, events)  # as an ingest logs them, in the same transaction
    places = {e.event_id: LogEntry.objects.get(audit_event=e).index for e in events}
    assert {e["id"]: e["log_index"] for e in client.get(EVENTS).json()["events"]} == places
    for event_id, index in places.items():
        assert client.get(f"/api/metrics/audit/{event_id}.json").json()["log_index"] == index
    rows = csv.DictReader(io.StringIO(
        b"".join(client.get("/api/metrics/audit.csv").streaming_content).decode()
    ))
    assert {row["id"]: int(row["log_index"]) for row in rows} == places


def test_the_csv_is_answered_not_modified_until_a_snapshot_is_accepted(client, snapshot):
    make_events(snapshot, 3)
    blocked = client.get("/api/metrics/audit.csv?decision=blocked")["ETag"]
    again = client.get("/api/metrics/audit.csv?decision=blocked", HTTP_IF_NONE_MATCH=blocked)
    assert again.status_code == 304
    assert client.get("/api/metrics/audit.csv?decision=allowed")["ETag"] != blocked
    make_snapshot(generated_at=NOW + timedelta(minutes=5))
    after = client.get("/api/metrics/audit.csv?decision=blocked", HTTP_IF_NONE_MATCH=blocked)
    assert after.status_code == 200
    assert after["ETag"] != blocked


@pytest.mark.parametrize("path", ["/audit/events/{id}/", "/api/metrics/audit/{id}.json"])
def test_one_decision_costs_one_query_and_never_loads_the_snapshots_bytes(
    client, snapshot, settings, path
):
    settings.PAGE_CACHE_SECONDS = 0  # the view's own queries, every time
    [event] = make_events(snapshot, 1)
    log.append_snapshot(snapshot, [event])
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path.format(id=event.event_id)).status_code == 200
    reads = [q["sql"] for q in queries if "metrics_auditevent" in q["sql"]]
    assert len(reads) == 1
    assert '"metrics_snapshot"."raw"' not in reads[0]
    assert "transparency_logentry" in reads[0]
    assert not [q for q in queries if 'WHERE "metrics_snapshot"."id"' in q["sql"]]


def test_each_decision_in_the_list_shows_what_was_decided_where_when_and_why(client, snapshot):
    [event] = make_events(snapshot, 1, decision="escalated", detail="Export <b>held</b>")
    make_events(snapshot, 1, newest=NOW - timedelta(hours=1), decision="allowed", rule="",
                detail="")
    body = client.get("/audit/").content.decode()
    escalated, allowed = [" ".join(item.split()) for item in re.findall(
        r'<li class="decision .*?</li>', body, flags=re.S
    )]
    assert escalated == (
        '<li class="decision decision-escalated"> <p class="decision-head">'
        '<span class="decision-badge">Escalated</span>'
        f' <a href="/audit/events/{event.event_id}/">'
        '<time datetime="2026-11-25T12:00:00+00:00">25 Nov 2026, 12:00:00 UTC</time></a> </p>'
        ' <dl class="decision-facts"> <div><dt>Service</dt><dd><code>boundary-enforcer</code>'
        "</dd></div> <div><dt>Rule</dt><dd><code>cross-tenant-query</code></dd></div>"
        " <div><dt>Tenant</dt><dd><code>t_0123456789abcdef</code></dd></div> </dl>"
        ' <p class="decision-detail">Export &lt;b&gt;held&lt;/b&gt;</p> </li>'
    )
    assert '<span class="decision-badge">Allowed</span>' in allowed
    assert "<dt>Rule</dt>" not in allowed and "decision-detail" not in allowed


def test_the_filters_are_labelled_without_a_trailing_colon(client, snapshot):
    body = client.get("/audit/").content.decode()
    assert '<label for="id_service">Service</label>' in body
    assert '<label for="id_since">From (UTC day)</label>' in body
