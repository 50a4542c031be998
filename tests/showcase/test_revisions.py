"""Every row has versions from its first; editors compare any two and restore one as a new one."""

import re

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from simple_history.models import HistoricalChanges

from showcase import revisions
from showcase.models import Highlight, Page, Section, SiteSettings
from tests.signin import signed_in

from .admin_forms import change_form_data

pytestmark = pytest.mark.django_db

PLAN_BANNER = "Tractatus enforces architectural constraints on MySovereignty.digital"


def body(response) -> str:
    return response.content.decode()


def post_page_form(staff_client, page: Page, edit) -> None:
    """Submit the page's change form, as `edit(data, prefix_of_section_pk)` leaves it."""
    url = f"/admin/showcase/page/{page.pk}/change/"
    data = change_form_data(staff_client, url)
    prefixes = {v: k.removesuffix("-id") for k, v in data.items() if k.endswith("-id")}
    edit(data, prefixes)
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.context["errors"]


@pytest.fixture
def about():
    return Page.objects.get(slug="about")


@pytest.fixture
def edited_about(staff_client, about):
    """About, after one save that retitles it, renames, moves, adds and removes sections."""
    validated, means, cant_lie = about.sections.all()

    def edit(data, prefix):
        data["title"] = "About the Tractatus framework"
        data[f"{prefix[means.pk]}-heading"] = "What this means in practice"
        data[f"{prefix[means.pk]}-order"], data[f"{prefix[validated.pk]}-order"] = 1, 2
        data[f"{prefix[cant_lie.pk]}-DELETE"] = "on"
        data.update({"sections-TOTAL_FORMS": 4, "sections-3-kind": "text",
                     "sections-3-heading": "A new section", "sections-3-published": "on",
                     "sections-3-page": about.pk})

    post_page_form(staff_client, about, edit)
    return about


def test_every_row_kept_in_a_history_has_a_version_after_migrate():
    tracked = [m.instance_type for m in apps.get_models() if issubclass(m, HistoricalChanges)]
    assert {"Page", "Section", "SiteSettings", "OutboundLink", "FrameworkService"} <= {
        model.__name__ for model in tracked
    }
    for model in tracked:
        versioned = set(model.history.values_list(model._meta.pk.attname, flat=True))
        missing = model.objects.exclude(pk__in=versioned)
        assert not missing.exists(), f"{model.__name__} rows without a version: {list(missing)}"


def test_the_plans_banner_can_be_restored_after_an_edit(staff_client, client):
    url = "/admin/showcase/sitesettings/1/change/"
    data = change_form_data(staff_client, url)
    data["banner_text"] = "An edit that went wrong."
    staff_client.post(url, data)
    history = body(staff_client.get("/admin/showcase/sitesettings/1/history/"))
    assert history.count('name="older"') == 2
    assert revisions.FIRST_VERSION in history
    first = SiteSettings.load().history.last()
    compare = body(staff_client.get(
        f"/admin/showcase/sitesettings/1/history/compare/?older={first.history_id}"))
    assert "Restore the version of" in compare
    response = staff_client.post(
        f"/admin/showcase/sitesettings/1/history/{first.history_id}/restore/")
    assert response.status_code == 302
    assert PLAN_BANNER in body(client.get("/"))
    latest = SiteSettings.load().history.first()
    assert latest.history_change_reason.startswith("Restored the version of")
    assert latest.history_user.username == "editor"
    assert SiteSettings.load().history.count() == 3  # a new version: none rewritten


def test_comparing_two_page_versions_shows_fields_and_sections(staff_client, edited_about):
    newer, older = edited_about.history.all()[:2]
    comparison = revisions.compare(older, newer)
    assert [change.label for change in comparison.fields] == ["Title"]
    changes = {part.name: part for part in comparison.sections}
    assert changes["What this means in practice"].status == "changed"
    assert changes["What this means in practice"].moved == (2, 1)
    assert changes["Validated in Production"].status == "moved"
    assert changes["A new section"].status == "added"
    assert changes["Code Can't Lie"].status == "removed"
    page = body(staff_client.get(
        f"/admin/showcase/page/{edited_about.pk}/history/compare/"
        f"?older={older.history_id}&newer={newer.history_id}"))
    assert '<del><span class="visually-hidden">removed: </span>This Means</del>' in page
    assert '<ins><span class="visually-hidden">added: </span>the </ins>' in page
    assert "Changed:</strong> What this means in practice" in page
    assert "(moved from position 2 to 1)" in page
    assert "Added:</strong> A new section" in page
    assert "Removed:</strong> Code Can&#x27;t Lie" in page


