"""Editors change copy in the admin and visitors see it at once; drafts stay private."""

import re

import pytest

from metrics.models import FrameworkService
from showcase.markdown import render_markdown
from showcase.models import EnforcementExample, Highlight, Page, Section, SiteSettings

from .admin_forms import change_form_data as form_data

pytestmark = pytest.mark.django_db


def test_editing_the_banner_changes_every_page(staff_client, client):
    client.get("/")  # warm the cache: the edit must invalidate it
    url = "/admin/showcase/sitesettings/1/change/"
    data = form_data(staff_client, url)
    data["banner_text"] = "Edited banner copy, live now."
    assert staff_client.post(url, data).status_code == 302
    assert b"Edited banner copy, live now." in client.get("/").content
    assert b"Edited banner copy, live now." in client.get("/about/").content


def test_editing_a_service_row_changes_the_enforcement_page(staff_client, client):
    client.get("/enforcement/")
    service = FrameworkService.objects.get(feed_key="boundary-enforcer")
    url = f"/admin/metrics/frameworkservice/{service.pk}/change/"
    data = form_data(staff_client, url)
    data.update(name="Boundary Enforcer (renamed)", status="degraded")
    assert staff_client.post(url, data).status_code == 302
    page = client.get("/enforcement/").content.decode()
    assert "Boundary Enforcer (renamed)" in page
    assert 'status-degraded">Degraded' in page


def test_editing_an_example_changes_the_enforcement_page(staff_client, client):
    client.get("/enforcement/")
    example = EnforcementExample.objects.get(title="Privacy-by-Architecture")
    url = f"/admin/showcase/enforcementexample/{example.pk}/change/"
    data = form_data(staff_client, url)
    data.update(title="Privacy, by architecture", code="const x = 1; // <b>not bold</b>")
    assert staff_client.post(url, data).status_code == 302
    page = client.get("/enforcement/").content.decode()
    assert "Privacy, by architecture" in page
    assert "&lt;b&gt;not bold&lt;/b&gt;" in page


def test_every_change_is_kept_in_history_with_who_and_can_be_restored(staff_client):
    url = "/admin/showcase/sitesettings/1/change/"
    for banner in ("First edit", "Second edit"):
        data = form_data(staff_client, url)
        data["banner_text"] = banner
        assert staff_client.post(url, data).status_code == 302
    history = SiteSettings.load().history.all()
    # Below the two edits, the seeded banner's own first version.
    assert [h.banner_text for h in history][:2] == ["Second edit", "First edit"]
    assert {h.history_user.username for h in history[:2]} == {"editor"}
    assert b"Second edit" in staff_client.get("/admin/showcase/sitesettings/1/history/").content
    restore_url = f"/admin/showcase/sitesettings/1/history/{history[1].history_id}/restore/"
    assert staff_client.post(restore_url).status_code == 302
    assert SiteSettings.load().banner_text == "First edit"


def test_a_draft_page_is_hidden_from_visitors_and_shown_in_staff_preview(staff_client, client):
    Page.objects.create(title="Secret plan", slug="secret", meta_description="d")
    assert client.get("/secret/").status_code == 404
    assert client.get("/secret/?preview=1").status_code == 404
    response = staff_client.get("/secret/?preview=1")
    assert response.status_code == 200
    assert b"Staff preview" in response.content


def test_a_draft_section_is_hidden_until_published(staff_client, client):
    about = Page.objects.get(slug="about")
    Section.objects.create(page=about, heading="Unreleased section", published=False)
    assert b"Unreleased section" not in client.get("/about/").content
    assert b"Unreleased section" in staff_client.get("/about/?preview=1").content
    assert b"Unreleased section" not in staff_client.get("/about/").content


def test_a_staff_preview_never_shows_visitors_a_draft(staff_client, client):
    about = Page.objects.get(slug="about")
    Section.objects.create(page=about, heading="Unreleased section", published=False)
    assert b"Unreleased section" in staff_client.get("/about/?preview=1").content
    assert b"Unreleased section" not in client.get("/about/").content
    assert b"Unreleased section" not in client.get("/about/?fresh=1").content


@pytest.mark.parametrize(
    ("markdown", "forbidden"),
    [
        ("<script>alert(1)</script>", "<script"),
        ('<img src="x" onerror="alert(1)">', "onerror"),
        ("[click](javascript:alert(1))", "javascript:"),
        ('<p style="color:red">styled</p>', "style="),
        ('<a href="https://ok.example" onclick="x()">link</a>', "onclick"),
    ],
)
def test_markdown_cannot_inject_script_styles_or_handlers(markdown, forbidden, client):
    assert forbidden not in render_markdown(markdown)
    about = Page.objects.get(slug="about")
    Section.objects.create(page=about, heading="Injected", body=markdown)
    assert forbidden not in client.get("/about/").content.decode().split('id="main"')[1]


def test_a_reserved_slug_is_refused_with_a_clear_message(staff_client):
    response = staff_client.post(
        "/admin/showcase/page/add/",
        {"title": "Admin?", "slug": "admin", "meta_description": "x",
         "sections-TOTAL_FORMS": "0", "sections-INITIAL_FORMS": "0"},
    )
    assert response.status_code == 200
    assert "is used by the site itself" in response.content.decode()


def test_a_bound_card_without_its_service_is_refused_clearly(staff_client):
    section = Section.objects.get(kind="metric_cards")
    highlight = Highlight(section=section, label="Ops", source="service_operations")
    with pytest.raises(Exception) as excinfo:
        highlight.full_clean()
    assert "Choose the service" in str(excinfo.value)
    assert "Choose the window" in str(excinfo.value)


def test_a_fixed_card_needs_its_figure(staff_client):
    section = Section.objects.get(kind="metric_cards")
    with pytest.raises(Exception, match="Type the figure"):
        Highlight(section=section, label="Variants", source="fixed").full_clean()


def test_the_sitemap_lists_exactly_the_published_pages(client):
    Page.objects.create(title="Draft", slug="draft-page", meta_description="d")
    body = client.get("/sitemap.xml").content.decode()
    locs = sorted(re.findall(r"<loc>http://testserver(.*?)</loc>", body))
    assert locs == ["/", "/about/", "/enforcement/", "/metrics/"]
    assert "<lastmod>" in body


def test_robots_points_at_the_sitemap(client):
    body = client.get("/robots.txt").content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in body


def test_visitors_and_non_staff_get_no_admin(client, django_user_model):
    assert client.get("/admin/showcase/page/").status_code == 302
    user = django_user_model.objects.create_user("visitor", password="pw")
    client.force_login(user)
    response = client.get("/admin/showcase/page/")
    assert response.status_code == 302
    assert "/admin/login/" in response.headers["Location"]
