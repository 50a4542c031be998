"""The beacon counts valid reports per path per day and refuses anything else, storing nothing."""

from __future__ import annotations

import io
import json

import pytest
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from measures.beacon import MAX_BODY_BYTES, BeaconRefused, read_body
from measures.counters import record_view
from measures.models import DailyCount
from showcase.models import Page

pytestmark = pytest.mark.django_db


def counts(path):
    row = DailyCount.objects.filter(date=timezone.localdate(), path=path).first()
    if row is None:
        return None
    return {
        "views": row.views,
        "entry_views": row.entry_views,
        "continued_entries": row.continued_entries,
        "leaves": row.leaves,
        "visible_tenths": row.visible_tenths,
    }


def test_a_view_an_entry_a_continuation_and_leaves_are_counted_in_one_row_per_path(send):
    reports = [
        {"path": "/", "event": "view", "entry": True},
        {"path": "/enforcement/", "event": "view", "entry": False, "continues": "/"},
        {"path": "/enforcement/", "event": "leave", "seconds": 12.5},
        {"path": "/enforcement/", "event": "leave", "seconds": 3, "resumed": True},
        # The issue's own shape, every field on either event, is accepted as it is.
        {"path": "/enforcement/", "event": "view", "entry": False, "seconds": 0},
        {"path": "/enforcement/", "event": "leave", "entry": False, "seconds": 0.04},
    ]
    for report in reports:
        response = send(report)
        assert response.status_code == 204, response.content
        assert response.content == b""
    assert counts("/") == {
        "views": 1, "entry_views": 1, "continued_entries": 1, "leaves": 0, "visible_tenths": 0
    }
    assert counts("/enforcement/") == {
        "views": 2, "entry_views": 0, "continued_entries": 0, "leaves": 2, "visible_tenths": 155
    }
    assert DailyCount.objects.count() == 2


def test_storage_does_not_grow_with_traffic(send):
    for n in range(20):  # twenty visitors
        view = {"path": "/about/", "event": "view", "entry": True}
        assert send(view, User_Agent=f"Browser {n}").status_code == 204
    assert DailyCount.objects.count() == 1
    assert counts("/about/")["views"] == 20


def test_the_first_insert_race_loses_no_count(monkeypatch):
    """Two workers both find no row; the loser's insert fails and becomes an update."""
    DailyCount.objects.create(date=timezone.localdate(), path="/", views=1)
    real_update = QuerySet.update
    calls = []

    def first_update_misses(queryset, **changes):
        calls.append(changes)
        return 0 if len(calls) == 1 else real_update(queryset, **changes)

    monkeypatch.setattr(QuerySet, "update", first_update_misses)
    record_view("/", entry=True, continues=None)
    assert len(calls) == 2
    assert counts("/")["views"] == 2
    assert counts("/")["entry_views"] == 1


VIEW = {"path": "/", "event": "view", "entry": True}


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b"{not json", "malformed JSON"),
        (b"\xff\xfe{}", "malformed JSON"),
        (b" ", "malformed JSON"),
        (b"[" * 1020 + b"]" * 1020, "malformed JSON"),  # nested past the recursion limit
        ([VIEW], "expected a JSON object"),
        ({"path": "/", "event": "click"}, "unknown event"),
        ({"path": "/", "event": ["view"]}, "unknown event"),
        ({"path": "/"}, "unknown event"),
        ({**VIEW, "visitor": "abc"}, "unknown field"),
        ({**VIEW, "resumed": True}, "unknown field"),
        ({**VIEW, "path": "/no-such-page/"}, "unknown path"),
        ({**VIEW, "path": "https://elsewhere.example/"}, "unknown path"),
        ({**VIEW, "path": ["/"]}, "unknown path"),
        ({**VIEW, "path": "/draft/"}, "unknown path"),
        ({**VIEW, "entry": "yes"}, "entry must be true or false"),
        ({**VIEW, "entry": 1}, "entry must be true or false"),
        ({**VIEW, "continues": "/about/"}, "invalid continues"),
        ({**VIEW, "entry": False, "continues": "/nowhere/"}, "invalid continues"),
        ({"path": "/", "event": "leave"}, "seconds missing"),
        ({"path": "/", "event": "leave", "seconds": -1}, "seconds must be from 0 to 14400"),
        ({"path": "/", "event": "leave", "seconds": 14400.1}, "seconds must be from 0 to 14400"),
        ({"path": "/", "event": "leave", "seconds": 10**400}, "seconds must be from 0 to 14400"),
        ({"path": "/", "event": "leave", "seconds": "12"}, "seconds must be a number"),
        ({"path": "/", "event": "leave", "seconds": True}, "seconds must be a number"),
        ({"path": "/", "event": "leave", "seconds": None}, "seconds must be a number"),
        ({"path": "/", "event": "leave", "seconds": 5, "resumed": "no"},
         "resumed must be true or false"),
        ('{"path": "/", "event": "leave", "seconds": NaN}', "seconds must be from 0 to 14400"),
        ('{"path": "/", "event": "leave", "seconds": Infinity}', "seconds must be from 0 to 14400"),
    ],
    ids=lambda value: str(value)[:60],
)
def test_each_bad_report_is_refused_with_a_short_error_and_nothing_stored(send, body, error):
    Page.objects.create(title="Draft", slug="draft", meta_description="d")
    response = send(body)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {"error": error}
    assert not DailyCount.objects.exists()


