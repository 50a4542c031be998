"""/out/<slug>/ sends visitors only where editors said, and counts each click once per day row."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template import Context, Template
from django.utils import timezone

from measures.models import DailyClick, OutboundLink
from tractatus_site import settings as configured

pytestmark = pytest.mark.django_db


def clicks(slug):
    row = DailyClick.objects.filter(link__slug=slug, date=timezone.localdate()).first()
    return row.clicks if row else 0


def test_a_click_redirects_to_the_defined_destination_and_is_counted(client):
    for expected in (1, 2):
        response = client.get("/out/mysovereignty/")
        assert response.status_code == 302
        assert response["Location"] == "https://mysovereignty.digital/"
        assert "no-store" in response["Cache-Control"]
        assert clicks("mysovereignty") == expected
    assert DailyClick.objects.count() == 1


@pytest.mark.parametrize(
    "query", ["?next=https://evil.example/", "?url=https://evil.example/", "?url=//evil.example"]
)
def test_the_query_string_never_chooses_the_destination(client, query):
    response = client.get(f"/out/mysovereignty/{query}")
    assert response.status_code == 302
    assert response["Location"] == "https://mysovereignty.digital/"


@pytest.mark.parametrize("path", ["/out/no-such-link/", "/out/evil.example/", "/out/"])
def test_an_unknown_slug_is_404_and_counts_nothing(client, path):
    assert client.get(path).status_code == 404
    assert not DailyClick.objects.exists()


def test_an_unpublished_link_is_404_and_counts_nothing(client):
    OutboundLink.objects.filter(slug="mysovereignty").update(published=False)
    assert client.get("/out/mysovereignty/").status_code == 404
    assert not DailyClick.objects.exists()


@pytest.mark.parametrize("headers", [{"Sec-GPC": "1"}, {"DNT": "1"}])
def test_opted_out_visitors_are_redirected_but_not_counted(client, headers):
    response = client.get("/out/mysovereignty/", headers=headers)
    assert response.status_code == 302
    assert not DailyClick.objects.exists()


def test_a_head_request_is_answered_but_not_counted(client):
    assert client.head("/out/mysovereignty/").status_code == 302
    assert not DailyClick.objects.exists()


@pytest.mark.parametrize(
    "destination", ["javascript:alert(1)", "ftp://files.example/", "//evil.example/", "/local/"]
)
def test_only_web_destinations_are_accepted(destination):
    link = OutboundLink(slug="bad", label="Bad", destination=destination)
    with pytest.raises(ValidationError):
        link.full_clean()


def test_the_database_refuses_a_non_web_destination_too():
    with pytest.raises(IntegrityError), transaction.atomic():
        OutboundLink.objects.create(slug="bad", label="Bad", destination="javascript:alert(1)")


def test_initial_links_share_the_enforcement_page():
    # Built when the test database was migrated, from SITE_URL as configured (tests then
    # point SITE_URL at the test client).
    page = quote(f"{configured.SITE_URL.rstrip('/')}/enforcement/", safe="")
    shares = OutboundLink.objects.filter(slug__startswith="share-", published=True)
    assert {link.slug for link in shares} == {"share-mastodon", "share-linkedin", "share-bluesky"}
    for link in shares:
        assert link.destination.startswith("https://")
        assert page in link.destination
        link.full_clean()


def test_templates_get_the_counted_url_from_a_tag():
    rendered = Template('{% load measures %}<a href="{% out_url "mysovereignty" %}">').render(
        Context()
    )
    assert rendered == '<a href="/out/mysovereignty/">'


def test_editors_manage_links_with_history(staff_client):
    response = staff_client.post(
        "/admin/measures/outboundlink/add/",
        {"slug": "newsletter", "label": "Newsletter", "destination": "https://news.example/",
         "published": "on"},
    )
    assert response.status_code == 302
    link = OutboundLink.objects.get(slug="newsletter")
    assert link.history.get().history_user.username == "editor"
    refused = staff_client.post(
        "/admin/measures/outboundlink/add/",
        {"slug": "evil", "label": "Evil", "destination": "javascript:alert(1)"},
    )
    assert refused.status_code == 200
    assert not OutboundLink.objects.filter(slug="evil").exists()
