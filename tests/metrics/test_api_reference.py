"""/api/: every public endpoint, documented in the site's chrome, with commands that work."""

from __future__ import annotations

import html
import re

import pytest

from metrics.models import Snapshot
from transparency.notes import Signer

from .conftest import encode, sign

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    "/api/metrics/latest.json",
    "/api/metrics/snapshots/&lt;sha256&gt;.json",
    "/api/metrics/snapshots/&lt;sha256&gt;.sig",
    "/api/metrics/figures.json",
    "/api/metrics/daily.csv",
    "/api/metrics/windows.csv",
    "/api/metrics/log.json",
    "/api/metrics/audit.json",
    "/api/metrics/audit.csv",
    "/reports/feed.xml",
    "/api/metrics/contract/v1.schema.json",
    "/api/metrics/audit/&lt;id&gt;.json",
    "/log/checkpoint",
    "/log/key",
    "/log/tile/&lt;L&gt;/&lt;N&gt;[.p/&lt;W&gt;]",
    "/log/tile/entries/&lt;N&gt;[.p/&lt;W&gt;]",
    "/api/log/proof/inclusion?index=I&amp;size=N",
    "/api/log/proof/consistency?from=M&amp;to=N",
    "/api/log/lookup?event=ID",
    "/log/verify.py",
]


@pytest.fixture
def signed_snapshot(partner_key, example, feed_file, ingest_command) -> Snapshot:
    body = encode(example)
    status, out = ingest_command("--file", feed_file(body), "--signature", sign(partner_key, body))
    assert status == 0, out
    return Snapshot.objects.get()


def curl_paths(page: str) -> list[str]:
    """The path of every `curl -s http://testserver/…` command on the page (quoted or not)."""
    return re.findall(r"curl -s '?http://testserver(/[^\s'<]+)", html.unescape(page))


def test_it_documents_every_public_endpoint_in_the_sites_chrome(client):
    page = client.get("/api/").content.decode()
    for endpoint in ENDPOINTS:
        # Listed as an endpoint, not merely mentioned (in a curl command or a link, say).
        assert re.search(f"<code>(GET )?{re.escape(endpoint)}</code>", page), endpoint
    assert 'class="site-header"' in page and 'class="site-footer"' in page
    assert page.count("<h1") == 1


def test_every_curl_command_works_against_this_site(client, signed_snapshot, settings):
    settings.LOG_SIGNING_KEY = str(Signer.generate("tests.example/log"))
    page = client.get("/api/").content.decode()
    paths = curl_paths(page)
    assert len(paths) >= 10
    assert f"/api/metrics/snapshots/{signed_snapshot.sha256}.sig" in paths
    for path in set(paths):
        assert client.get(path).status_code == 200, path


def test_it_names_the_partners_key_when_the_site_holds_one(client, signed_snapshot, settings):
    page = client.get("/api/").content.decode()
    assert settings.METRICS_PUBLIC_KEY in page
    assert "openssl pkeyutl -verify" in page


def test_demo_data_is_labelled_on_it(client, ingest_command):
    ingest_command("--demo")
    assert "Demo data" in client.get("/api/").content.decode()


@pytest.mark.parametrize("path", ["/", "/about/", "/audit/", "/reports/"])
def test_every_page_links_to_it_from_the_footer(client, path):
    footer = client.get(path).content.decode().split('class="site-footer"')[1]
    assert 'href="/api/"' in footer


def test_the_dashboards_verify_box_links_to_it(client, ingest_command):
    ingest_command("--demo")
    verify = client.get("/metrics/").content.decode().split('class="verify"')[1]
    assert 'href="/api/"' in verify


def test_before_any_snapshot_its_placeholders_show_as_text(client):
    page = client.get("/api/").content.decode()
    assert "snapshots/&lt;sha256&gt;.json | sha256sum" in page
    assert "echo '&lt;public key, base64&gt;'" in page
    assert "<sha256>" not in page and "<public key" not in page
