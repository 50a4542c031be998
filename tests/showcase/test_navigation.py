"""Navigation follows publication: no menu item leads to a page visitors can't open, and the
admin says what links where."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from showcase.links import broken_links
from showcase.models import NavLink, Page, Section

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    return time_machine


def menu(client, path: str = "/") -> list[str]:
    page = client.get(path).content.decode()
    nav = page[page.index('<nav class="navbar"'):page.index("</nav>")]
    return re.findall(r'<a href="([^"]+)"', nav)


def test_a_menu_item_to_an_unpublished_page_is_left_out_at_once_and_comes_back(
    client, django_capture_on_commit_callbacks
):
    assert "/about/" in menu(client) and "/about/" in menu(client, "/metrics/")
    about = Page.objects.get(slug="about")
    with django_capture_on_commit_callbacks(execute=True):  # committed, as a save in the admin
        about.unpublish()
    assert "/about/" not in menu(client)
    assert "/about/" not in menu(client, "/metrics/")
    with django_capture_on_commit_callbacks(execute=True):
        about.published = True
        about.save()
    assert "/about/" in menu(client)


def test_a_menu_item_follows_its_pages_schedule_with_no_command_run(client, clock, settings):
    settings.PAGE_CACHE_SECONDS = 600
    about = Page.objects.get(slug="about")
    about.go_live_at = timezone.now() + timedelta(seconds=30)
    about.expire_at = timezone.now() + timedelta(seconds=90)
    about.save()
    response = client.get("/metrics/")
    assert "/about/" not in menu(client, "/metrics/")
    # The cached page is kept no longer than the menu stays as it is.
    assert response["Cache-Control"] == "public, max-age=0, s-maxage=30"
    clock.shift(timedelta(seconds=31))
    assert "/about/" in menu(client, "/metrics/")
    clock.shift(timedelta(seconds=60))
    assert "/about/" not in menu(client, "/metrics/")


def test_a_menu_item_to_a_path_no_page_answers_is_left_out(client):
    NavLink.objects.create(label="Nowhere", url="/no-such-page/", order=99)
    NavLink.objects.create(label="Elsewhere", url="https://example.org/", order=100)
    links = menu(client)
    assert "/no-such-page/" not in links and "https://example.org/" in links
    assert "/reports/" in links or "/api/" in links or "/audit/" in links


def test_the_admin_lists_internal_links_that_lead_to_page_not_found(staff_client):
    about = Page.objects.get(slug="about")
    section = Section.objects.filter(page__slug="enforcement").first()
    section.body = "See [the story](/about/) and [gone](/gone/) and [ok](/metrics/)."
    section.save()
    assert broken_links() and [link.url for link in broken_links()] == ["/gone/"]
    about.unpublish()
    found = {(link.where, link.url) for link in broken_links()}
    assert ("Menu item “About”", "/about/") in found
    assert (f"Section “{section}”", "/about/") in found
    assert (f"Section “{section}”", "/gone/") in found
    assert not any(url == "/metrics/" for _, url in found)
    report = staff_client.get("/admin/showcase/page/links/").content.decode()
    assert f"Section “{section}”" in report and "<code>/gone/</code>" in report
    home = staff_client.get("/admin/").content.decode()
    assert "to a page they can't open" in home


def test_unpublishing_lists_the_menus_sections_and_links_that_point_to_the_page(
    staff_client, settings
):
    about = Page.objects.get(slug="about")
    section = Section.objects.filter(page__slug="enforcement").first()
    # An address under SITE_URL is a link to this site as much as a bare path is.
    section.body = f"Read [about us]({settings.SITE_URL}/about/)."
    section.save()
    asking = staff_client.get(f"/admin/showcase/page/{about.pk}/unpublish/").content.decode()
    assert "Menu item “About”" in asking
    assert f"Section “{section}”" in asking
    assert f"({settings.SITE_URL}/about/)" in asking
