"""No input reaches a 500: every public URL pattern and parameter, hostile values included.

The API's errors are JSON; a page's are pages. Hypothesis generates values for every path
parameter of every public URL pattern and for every query parameter the endpoints read.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlencode

import pytest
from django.urls.converters import IntConverter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit.events import EventFilters
from audit.ingest_log import LogQuery
from tests.factories import make_events, make_snapshot
from tests.routes import public_routes

pytestmark = pytest.mark.django_db

HOSTILE = [
    ("/audit/?until=9999-12-31", "until: a date from 1970-01-01 to 9999-12-30"),
    ("/api/metrics/audit.json?until=9999-12-31", "until: a date from 1970-01-01 to 9999-12-30"),
    ("/api/metrics/audit.csv?until=9999-12-31", "until: a date from 1970-01-01 to 9999-12-30"),
    ("/api/metrics/audit.json?since=0001-01-01", "since: a date from 1970-01-01 to 9999-12-30"),
    ("/api/metrics/log.json?month=0000-01", "month: a month is YYYY-MM, from 1970-01 to 9999-12"),
    ("/api/metrics/log.json?month=9999-13", "month: a month is YYYY-MM, from 1970-01 to 9999-12"),
    ("/api/metrics/log.json?page=0", "page: pages start at 1"),
    ("/api/metrics/log.json?page=2", "page: there are 1 pages"),
    ("/api/metrics/log.json?page=1e9", "page: a page is a whole number"),
    ("/audit/feed/?month=0000-01", "month: a month is YYYY-MM, from 1970-01 to 9999-12"),
    ("/audit/feed/?page=99999999999999999999", "page: a page is at most 1000000"),
    ("/reports/99999999999999999999/1/", "the year is from 1970 to 9999"),
    ("/reports/2026/99999999999999999999/", "the month is from 1 to 12"),
    ("/reports/2026/13/", "the month is from 1 to 12"),
]
# Every query parameter any public endpoint reads, and one none does.
QUERY_NAMES = sorted({*EventFilters.base_fields, *LogQuery.base_fields, "preview", "other"})


@pytest.fixture
def snapshot():
    snapshot = make_snapshot()
    make_events(snapshot, 3)
    return snapshot


def is_api(path: str) -> bool:
    return path.startswith("/api/") and not path.startswith("/api/?")


@pytest.mark.parametrize(("url", "reason"), HOSTILE)
def test_an_out_of_range_parameter_is_a_400_with_a_short_reason(client, snapshot, url, reason):
    response = client.get(url)
    assert response.status_code == 400
    if is_api(url):
        assert response["Content-Type"] == "application/json"
        assert response.json() == {"error": reason}
    else:
        assert response["Content-Type"] == "text/html; charset=utf-8"
        assert reason.split(": ")[-1] in response.content.decode()


def test_an_unknown_api_address_is_a_json_404(client):
    response = client.get("/api/metrics/no-such-thing.json")
    assert response.status_code == 404
    assert response.json() == {"error": "not found"}


def test_a_slug_longer_than_any_page_is_a_404(client):
    assert client.get(f"/{'a' * 300}/").status_code == 404


def test_a_streamed_csv_is_checked_before_its_first_byte(client, snapshot):
    response = client.get("/api/metrics/audit.csv?until=9999-12-31")
    assert not response.streaming
    assert response.status_code == 400


ROUTES = sorted({route: p.pattern.converters for route, p in public_routes()}.items())
anything = st.text(min_size=1, max_size=40)
numbers = st.integers(min_value=0, max_value=10**30).map(str)
# Values the endpoints take, so that generated requests also reach past the 404s.
likely = st.sampled_from(
    ["2026-11-25", "2026-11", "9999-12-31", "0000-01", "1", "0", "-1", "blocked", "evt-000000",
     "enforcement", "boundary-enforcer", "t_0123456789abcdef", "", "%00", "a" * 300]
)


def segment(converter) -> st.SearchStrategy[str]:
    values = numbers if isinstance(converter, IntConverter) else st.one_of(likely, anything)
    return values.map(lambda value: quote(value, safe=""))


def url_for(route: str, converters: dict) -> st.SearchStrategy[str]:
    query = st.dictionaries(st.sampled_from(QUERY_NAMES), st.one_of(likely, anything), max_size=4)
    if "^" in route:  # a re_path: paths its regular expression matches, and others
        prefix, regex = route.split("^", 1)
        paths = st.one_of(st.from_regex(f"^{regex}", fullmatch=True), anything)
        return st.builds(
            lambda path, params: f"/{prefix}{quote(path, safe='/')}"
            + (f"?{urlencode(params)}" if params else ""),
            paths, query,
        )
    names = re.findall(r"<(?:\w+:)?(\w+)>", route)
    return st.builds(
        lambda values, params: "/"
        + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m[1]], route)
        + (f"?{urlencode(params)}" if params else ""),
        st.fixed_dictionaries({name: segment(converters[name]) for name in names}),
        query,
    )


@pytest.mark.parametrize(("route", "converters"), ROUTES, ids=[route for route, _ in ROUTES])
def test_no_generated_request_to_a_public_url_is_a_server_error(
    client, snapshot, route, converters
):
    @settings(max_examples=40, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(url=url_for(route, converters), method=st.sampled_from(["GET", "HEAD"]))
    def check(url, method):
        response = client.generic(method, url)
        # 503 is the log's deliberate "not set up here" (no signing key in tests), no failure.
        assert response.status_code < 500 or response.status_code == 503, url
        if is_api(url) and response.status_code >= 400 and method == "GET":
            assert response["Content-Type"] == "application/json", url

    check()


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.one_of(st.binary(max_size=3000), st.text(max_size=300).map(str.encode)))
def test_no_beacon_body_is_a_server_error(client, body):
    response = client.post("/api/beacon", body, content_type="application/json")
    assert response.status_code < 500
