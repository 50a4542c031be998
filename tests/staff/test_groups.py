"""Least privilege: Editors the copy, Metrics reviewers the feed mapping; evidence read-only."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import Group

from metrics.models import FrameworkService
from showcase.models import Page
from tests.reports.test_monthly_reports import snapshot_on
from tests.signin import signed_in

pytestmark = pytest.mark.django_db

EDITING = ("add", "change", "delete", "view")
SITE_CONTENT = ["sitesettings", "navlink", "page", "section", "highlight", "video",
                "enforcementexample", "evidenceitem", "framework", "criterion",
                "comparisoncell", "citation"]
# Sign-in lockouts (axes) are for superusers alone: test_throttling.py.
ACCOUNTS = {"staff.view_securityevent"}
IMAGES = {f"images.{action}_image" for action in EDITING}
# The partner's live evidence and the incidents: seen by both groups, changed by nobody.
SEE_CHECKS = {"evidence.view_check", "evidence.view_headerchange"}
SEE_INCIDENTS = {"alerts.view_incident", "alerts.view_delivery"}


def permissions(group_name: str) -> set[str]:
    group = Group.objects.get(name=group_name)
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}


def test_migrate_creates_the_editors_with_exactly_the_sites_copy():
    expected = {f"showcase.{action}_{model}" for model in SITE_CONTENT for action in EDITING}
    expected |= {f"measures.{action}_outboundlink" for action in EDITING}
    expected |= {"measures.view_dailycount", "reports.view_monthlyreport",
                 "reports.change_monthlyreport", "metrics.view_frameworkservice",
                 "metrics.change_frameworkservice"} | ACCOUNTS | IMAGES | SEE_CHECKS
    expected |= SEE_INCIDENTS | {"evidence.view_probetarget"}
    assert permissions("Editors") == expected


def test_migrate_creates_the_metrics_reviewers_with_exactly_the_mapping_and_evidence():
    assert permissions("Metrics reviewers") == {
        "metrics.view_frameworkservice", "metrics.add_frameworkservice",
        "metrics.delete_frameworkservice", "metrics.change_feed_mapping",
        "metrics.view_ingestrun", "metrics.view_snapshot", "metrics.view_chaincheck",
        "metrics.view_auditevent",
        *(f"evidence.{action}_probetarget" for action in EDITING),
        "alerts.close_incident",  # what no check will see again, closed by hand
    } | ACCOUNTS | SEE_CHECKS | SEE_INCIDENTS


def member(django_user_model, username: str, group_name: str):
    user = django_user_model.objects.create_user(username, password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=group_name))
    return signed_in(user)


@pytest.fixture
def editor(django_user_model):
    return member(django_user_model, "ed", "Editors")


@pytest.fixture
def reviewer(django_user_model):
    return member(django_user_model, "rev", "Metrics reviewers")


def service_form(service: FrameworkService, **changes) -> dict:
    fields = FrameworkService.COPY_FIELDS + FrameworkService.MAPPING_FIELDS
    return {**{name: getattr(service, name) for name in fields}, **changes}


def test_an_editor_changes_a_services_copy_but_not_its_mapping(editor):
    service = FrameworkService.objects.first()
    before = FrameworkService.objects.get(pk=service.pk)
    assert (before.feed_key, before.status) != ("forged-key", "paused")
    url = f"/admin/metrics/frameworkservice/{service.pk}/change/"
    page = editor.get(url).content.decode()
    assert 'name="name"' in page and 'name="feed_key"' not in page
    form = service_form(service, name="Renamed", feed_key="forged-key", status="paused")
    assert editor.post(url, form).status_code == 302
    service.refresh_from_db()
    assert service.name == "Renamed"
    # Each mapping field is refused on its own: a form that let one through fails here.
    assert (service.feed_key, service.status) == (before.feed_key, before.status)


def test_an_editors_posts_to_metrics_admin_urls_are_refused(editor):
    assert editor.post("/admin/metrics/frameworkservice/add/",
                       {"name": "X", "feed_key": "x", "unit": "u"}).status_code == 403
    assert editor.post("/admin/metrics/snapshot/chain/").status_code == 403
    assert editor.get("/admin/metrics/snapshot/").status_code == 403
    service = FrameworkService.objects.first()
    delete = f"/admin/metrics/frameworkservice/{service.pk}/delete/"
    assert editor.post(delete, {"post": "yes"}).status_code == 403
    assert FrameworkService.objects.filter(pk=service.pk).exists()


def test_a_reviewer_changes_the_mapping_but_not_the_copy(reviewer):
    service = FrameworkService.objects.first()
    url = f"/admin/metrics/frameworkservice/{service.pk}/change/"
    form = service_form(service, name="Renamed", feed_key="new-key", status="degraded")
    assert reviewer.post(url, form).status_code == 302
    service.refresh_from_db()
    assert (service.feed_key, service.status) == ("new-key", "degraded")
    assert service.name != "Renamed"
    # The list's inline order and published boxes are copy too.
    listing = reviewer.get("/admin/metrics/frameworkservice/").content.decode()
    assert 'name="form-0-order"' not in listing


def test_a_reviewers_post_to_a_page_is_refused(reviewer):
    page = Page.objects.first()
    url = f"/admin/showcase/page/{page.pk}/change/"
    response = reviewer.post(url, {"title": "Rewritten", "slug": page.slug,
                                   "meta_description": "x"})
    assert response.status_code == 403
    assert Page.objects.get(pk=page.pk).title == page.title


def test_a_reviewer_sees_the_evidence_and_cannot_alter_it(reviewer):
    snapshot = snapshot_on(datetime(2026, 10, 20, tzinfo=UTC), {})
    assert reviewer.get("/admin/metrics/snapshot/").status_code == 200
    assert reviewer.get("/admin/metrics/ingestrun/").status_code == 200
    change = f"/admin/metrics/snapshot/{snapshot.pk}/change/"
    assert reviewer.post(change, {"source": "forged"}).status_code == 403
    assert reviewer.post(f"/admin/metrics/snapshot/{snapshot.pk}/delete/",
                         {"post": "yes"}).status_code == 403
