"""Staff review of the ingest in the admin: read-only evidence, escaped feed text, health."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from metrics.models import FrameworkService, IngestRun, Snapshot
from tests.factories import make_events

from .conftest import dated, minutes_ago

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("x")</script>'


@pytest.fixture
def snapshot(example, feed_file, ingest_command) -> Snapshot:
    """An accepted snapshot whose feed carries markup and a service no editor has mapped."""
    example["services"][1]["name"] = SCRIPT
    example["boundary_blocks_by_rule"][0]["label"] = SCRIPT
    example["services"].append(
        {**example["services"][0], "key": "new-service", "name": f"New {SCRIPT}"}
    )
    assert ingest_command("--file", feed_file(example))[0] == 0
    return Snapshot.objects.get()


def review_pages(snapshot: Snapshot) -> list[str]:
    run = IngestRun.objects.first()
    return [
        "/admin/",
        "/admin/metrics/ingestrun/",
        "/admin/metrics/ingestrun/?outcome__exact=rejected",
        f"/admin/metrics/ingestrun/?started_at__year={run.started_at.year}",
        f"/admin/metrics/ingestrun/{run.pk}/change/",
        "/admin/metrics/snapshot/",
        "/admin/metrics/snapshot/?source=demo",
        f"/admin/metrics/snapshot/{snapshot.pk}/change/",
        "/admin/metrics/snapshot/chain/",
        "/admin/metrics/snapshot/unmapped-keys/",
        "/admin/metrics/frameworkservice/",
    ]


def test_staff_can_open_every_review_page(staff_client, snapshot):
    for url in review_pages(snapshot):
        assert staff_client.get(url).status_code == 200, url


def test_anyone_not_staff_is_sent_to_the_login_page(client, django_user_model, snapshot):
    member = Client()
    member.force_login(django_user_model.objects.create_user("visitor", password="pw"))
    for browser in (client, member):
        for url in review_pages(snapshot):
            response = browser.get(url)
            assert response.status_code == 302 and "/admin/login/" in response["Location"], url


def test_staff_find_a_decision_by_its_exact_id_tenant_service_or_rule(staff_client, snapshot):
    make_events(snapshot, 3)
    (wanted,) = make_events(
        snapshot, 1, service="context-pressure-monitor", decision="escalated",
        rule="context-overflow", tenant="t_fedcba9876543210",
    )
    for term in (wanted.event_id, wanted.tenant, wanted.service, wanted.rule):
        with CaptureQueriesContext(connection) as queries:
            page = staff_client.get("/admin/metrics/auditevent/", {"q": term}).content.decode()
        assert re.findall(r'field-event_id">([^<]+)<', page) == [wanted.event_id], term
        # Case-insensitive matching (UPPER() on PostgreSQL, LIKE on SQLite) uses no index: the
        # database would read every stored event.
        sql = [query["sql"] for query in queries.captured_queries]
        assert [q for q in sql if re.search(r"UPPER\(| LIKE ", q)] == [], term


def test_ingested_data_cannot_be_added_changed_or_deleted(staff_client, snapshot):
    change = f"/admin/metrics/snapshot/{snapshot.pk}/change/"
    assert staff_client.get("/admin/metrics/snapshot/add/").status_code == 403
    assert staff_client.post(change, {"source": "forged"}).status_code == 403
    assert staff_client.post(f"/admin/metrics/snapshot/{snapshot.pk}/delete/").status_code == 403
    run = IngestRun.objects.get()
    assert staff_client.post(f"/admin/metrics/ingestrun/{run.pk}/delete/").status_code == 403
    assert Snapshot.objects.get().source == "mysovereignty.digital"


def test_the_snapshot_page_shows_the_payload_pretty_and_escaped(staff_client, snapshot):
    page = staff_client.get(f"/admin/metrics/snapshot/{snapshot.pk}/change/").content.decode()
    assert "<script>alert" not in page
    escaped = "&lt;script&gt;alert(\\&quot;x\\&quot;)&lt;/script&gt;"
    assert f"&quot;name&quot;: &quot;{escaped}&quot;" in page
    assert '\n      &quot;key&quot;: &quot;boundary-enforcer&quot;,\n' in page  # indented
    assert snapshot.sha256 in page and "matches" in page
    assert "(none: the first snapshot)" in page


def test_the_snapshot_page_links_to_the_previous_snapshot(
    staff_client, snapshot, example, feed_file, ingest_command
):
    ingest_command("--file", feed_file(dated(example, minutes_ago(1))))
    newer = Snapshot.objects.latest()
    page = staff_client.get(f"/admin/metrics/snapshot/{newer.pk}/change/").content.decode()
    assert f'href="/admin/metrics/snapshot/{snapshot.pk}/change/">{snapshot.sha256}' in page


def test_unmapped_feed_keys_are_listed_for_staff_and_escaped(staff_client, snapshot):
    page = staff_client.get("/admin/metrics/snapshot/unmapped-keys/").content.decode()
    assert "<code>new-service</code>" in page
    assert "New &lt;script&gt;" in page and SCRIPT not in page
    assert "feed_key=new-service" in page
    assert "<code>boundary-enforcer</code>" not in page  # mapped by the seeded services


def test_the_admin_index_summarises_ingest_health(staff_client, example, feed_file, ingest_command):
    ingest_command("--file", feed_file(dated(example, minutes_ago(90))))
    ingest_command("--file", feed_file(b"{}"))
    page = staff_client.get("/admin/").content.decode()
    assert "Last accepted snapshot" in page
    assert "older than 60 minutes" in page
    assert 'metrics/ingestrun/">1</a>' in page  # one rejected run in the last 24 hours


def test_fresh_data_raises_no_warning_on_the_index(
    staff_client, example, feed_file, ingest_command
):
    ingest_command("--file", feed_file(example))
    page = staff_client.get("/admin/").content.decode()
    assert "older than" not in page and 'metrics/ingestrun/">0</a>' in page


def test_editors_reorder_and_unpublish_services_from_the_list(staff_client):
    url = "/admin/metrics/frameworkservice/"
    page = staff_client.get(url).content.decode()
    assert 'name="form-0-order"' in page and 'name="form-0-published"' in page
    services = list(FrameworkService.objects.order_by("order"))
    assert len(services) > 1 and all(s.published for s in services)
    form = {
        "form-TOTAL_FORMS": len(services),
        "form-INITIAL_FORMS": len(services),
        "_save": "Save",
    }
    for n, service in enumerate(services):  # the order reversed, the first one unpublished
        form |= {f"form-{n}-id": service.pk, f"form-{n}-order": len(services) - n}
        if n:
            form[f"form-{n}-published"] = "on"
    assert staff_client.post(url, form).status_code == 302
    listed = list(FrameworkService.objects.order_by("order"))
    assert [s.pk for s in listed] == [s.pk for s in reversed(services)]
    assert [s.published for s in listed] == [True] * (len(services) - 1) + [False]