@pytest.mark.parametrize(
    ("old", "new", "removed", "added"),
    [
        ("What This Means", "What it means", ["This Means"], ["it means"]),
        ("About Tractatus", "About the Tractatus framework", [], ["the ", " framework"]),
        ("line one\nline two", "line one\n\nline two", ["\n"], ["\n\n"]),
    ],
)
def test_a_change_of_text_marks_the_words_that_changed(old, new, removed, added):
    before, after = revisions.word_diff(old, new)
    assert "".join(s.text for s in before) == old and "".join(s.text for s in after) == new
    assert [s.text for s in before if s.changed] == removed
    assert [s.text for s in after if s.changed] == added


def test_restoring_a_page_version_brings_back_its_sections_as_new_versions(
    staff_client, client, edited_about
):
    original = edited_about.history.last()
    sections_then = [(s.pk, s.heading) for s in edited_about.sections.all()]
    assert "A new section" in body(client.get("/about/"))  # and so cached
    section_versions = Section.history.count()
    response = staff_client.post(
        f"/admin/showcase/page/{edited_about.pk}/history/{original.history_id}/restore/")
    assert response.status_code == 302
    restored = [(s.pk, s.heading) for s in Page.objects.get(pk=edited_about.pk).sections.all()]
    assert [heading for _, heading in restored] == [
        "Validated in Production", "What This Means", "Code Can't Lie"]
    assert sections_then != restored
    page = body(client.get("/about/"))
    assert "A new section" not in page and "Code Can&#x27;t Lie" in page
    assert Section.history.count() > section_versions
    latest = Section.history.first()
    assert latest.history_user.username == "editor"
    assert latest.history_change_reason.startswith("Restored the version of")
    # The restored section's highlights were unchanged, and are still there.
    assert Highlight.objects.filter(section__heading="Validated in Production").count() == 4


def test_restoring_brings_back_the_highlights_of_a_removed_section(staff_client, about):
    validated = about.sections.get(heading="Validated in Production")
    before = about.history.first()
    post_page_form(staff_client, about, lambda data, prefix: data.update(
        {f"{prefix[validated.pk]}-DELETE": "on"}))
    assert not Highlight.objects.filter(section_id=validated.pk).exists()
    revisions.restore(before, user=None)
    assert Highlight.objects.filter(section_id=validated.pk).count() == 4


def test_unpublish_asks_first_then_visitors_see_it_at_once(staff_client, client, about):
    assert client.get("/about/").status_code == 200  # and so cached
    form = body(staff_client.get(f"/admin/showcase/page/{about.pk}/change/"))
    unpublish = f"/admin/showcase/page/{about.pk}/unpublish/"
    assert f'href="{unpublish}"' in form
    asking = body(staff_client.get(unpublish))
    assert "Visitors will get “page not found” at /about/ at once" in asking
    assert "Menu item “About”" in asking
    assert client.get("/about/").status_code == 200
    response = staff_client.post(unpublish)
    assert response.status_code == 302
    assert client.get("/about/").status_code == 404
    assert about.history.first().history_change_reason == "Unpublished"
    assert f'href="{unpublish}"' not in body(staff_client.get(response.url))


def test_restore_previous_version_asks_first_then_visitors_see_it_at_once(
    staff_client, client, about
):
    means = about.sections.get(heading="What This Means")
    post_page_form(staff_client, about, lambda data, prefix: data.update(
        {f"{prefix[means.pk]}-heading": "A heading typed by mistake"}))
    assert "A heading typed by mistake" in body(client.get("/about/"))
    form = body(staff_client.get(f"/admin/showcase/page/{about.pk}/change/"))
    assert "Restore previous version…</a>" in form
    asking = body(staff_client.get(f"/admin/showcase/page/{about.pk}/restore-previous/"))
    assert "the current one stays in the history" in asking
    assert "What This Means</ins>" in asking
    assert "A heading typed by mistake" in body(client.get("/about/"))
    staff_client.post(f"/admin/showcase/page/{about.pk}/restore-previous/")
    page = body(client.get("/about/"))
    assert "What This Means" in page and "A heading typed by mistake" not in page


