"""/api/openapi.json: an OpenAPI 3.1 description of every public API endpoint, generated from
the views that serve them, valid by openapi-spec-validator, and true of real answers."""

from __future__ import annotations

import re

import jsonschema
import pytest
from django.urls import resolve
from openapi_spec_validator import validate

from tests.factories import make_events, make_snapshot
from tests.routes import public_routes

pytestmark = pytest.mark.django_db

NOT_API = {"api/", "api/openapi.json"}


@pytest.fixture
def spec(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return response.json()


def test_it_is_a_valid_openapi_3_1_description(spec):
    validate(spec)
    assert spec["openapi"].startswith("3.1.")


def test_every_public_api_url_is_described(spec):
    routes = {"/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)
              for route, _ in public_routes() if route.startswith("api/")}
    assert routes - {f"/{route}" for route in NOT_API} == set(spec["paths"])


def test_each_description_is_declared_by_the_view_that_serves_it(spec):
    for path in spec["paths"]:
        view = resolve(path.replace("{sha256}", "a" * 64)).func
        assert view.openapi_path == path


def test_query_parameters_come_from_the_form_that_checks_them(spec):
    parameters = {p["name"]: p["schema"]
                  for p in spec["paths"]["/api/metrics/audit.json"]["get"]["parameters"]}
    assert parameters["decision"]["enum"] == ["", "blocked", "allowed", "escalated"]
    assert parameters["since"] == {"type": "string", "format": "date"}
    log = {p["name"]: p["schema"]
           for p in spec["paths"]["/api/metrics/log.json"]["get"]["parameters"]}
    assert log["page"] == {"type": "integer", "minimum": 1, "maximum": 1_000_000}


@pytest.mark.parametrize("path", ["/api/metrics/latest.json", "/api/metrics/figures.json",
                                  "/api/metrics/audit.json", "/api/metrics/log.json"])
def test_real_answers_match_their_description(client, spec, path):
    make_events(make_snapshot(), 3)
    schema = spec["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
    document = {"$ref": "#/$defs/answer",
                "$defs": {"answer": schema["schema"]}, "components": spec["components"]}
    jsonschema.Draft202012Validator(document).validate(client.get(path).json())


def test_the_api_page_links_the_description(client):
    assert 'href="/api/openapi.json"' in client.get("/api/").content.decode()
