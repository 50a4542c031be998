"""/internal/metrics under gunicorn: each worker's requests counted, whichever one is scraped."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from .conftest import SCRAPE_TOKEN

pytestmark = pytest.mark.e2e
EVIDENCE_API = ("tractatus_http_requests_total", (("status", "2xx"), ("view", "evidence-api")))


def scrape(site) -> dict:
    response = requests.get(
        f"{site.url}/internal/metrics", headers={"Authorization": f"Bearer {SCRAPE_TOKEN}"},
        timeout=10,
    )
    assert response.status_code == 200
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(response.text) for s in family.samples
    }


def test_the_workers_counts_are_summed(site):
    before = scrape(site).get(EVIDENCE_API, 0)
    # At once, so that both workers answer some of them.
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(
            lambda _: requests.get(f"{site.url}/api/evidence.json", timeout=10).status_code,
            range(40),
        ))
    assert statuses == [200] * 40
    metrics_dir = site.workdir / f"prometheus-{site.port}"
    assert len(list(metrics_dir.glob("counter_*.db"))) == 2  # one file per worker
    assert scrape(site)[EVIDENCE_API] - before == 40


def test_without_the_token_the_metrics_are_not_there(site):
    assert requests.get(f"{site.url}/internal/metrics", timeout=10).status_code == 404
