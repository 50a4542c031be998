"""/internal/metrics: Prometheus text for whoever holds the token, a 404 for everyone else."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from alerts import incidents
from evidence.models import ProbeTarget
from evidence.record import run_check
from metrics.models import IngestRun
from tests.evidence.conftest import certificates, partner  # noqa: F401
from tests.factories import make_snapshot
from tests.partner import Reply

pytestmark = pytest.mark.django_db
TOKEN = "scrape-" + "t" * 40


@pytest.fixture
def scrape(client, settings):
    settings.METRICS_SCRAPE_TOKEN = TOKEN

    def read() -> dict[tuple[str, tuple], float]:
        response = client.get("/internal/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/plain; version=")
        assert "no-cache" in response["Cache-Control"]
        return {
            (sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(response.content.decode())
            for sample in family.samples
        }

    return read


@pytest.mark.parametrize(
    "authorization", [None, "Bearer wrong", f"Basic {TOKEN}", f"Bearer {TOKEN}x"]
)
def test_without_the_token_there_is_nothing_here(client, settings, authorization):
    settings.METRICS_SCRAPE_TOKEN = TOKEN
    headers = {"Authorization": authorization} if authorization else {}
    assert client.get("/internal/metrics", headers=headers).status_code == 404


def test_with_no_token_configured_the_endpoint_does_not_exist(client, settings):
    settings.METRICS_SCRAPE_TOKEN = ""
    response = client.get("/internal/metrics", headers={"Authorization": "Bearer "})
    assert response.status_code == 404


def test_requests_are_counted_and_timed_by_view(client, scrape):
    before = scrape()
    for _ in range(3):
        client.get("/healthz")
    client.get("/no-such-page/")
    after = scrape()
    key = ("tractatus_http_requests_total", (("status", "2xx"), ("view", "healthz")))
    assert after[key] - before.get(key, 0) == 3
    timed = ("tractatus_http_request_duration_seconds_count", (("view", "healthz"),))
    assert after[timed] - before.get(timed, 0) == 3
    assert any(name == "tractatus_http_requests_total" and ("status", "4xx") in labels
               for name, labels in after)


def test_page_cache_hits_and_misses_are_counted(client, scrape):
    make_snapshot()
    before = scrape()
    client.get("/enforcement/")
    client.get("/enforcement/")
    after = scrape()

    def delta(result):
        key = ("tractatus_page_cache_lookups_total", (("result", result),))
        return after.get(key, 0) - before.get(key, 0)

    assert (delta("miss"), delta("hit")) == (1, 1)
    # Only the miss reached Django; the hit was answered before it.
    rendered = ("tractatus_http_requests_total", (("status", "2xx"), ("view", "showcase:page")))
    assert after[rendered] - before.get(rendered, 0) == 1


def test_ingest_outcomes_durations_and_snapshot_age(client, scrape):
    make_snapshot(age=timedelta(minutes=10))
    now = make_snapshot().generated_at
    for outcome, ms in [("accepted", 300), ("accepted", 4000), ("rejected", 50)]:
        IngestRun.objects.create(started_at=now, finished_at=now, source_url="x",
                                 duration_ms=ms, outcome=outcome)
    found = scrape()
    assert found[("tractatus_ingest_runs_total", (("outcome", "accepted"),))] == 2
    assert found[("tractatus_ingest_runs_total", (("outcome", "failed"),))] == 0
    bucket = ("tractatus_ingest_duration_seconds_bucket", (("le", "0.5"), ("outcome", "accepted")))
    assert found[bucket] == 1
    assert found[("tractatus_ingest_duration_seconds_sum", (("outcome", "accepted"),))] == 4.3
    assert 300 <= found[("tractatus_snapshot_age_seconds", ())] < 400  # make_snapshot's 5 min
    assert found[("tractatus_snapshots", ())] == 2


def test_the_probes_last_result_the_logs_size_and_open_incidents(client, scrape, partner):  # noqa: F811
    ProbeTarget.objects.all().delete()
    broken = ProbeTarget.objects.create(url=partner.url + "broken")
    partner.replies["/broken"] = Reply(status=503)
    before = timezone.now().timestamp()
    run_check(partner.url, ProbeTarget.objects.create(url=partner.url))
    run_check(broken.url, broken)
    incidents.open("hash-chain", "The snapshots' hash chain is broken")
    found = scrape()
    url, failing = (("url", partner.url),), (("url", broken.url),)
    assert found[("tractatus_probe_success", url)] == 1
    assert found[("tractatus_probe_score", url)] == 100
    assert found[("tractatus_probe_certificate_days_left", url)] == 60
    assert before <= found[("tractatus_probe_checked_timestamp_seconds", url)] <= time.time()
    # A failed check is a failure, never a score.
    assert found[("tractatus_probe_success", failing)] == 0
    assert ("tractatus_probe_score", failing) not in found
    assert found[("tractatus_open_incidents", ())] == 1
    # Each check is an entry of the transparency log.
    assert found[("tractatus_transparency_log_entries", ())] == 2


def test_no_probe_result_is_reported_before_a_real_check(client, scrape):
    found = scrape()
    assert not [name for name, _ in found if name.startswith("tractatus_probe_")]
    assert found[("tractatus_transparency_log_entries", ())] == 0