def test_a_body_over_2_kb_is_refused_413(send):
    padded = json.dumps(VIEW) + " " * MAX_BODY_BYTES
    response = send(padded)
    assert response.status_code == 413
    assert json.loads(response.content) == {"error": "body over 2 KB"}
    assert send(json.dumps(VIEW).ljust(MAX_BODY_BYTES)).status_code == 204
    assert DailyCount.objects.get().views == 1


def test_a_declared_length_over_2_kb_is_refused_before_reading(client):
    response = client.post(
        "/api/beacon", json.dumps(VIEW), content_type="application/json", CONTENT_LENGTH="5000"
    )
    assert response.status_code == 413
    assert not DailyCount.objects.exists()


def test_an_undeclared_long_body_is_cut_at_one_byte_past_the_limit():
    request = HttpRequest()
    request._stream = stream = io.BytesIO(b" " * 10_000_000)
    with pytest.raises(BeaconRefused) as refused:
        read_body(request)
    assert refused.value.status == 413
    assert stream.tell() == MAX_BODY_BYTES + 1


def test_a_report_that_is_not_json_typed_is_refused_415(client):
    response = client.post("/api/beacon", json.dumps(VIEW), content_type="text/plain")
    assert response.status_code == 415
    assert not DailyCount.objects.exists()


def test_only_post_is_answered(client):
    assert client.get("/api/beacon").status_code == 405
    assert not DailyCount.objects.exists()


@pytest.mark.parametrize("headers", [{"Sec-GPC": "1"}, {"DNT": "1"}])
def test_browsers_asking_not_to_be_tracked_get_204_and_are_not_counted(send, headers):
    response = send(VIEW, **headers)
    assert response.status_code == 204
    assert not DailyCount.objects.exists()


def test_dnt_0_is_counted(send):
    assert send(VIEW, DNT="0").status_code == 204
    assert DailyCount.objects.get().views == 1


def test_a_page_published_after_the_paths_were_cached_is_accepted(send):
    assert send({**VIEW, "path": "/later/"}).status_code == 400  # fills the cache of paths
    Page.objects.create(title="Later", slug="later", meta_description="d", published=True)
    assert send({**VIEW, "path": "/later/"}).status_code == 204


def test_the_paths_cost_one_query_then_only_the_sites_state(send, django_assert_num_queries):
    with django_assert_num_queries(2):
        assert send({**VIEW, "path": "/nowhere/"}).status_code == 400
    with django_assert_num_queries(1):  # whether the editors' content changed since
        assert send({**VIEW, "path": "/nowhere/"}).status_code == 400


def test_nothing_about_the_visitor_is_stored(send):
    send(VIEW, User_Agent="Mozilla/5.0 Test", X_Forwarded_For="203.0.113.9")
    stored = json.dumps(list(DailyCount.objects.values()), default=str)
    assert "203.0.113.9" not in stored and "Mozilla" not in stored and "127.0.0.1" not in stored
    fields = {f.name for f in DailyCount._meta.get_fields()}
    assert fields == {
        "id", "date", "path", "views", "entry_views", "continued_entries", "leaves",
        "visible_tenths",
    }


def test_every_page_loads_the_beacon_script(client):
    page = client.get("/").content.decode()
    assert '<script src="/static/js/beacon.' in page
