"""Visitors see the plan's copy on every page, and figures only from a snapshot."""

import html
import re
from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from showcase.models import EnforcementExample, Page, Section
from tests.factories import make_snapshot

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", response.content.decode()))


def words(response) -> str:
    """What a reader reads: the text without its tags."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def test_the_home_page_shows_the_banner_hero_cards_and_principles(client):
    page = text(client.get("/"))
    assert "Live in Production:" in page
    assert "not aspirational, structurally enforced." in page
    assert "<h1" in page and page.count("<h1") == 1
    for label in ("Operations Validated", "Uptime Since Launch", "Product Variants"):
        assert label in page
    assert "Community, Family, Business, Passport" in page
    assert "Principles" in page
    # The banner comes right after the navbar.
    assert page.index("live-banner") < page.index('id="main"')


def test_the_about_page_has_the_validated_in_production_section(client):
    page = text(client.get("/about/"))
    assert "Validated in Production" in page
    assert "isn't a proposal—it's enforced in production systems today." in page
    assert "Code Can't Lie" in page


def test_the_enforcement_page_has_badge_services_examples_and_evidence(client):
    page = text(client.get("/enforcement/"))
    assert "Live on MySovereignty.digital" in page
    for name in ("BoundaryEnforcer", "MetacognitiveVerifier", "InstructionPersistenceClassifier"):
        assert name in page
    assert "Tenant Isolation (Architectural)" in page
    assert "❌ BLOCKED AT FRAMEWORK LEVEL" in words(client.get("/enforcement/"))  # highlighted
    assert "Impossible to Fake" in page
    assert "Architecture enforces constraints even when humans fail." in page


def test_the_metrics_page_frame_exists(client):
    assert "Real-Time Enforcement Metrics" in text(client.get("/metrics/"))


def test_without_a_snapshot_no_figure_is_invented(client):
    page = text(client.get("/"))
    assert "Awaiting first metrics" in page
    assert "2,847" not in page
    assert "100%" not in page


def test_figures_come_from_the_latest_snapshot_with_its_time(client):
    make_snapshot(services=(("boundary-enforcer", "BoundaryEnforcer", 1000),))
    latest = make_snapshot(
        services=(("boundary-enforcer", "BoundaryEnforcer", 2847),), age=timedelta(minutes=1)
    )
    home = text(client.get("/"))
    assert "2,847" in home
    assert "1,000" not in home
    assert f'datetime="{latest.generated_at.isoformat()}"' in home
    assert "Live" in home
    enforcement = text(client.get("/enforcement/"))
    assert "2,847</strong> operations validated" in enforcement
    # A service the snapshot does not carry is awaiting, not zero.
    assert "Awaiting first metrics" in enforcement


def test_an_editor_page_appears_at_its_slug_with_no_code_change(client):
    page = Page.objects.create(
        title="Comparison", slug="comparison", meta_description="How it compares",
        published=True,
    )
    Section.objects.create(page=page, heading="Versus policy documents", body="*Enforced*.")
    page_text = text(client.get("/comparison/"))
    assert "Versus policy documents" in page_text
    assert "<em>Enforced</em>" in page_text


def test_each_page_has_canonical_description_and_open_graph(client):
    page = text(client.get("/enforcement/"))
    assert '<link rel="canonical" href="http://testserver/enforcement/">' in page
    assert '<meta name="description" content="Comprehensive evidence' in page
    assert '<meta property="og:title" content="Tractatus in Production">' in page


def test_public_pages_set_no_cookie(client):
    for path in ("/", "/about/", "/enforcement/", "/metrics/"):
        assert "Set-Cookie" not in client.get(path).headers, path


# The enforcement page also reads the partner's live evidence: which targets, and their latest
# checks (one query; the checks themselves are cached under their ids, as they never change).
BUDGET = {"/enforcement/": 11}


@pytest.mark.parametrize("path", ["/", "/about/", "/enforcement/", "/metrics/"])
def test_each_page_stays_within_ten_queries(
    client, path, settings, django_assert_max_num_queries
):
    settings.PAGE_CACHE_SECONDS = 0  # every request renders its page
    make_snapshot()
    client.get(path)  # the dashboard is computed once a snapshot, and kept in the database
    cache.clear()  # nothing else is cached any more: the shared cache is as good as down
    with django_assert_max_num_queries(BUDGET.get(path, 10)):
        assert client.get(path).status_code == 200


def test_the_query_count_does_not_grow_with_rows(
    client, settings, django_assert_max_num_queries
):
    settings.PAGE_CACHE_SECONDS = 0  # every request renders its page
    from metrics.models import FrameworkService
    from showcase.models import EnforcementExample, Highlight

    table = Section.objects.get(kind="services")
    for n in range(30):
        FrameworkService.objects.create(name=f"S{n}", feed_key=f"s-{n}", unit="ops")
        EnforcementExample.objects.create(title=f"E{n}", code="x")
        Highlight.objects.create(section=table, label=f"H{n}", source="bypasses")
    make_snapshot()
    with django_assert_max_num_queries(BUDGET["/enforcement/"]):
        assert client.get("/enforcement/").status_code == 200


def test_a_pages_copy_is_read_from_the_database_once_until_an_editor_saves(
    client, settings, django_capture_on_commit_callbacks
):
    settings.PAGE_CACHE_SECONDS = 0  # every request rendered, from what is cached beneath
    make_snapshot()
    client.get("/enforcement/")
    with CaptureQueriesContext(connection) as again:
        repeat = client.get("/enforcement/")
    assert repeat.status_code == 200
    assert not [q["sql"] for q in again.captured_queries if "showcase_" in q["sql"]]
    example = EnforcementExample.objects.first()
    example.title = "An edited example"
    with django_capture_on_commit_callbacks(execute=True):  # committed
        example.save()
    assert b"An edited example" in client.get("/enforcement/").content


@pytest.mark.parametrize(
    ("path", "line"),
    [
        ("/", "Uptime Since Launch March 2025"),
        ("/about/", "enforcement since deployment (March 2025)"),
        ("/enforcement/", "No degraded service since deployment (March 2025)"),
    ],
)
def test_a_figure_counted_since_deployment_names_the_feeds_date(client, path, line):
    make_snapshot(deployed_since=date(2025, 3, 1))
    page = words(client.get(path))
    assert line in page
    assert "2024" not in page


def test_before_the_first_snapshot_no_deployment_date_is_claimed(client):
    page = words(client.get("/about/"))
    assert "enforcement since deployment" in page
    assert "October 2024" not in page
