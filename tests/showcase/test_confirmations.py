"""What is hard to undo asks first and says what visitors will see; a save that changes
nothing records nothing; lists and forms say where each page stands."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from showcase.models import Page

from .admin_forms import change_form_data

pytestmark = pytest.mark.django_db


def about_form(staff_client) -> tuple[Page, str, dict]:
    about = Page.objects.get(slug="about")
    url = f"/admin/showcase/page/{about.pk}/change/"
    return about, url, change_form_data(staff_client, url) | {"_save": "Save"}


def split(moment) -> dict:
    return {"0": moment.strftime("%Y-%m-%d"), "1": moment.strftime("%H:%M")}


def with_time(data: dict, field: str, moment) -> dict:
    return data | {f"{field}_{part}": value for part, value in split(moment).items()}


def test_a_past_expiry_on_a_live_page_asks_first_and_says_what_visitors_will_see(staff_client):
    about, url, data = about_form(staff_client)
    expiry = timezone.now() - timedelta(days=1)
    response = staff_client.post(url, with_time(data, "expire_at", expiry))
    page = response.content.decode()
    assert response.status_code == 200
    assert ("Visitors will get “page not found” at /about/ from now on: its expiry is already "
            "past, and menus will leave out links to it.") in page
    assert 'type="checkbox" name="confirm_hiding"' in page
    about.refresh_from_db()
    assert about.expire_at is None

    confirmed = with_time(data, "expire_at", expiry) | {"confirm_hiding": "on"}
    assert staff_client.post(url, confirmed).status_code == 302
    about.refresh_from_db()
    assert about.status().startswith("Expired (since ")
    assert staff_client.get("/about/").status_code == 404


def test_a_go_live_to_come_on_a_live_page_asks_first(staff_client):
    _, url, data = about_form(staff_client)
    go_live = (timezone.now() + timedelta(days=400)).replace(second=0, microsecond=0)
    page = staff_client.post(url, with_time(data, "go_live_at", go_live)).content.decode()
    assert f"from now until {go_live:%Y-%m-%d %H:%M} UTC, when it goes live again" in page


def test_a_preview_never_asks(staff_client):
    about, _, data = about_form(staff_client)
    data = with_time(data, "expire_at", timezone.now() - timedelta(days=1))
    del data["_save"]
    response = staff_client.post(f"/admin/showcase/page/{about.pk}/preview/",
                                 data | {"_preview": ""})
    assert response.status_code == 200
    assert "Expired (since" in response.content.decode()


def test_a_draft_or_a_future_expiry_saves_without_asking(staff_client):
    about, url, data = about_form(staff_client)
    later = with_time(data, "expire_at", timezone.now() + timedelta(days=3))
    assert staff_client.post(url, later).status_code == 302
    about.unpublish()
    _, url, data = about_form(staff_client)
    past = with_time(data, "expire_at", timezone.now() - timedelta(days=3))
    assert staff_client.post(url, past).status_code == 302


def test_a_section_made_to_expire_asks_in_the_pages_form(staff_client):
    _, url, data = about_form(staff_client)
    expiry = split(timezone.now() - timedelta(hours=1))
    data |= {"sections-0-expire_at_0": expiry["0"], "sections-0-expire_at_1": expiry["1"]}
    page = staff_client.post(url, data).content.decode()
    assert "Visitors will no longer see the section “About Tractatus — " in page


def test_a_save_with_no_change_records_no_version_and_says_so(staff_client):
    about, url, data = about_form(staff_client)
    versions = about.history.count()
    response = staff_client.post(url, data, follow=True)
    assert about.history.count() == versions
    assert "Nothing was changed, so no new version was recorded." in response.content.decode()
    data["title"] = "About us"
    staff_client.post(url, data)
    assert about.history.count() == versions + 1


def test_a_change_to_sections_alone_is_still_a_version_of_the_page(staff_client):
    about, url, data = about_form(staff_client)
    versions = about.history.count()
    data["sections-0-heading"] = "A new heading"
    assert staff_client.post(url, data).status_code == 302
    assert about.history.count() == versions + 1


def test_lists_forms_and_previews_say_where_each_page_stands(staff_client):
    now = timezone.now()
    Page.objects.create(title="Draft one", slug="d", meta_description="x")
    Page.objects.create(title="Soon", slug="s", meta_description="x", published=True,
                        go_live_at=now + timedelta(days=2))
    gone = Page.objects.create(title="Gone", slug="g", meta_description="x", published=True,
                               expire_at=now - timedelta(days=2))
    listing = staff_client.get("/admin/showcase/page/").content.decode()
    assert "Draft" in listing
    assert f"Scheduled (goes live {now + timedelta(days=2):%Y-%m-%d %H:%M} UTC)" in listing
    assert f"Expired (since {now - timedelta(days=2):%Y-%m-%d %H:%M} UTC)" in listing
    assert ">Live<" in listing
    form = staff_client.get(f"/admin/showcase/page/{gone.pk}/change/").content.decode()
    assert "Expired (since" in form
    assert "Expired (since" in staff_client.get("/g/?preview=1").content.decode()


def test_site_content_comes_first_on_the_admin_home(staff_client):
    apps = staff_client.get("/admin/").context["app_list"]
    assert apps[0]["name"] == "Site content"


def test_dates_and_times_are_entered_and_shown_as_iso_and_utc(staff_client):
    about, url, data = about_form(staff_client)
    page = staff_client.get(url).content.decode()
    assert 'placeholder="YYYY-MM-DD"' in page and 'placeholder="HH:MM"' in page
    data |= {"expire_at_0": "2099-01-02", "expire_at_1": "03:04"}
    assert staff_client.post(url, data).status_code == 302
    assert 'value="2099-01-02"' in staff_client.get(url).content.decode()
    assert 'value="03:04"' in staff_client.get(url).content.decode()
    assert "Live (until 2099-01-02 03:04 UTC)" in staff_client.get(url).content.decode()
    about.refresh_from_db()
    assert about.updated_at.strftime("%Y-%m-%d %H:%M UTC") in staff_client.get(
        "/admin/showcase/page/").content.decode()


def test_a_go_live_within_the_hour_saves_without_asking(staff_client):
    about, url, data = about_form(staff_client)
    soon = timezone.now() + timedelta(minutes=50)
    assert staff_client.post(url, with_time(data, "go_live_at", soon)).status_code == 302
    about.refresh_from_db()
    assert about.status().startswith("Scheduled (goes live ")
