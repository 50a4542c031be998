"""The public verification endpoints, as any client (or cache) sees them."""

from __future__ import annotations

import hashlib

import pytest

from metrics.feed import SCHEMA_PATH
from metrics.models import Snapshot

from .conftest import dated, encode, minutes_ago

pytestmark = pytest.mark.django_db

LATEST = "/api/metrics/latest.json"


@pytest.fixture
def snapshot(example, feed_file, ingest_command) -> Snapshot:
    example["services"][1]["name"] = '<script>alert("x")</script>'
    assert ingest_command("--file", feed_file(example))[0] == 0
    return Snapshot.objects.get()


def test_latest_is_a_json_404_until_a_snapshot_is_accepted(client):
    response = client.get(LATEST)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"error": "no snapshot has been accepted yet"}


def test_latest_gives_the_normalised_snapshot_and_its_hashes(client, snapshot):
    response = client.get(LATEST)
    assert response.status_code == 200
    body = response.json()
    assert body["sha256"] == snapshot.sha256
    assert body["previous_sha256"] == ""
    assert body["source"] == "mysovereignty.digital" and body["demo"] is False
    assert body["generated_at"] == snapshot.generated_at.isoformat()
    assert body["ingested_at"] == snapshot.ingested_at.isoformat()
    assert body["services"][0] == {
        "key": "boundary-enforcer",
        "name": "BoundaryEnforcer",
        "windows": {
            "24h": {"operations": 87, "blocked": 3},
            "7d": {"operations": 647, "blocked": 17},
            "30d": {"operations": 2847, "blocked": 81},
        },
    }
    assert [s["key"] for s in body["services"]][-1] == "instruction-persistence-classifier"
    assert body["tenant_isolation"] == {"24h": 17112, "7d": 119161, "30d": 540112}
    assert body["enforcement"] == {"uptime_percent": 100.0, "bypasses": 0}


def test_feed_text_is_returned_as_json_data(client, snapshot):
    response = client.get(LATEST)
    assert response["Content-Type"] == "application/json"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.json()["services"][1]["name"] == '<script>alert("x")</script>'


def test_latest_is_cacheable_and_answers_conditional_requests(client, snapshot):
    response = client.get(LATEST)
    etag, modified = response["ETag"], response["Last-Modified"]
    assert snapshot.sha256 in etag
    assert "public" in response["Cache-Control"]
    assert client.get(LATEST, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get(LATEST, HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    not_modified = client.get(LATEST, HTTP_IF_NONE_MATCH=etag)
    assert "public" in not_modified["Cache-Control"]


def test_a_newer_snapshot_changes_the_etag(client, snapshot, example, feed_file, ingest_command):
    etag = client.get(LATEST)["ETag"]
    ingest_command("--file", feed_file(dated(example, minutes_ago(1))))
    response = client.get(LATEST, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert response.json()["previous_sha256"] == snapshot.sha256


def test_a_snapshot_is_served_as_its_exact_bytes(client, snapshot):
    response = client.get(f"/api/metrics/snapshots/{snapshot.sha256}.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert hashlib.sha256(response.content).hexdigest() == snapshot.sha256
    assert response.content == snapshot.raw_bytes()
    assert response["ETag"] == f'W/"{snapshot.sha256}"'
    assert "immutable" in response["Cache-Control"] and "public" in response["Cache-Control"]
    again = client.get(
        f"/api/metrics/snapshots/{snapshot.sha256}.json", HTTP_IF_NONE_MATCH=response["ETag"]
    )
    assert again.status_code == 304


@pytest.mark.parametrize("name", ["0" * 64, "not-a-hash", "A" * 64])
def test_an_unknown_snapshot_is_a_json_404_cached_briefly(client, snapshot, name):
    response = client.get(f"/api/metrics/snapshots/{name}.json")
    assert response.status_code == 404
    assert response.json() == {"error": "no snapshot has that SHA-256"}
    assert "immutable" not in response["Cache-Control"]


def test_the_endpoints_are_read_only(client, snapshot):
    assert client.post(LATEST).status_code == 405
    assert client.head(LATEST).status_code == 200


def test_the_raw_bytes_are_those_the_feed_sent(client, example, feed_file, ingest_command):
    payload = encode(example).replace(b"\n", b"\r\n")
    ingest_command("--file", feed_file(payload))
    digest = hashlib.sha256(payload).hexdigest()
    assert client.get(f"/api/metrics/snapshots/{digest}.json").content == payload


PUBLIC_DATA = [
    LATEST,
    "/api/metrics/figures.json",
    "/api/metrics/daily.csv",
    "/api/metrics/windows.csv",
    "/api/metrics/log.json",
    "/api/metrics/contract/v1.schema.json",
    "/api/metrics/contract/v1.md",
]


@pytest.mark.parametrize("path", PUBLIC_DATA)
def test_public_data_is_open_to_other_sites_scripts_without_credentials(client, snapshot, path):
    response = client.get(path, HTTP_ORIGIN="https://researcher.example")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response
    assert response["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert "Set-Cookie" not in response


def test_a_snapshots_bytes_are_open_to_other_sites_scripts(client, snapshot):
    response = client.get(f"/api/metrics/snapshots/{snapshot.sha256}.json")
    assert response["Access-Control-Allow-Origin"] == "*"


def test_the_contract_schema_is_served_as_committed_and_cacheable(client):
    response = client.get("/api/metrics/contract/v1.schema.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/schema+json"
    assert response.content == SCHEMA_PATH.read_bytes()
    assert response.json()["title"] == "Framework metrics feed, version 1"
    assert "public" in response["Cache-Control"] and "max-age=86400" in response["Cache-Control"]
    again = client.get("/api/metrics/contract/v1.schema.json", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_the_contract_specification_is_served_with_the_consumers_promises(client):
    response = client.get("/api/metrics/contract/v1.md")
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert "## Consumer obligations (the Tractatus site)" in response.content.decode()
