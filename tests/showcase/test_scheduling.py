"""Pages and sections go live and expire on time, decided when read: no job runs then."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from showcase.models import Page, Section

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    return time_machine


def words(response) -> str:
    return response.content.decode()


def scheduled_section(**times) -> Section:
    return Section.objects.create(
        page=Page.objects.get(slug="enforcement"), order=5, kind="text",
        heading="Launch-day announcement", body="We are live.", **times,
    )


def test_a_section_appears_at_its_time_with_no_command_run(client, clock):
    scheduled_section(go_live_at=timezone.now() + timedelta(seconds=2))
    assert "Launch-day announcement" not in words(client.get("/enforcement/"))
    clock.shift(timedelta(seconds=3))
    assert "Launch-day announcement" in words(client.get("/enforcement/"))


def test_a_section_disappears_when_it_expires(client, clock):
    scheduled_section(expire_at=timezone.now() + timedelta(seconds=2))
    assert "Launch-day announcement" in words(client.get("/enforcement/"))
    clock.shift(timedelta(seconds=3))
    assert "Launch-day announcement" not in words(client.get("/enforcement/"))


def test_a_cached_page_is_kept_only_until_its_next_scheduled_change(client, clock, settings):
    settings.PAGE_CACHE_SECONDS = 600
    scheduled_section(go_live_at=timezone.now() + timedelta(seconds=30))
    response = client.get("/enforcement/")
    assert response["Cache-Control"] == "public, max-age=0, s-maxage=30"
    clock.shift(timedelta(seconds=31))
    assert "Launch-day announcement" in words(client.get("/enforcement/"))


def test_a_page_is_not_found_before_it_goes_live_nor_after_it_expires(client, clock):
    page = Page.objects.create(title="Launch", slug="launch", meta_description="x",
                               published=True, go_live_at=timezone.now() + timedelta(hours=1),
                               expire_at=timezone.now() + timedelta(hours=2))
    assert client.get("/launch/").status_code == 404
    assert "/launch/" not in words(client.get("/sitemap.xml"))
    clock.shift(timedelta(hours=1, seconds=1))
    assert client.get("/launch/").status_code == 200
    assert "/launch/" in words(client.get("/sitemap.xml"))
    clock.shift(timedelta(hours=1))
    assert client.get(page.get_absolute_url()).status_code == 404


def test_staff_see_scheduled_items_marked_in_previews_and_lists(staff_client, clock):
    go_live = timezone.now() + timedelta(days=1)
    section = scheduled_section(go_live_at=go_live)
    status = f"Scheduled (goes live {go_live:%Y-%m-%d %H:%M} UTC)"
    assert section.status() == status
    preview = words(staff_client.get("/enforcement/?preview=1"))
    assert f'Launch-day announcement <span class="draft-tag">{status}</span>' in preview
    assert status in words(staff_client.get("/admin/showcase/section/"))
    assert status in words(staff_client.get(f"/admin/showcase/section/{section.pk}/change/"))


def test_an_item_must_expire_after_it_goes_live(staff_client):
    page = Page.objects.get(slug="about")
    response = staff_client.post(
        f"/admin/showcase/section/{page.sections.first().pk}/change/",
        {"page": page.pk, "kind": "text", "order": 1, "published": "on",
         "go_live_at_0": "2026-12-02", "go_live_at_1": "10:00:00",
         "expire_at_0": "2026-12-01", "expire_at_1": "10:00:00"},
    )
    assert "It must expire after it goes live." in words(response)
