"""Preview before saving: the page as its unsaved form would make it, for staff only."""

import pickle
import re
import zlib

import pytest
from django.contrib.auth.models import Permission

from showcase.models import Page, Section
from tests.signin import signed_in

from .admin_forms import change_form_data

pytestmark = pytest.mark.django_db

UNSAVED = "A heading nobody has saved"


def body(response) -> str:
    return response.content.decode()


def main(response) -> str:
    """The page's main content, less the line that says it is a preview."""
    content = body(response).split('<main id="main" tabindex="-1">')[1].split("</main>")[0]
    return re.sub(r"<p class=\"preview-note\".*?</p>", "", content).strip()


@pytest.fixture
def about():
    return Page.objects.get(slug="about")


def form_of(staff_client, page: Page) -> tuple[dict, dict]:
    data = change_form_data(staff_client, f"/admin/showcase/page/{page.pk}/change/")
    prefixes = {v: k.removesuffix("-id") for k, v in data.items() if k.endswith("-id")}
    return data, prefixes


def preview(client, page: Page | None, data: dict):
    url = f"/admin/showcase/page/{page.pk}/preview/" if page else "/admin/showcase/page/preview/"
    return client.post(url, data)


def test_the_page_form_has_a_preview_button_that_saves_nothing(staff_client, about):
    for url in (f"/admin/showcase/page/{about.pk}/change/", "/admin/showcase/page/add/"):
        form = body(staff_client.get(url))
        assert re.search(r'<button type="submit" formaction="/admin/showcase/page/[^"]*preview/" '
                         r'formtarget="_blank" formnovalidate', form)


def test_it_previews_an_unsaved_heading_and_saves_nothing(staff_client, client, about):
    means = about.sections.get(heading="What This Means")
    assert client.get("/about/").status_code == 200  # and so cached
    versions = Section.history.count(), Page.history.count()
    data, prefix = form_of(staff_client, about)
    data[f"{prefix[means.pk]}-heading"] = UNSAVED
    data[f"{prefix[means.pk]}-body"] = "Now *emphasised*."
    response = preview(staff_client, about, data)
    assert response.status_code == 200
    page = body(response)
    assert UNSAVED in page and "Now <em>emphasised</em>." in page
    assert "Preview of unsaved changes" in page
    means.refresh_from_db()
    assert means.heading == "What This Means"
    assert (Section.history.count(), Page.history.count()) == versions
    assert UNSAVED not in body(client.get("/about/"))


def test_the_preview_is_never_cached_nor_indexed(staff_client, about, tmp_path):
    data, _ = form_of(staff_client, about)
    data["title"] = UNSAVED
    response = preview(staff_client, about, data)
    assert response["X-Robots-Tag"] == "noindex"
    assert '<meta name="robots" content="noindex">' in body(response)
    cache_control = response["Cache-Control"]
    assert "private" in cache_control and "no-store" in cache_control
    stored = b""
    for path in (tmp_path / "cache").rglob("*.djcache"):  # the shared cache of this test
        with path.open("rb") as entry:
            pickle.load(entry)  # noqa: S301 -- its expiry time, in our own cache
            stored += zlib.decompress(entry.read())
    assert UNSAVED.encode() not in stored


@pytest.mark.parametrize("slug", ["", "about", "enforcement", "metrics"])
def test_an_unchanged_form_previews_exactly_the_public_page(staff_client, client, slug):
    page = Page.objects.get(slug=slug)
    data, _ = form_of(staff_client, page)
    assert main(preview(staff_client, page, data)) == main(client.get(page.get_absolute_url()))


def test_it_previews_sections_moved_added_and_deleted(staff_client, about):
    validated, means, cant_lie = about.sections.all()
    data, prefix = form_of(staff_client, about)
    data[f"{prefix[means.pk]}-order"], data[f"{prefix[validated.pk]}-order"] = 1, 2
    data[f"{prefix[cant_lie.pk]}-DELETE"] = "on"
    data.update({"sections-TOTAL_FORMS": 4, "sections-3-kind": "text",
                 "sections-3-heading": "Added, not saved", "sections-3-published": "on",
                 "sections-3-order": 0})
    page = body(preview(staff_client, about, data))
    assert page.index("What This Means") < page.index("Validated in Production") < page.index(
        "Added, not saved")
    assert "Code Can&#x27;t Lie" not in page
    assert Section.objects.filter(page=about).count() == 3


def test_a_new_page_can_be_previewed_before_it_exists(staff_client):
    data = {"title": "A page to come", "slug": "to-come", "meta_description": "Soon",
            "intro": "Coming *soon*.", "sections-TOTAL_FORMS": 1, "sections-INITIAL_FORMS": 0,
            "sections-0-kind": "text", "sections-0-heading": "First section",
            "sections-0-body": "Hello.", "sections-0-order": 0}
    response = preview(staff_client, None, data)
    assert response.status_code == 200
    page = body(response)
    assert "A page to come" in page and "Coming <em>soon</em>." in page
    assert "First section" in page and '<span class="draft-tag">Draft</span>' in page
    assert not Page.objects.filter(slug="to-come").exists()


def test_an_invalid_form_gets_a_clear_message_not_an_error(staff_client, about):
    data, prefix = form_of(staff_client, about)
    data["title"] = ""
    data["slug"] = "admin"
    data[f"{prefix[about.sections.first().pk]}-kind"] = "no-such-kind"
    response = preview(staff_client, about, data)
    assert response.status_code == 400
    page = body(response)
    assert "Title: This field is required." in page
    assert "Slug: &quot;admin&quot; is used by the site itself." in page
    assert "Section 1: Kind: Select a valid choice." in page
    assert "Nothing was saved" in page


def test_only_staff_who_may_change_pages_can_preview(client, django_user_model, about):
    data = {"title": "x"}
    assert preview(client, about, data).status_code == 302  # to the admin's sign-in
    viewer = django_user_model.objects.create_user("viewer", password="pw", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_page"))
    client = signed_in(viewer)
    assert preview(client, about, data).status_code == 403
    assert preview(client, None, data).status_code == 403


def test_a_preview_is_posted_not_linked(staff_client, about):
    assert staff_client.get(f"/admin/showcase/page/{about.pk}/preview/").status_code == 405
