"""HTTP methods as clients expect them: 405 with Allow for a wrong one, OPTIONS answered."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import make_snapshot

pytestmark = pytest.mark.django_db

PAGES = ["/", "/enforcement/", "/audit/", "/audit/feed/", "/api/", "/reports/", "/robots.txt",
         "/sitemap.xml", "/reports/feed.xml", "/citations.bib"]
API = ["/api/metrics/latest.json", "/api/metrics/audit.json", "/api/metrics/audit.csv",
       "/api/metrics/log.json", "/api/metrics/figures.json", "/api/metrics/daily.csv",
       "/api/metrics/windows.csv", "/api/metrics/contract/v1.schema.json"]
WRONG = ["POST", "PUT", "DELETE", "PATCH"]


@pytest.fixture
def browser():
    """A client that checks CSRF as browsers meet it (the test client skips it by default)."""
    make_snapshot()
    return Client(enforce_csrf_checks=True)


@pytest.mark.parametrize("method", WRONG)
@pytest.mark.parametrize("path", PAGES + API)
def test_a_wrong_method_is_a_405_with_allow_not_a_csrf_failure(browser, path, method):
    response = browser.generic(method, path)
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD, OPTIONS"


@pytest.mark.parametrize("path", API)
def test_the_apis_405_is_json(browser, path):
    response = browser.post(path)
    assert response.json() == {"error": "method not allowed"}


@pytest.mark.parametrize("path", PAGES + API)
def test_options_says_which_methods_a_url_takes(browser, path):
    response = browser.options(path)
    assert response.status_code == 204
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    assert response.content == b""


def test_the_beacon_takes_post_only(browser):
    response = browser.get("/api/beacon")
    assert response.status_code == 405
    assert response["Allow"] == "OPTIONS, POST"
    assert browser.options("/api/beacon")["Allow"] == "OPTIONS, POST"


@pytest.mark.parametrize("path", ["/", "/api/metrics/latest.json"])
def test_head_is_still_answered(browser, path):
    assert browser.head(path).status_code == 200