def test_a_page_with_one_version_has_nothing_previous_to_restore(staff_client):
    page = Page.objects.create(title="New", slug="new", meta_description="d", published=True)
    assert "Restore previous version" not in body(
        staff_client.get(f"/admin/showcase/page/{page.pk}/change/"))
    response = staff_client.post(f"/admin/showcase/page/{page.pk}/restore-previous/", follow=True)
    assert "has no earlier version to restore" in body(response)


def test_a_section_changed_in_its_own_form_is_a_version_of_its_page(staff_client, about):
    section = about.sections.get(heading="Code Can't Lie")
    url = f"/admin/showcase/section/{section.pk}/change/"
    data = change_form_data(staff_client, url)
    data["heading"] = "Code cannot lie"
    assert staff_client.post(url, data).status_code == 302
    newer, older = about.history.all()[:2]
    assert "Code cannot lie" in newer.history_change_reason
    changes = revisions.compare(older, newer).sections
    assert [(part.name, part.status) for part in changes] == [("Code cannot lie", "changed")]


@pytest.mark.parametrize("how", ["its own form", "the list's action"])
def test_a_section_deleted_on_its_own_is_a_version_of_its_page(staff_client, client, about, how):
    section = about.sections.get(heading="Code Can't Lie")
    if how == "its own form":
        staff_client.post(f"/admin/showcase/section/{section.pk}/delete/", {"post": "yes"})
    else:
        staff_client.post("/admin/showcase/section/", {
            "action": "delete_selected", "_selected_action": [section.pk], "post": "yes"})
    assert not Section.objects.filter(pk=section.pk).exists()
    assert "Deleted" in about.history.first().history_change_reason
    staff_client.post(f"/admin/showcase/page/{about.pk}/restore-previous/")
    assert "Code Can&#x27;t Lie" in body(client.get("/about/"))


def test_a_version_that_cannot_be_restored_now_says_why(staff_client, about):
    first = about.history.first()
    post_page_form(staff_client, about, lambda data, prefix: data.update(slug="about-us"))
    Page.objects.create(title="Taken", slug="about", meta_description="d")
    response = staff_client.post(
        f"/admin/showcase/page/{about.pk}/history/{first.history_id}/restore/", follow=True)
    assert "Could not restore the version of" in body(response)
    assert Page.objects.get(pk=about.pk).slug == "about-us"


def test_staff_who_may_only_view_compare_but_cannot_restore_or_unpublish(django_user_model,
                                                                       about):
    viewer = django_user_model.objects.create_user("viewer", password="pw", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_page"))
    client = signed_in(viewer)
    first = about.history.first()
    compare = client.get(f"/admin/showcase/page/{about.pk}/history/compare/")
    assert compare.status_code == 200
    assert "Restore the version" not in body(compare)
    assert client.post(
        f"/admin/showcase/page/{about.pk}/history/{first.history_id}/restore/").status_code == 403
    assert client.post(f"/admin/showcase/page/{about.pk}/unpublish/").status_code == 403
    assert Page.objects.get(pk=about.pk).published


def test_restoring_and_unpublishing_take_a_post(staff_client, about):
    first = about.history.first()
    restore = f"/admin/showcase/page/{about.pk}/history/{first.history_id}/restore/"
    versions = about.history.count()
    assert "Restore it</button>" in body(staff_client.get(restore))
    assert "Unpublish it</button>" in body(
        staff_client.get(f"/admin/showcase/page/{about.pk}/unpublish/"))
    assert about.history.count() == versions
    assert Page.objects.get(pk=about.pk).published


def test_a_comparison_of_unknown_versions_shows_the_latest_two(staff_client, edited_about):
    response = staff_client.get(
        f"/admin/showcase/page/{edited_about.pk}/history/compare/?older=x&newer=999999")
    assert response.status_code == 200
    assert "A new section" in body(response)


def test_the_history_pages_keep_the_csp(staff_client, edited_about):
    for path in ("history/", "history/compare/"):
        page = body(staff_client.get(f"/admin/showcase/page/{edited_about.pk}/{path}"))
        assert "style=" not in page
        assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)", page)
