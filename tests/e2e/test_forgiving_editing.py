"""Editing that forgives and never surprises, in Chromium as an editor does it: leaving a
changed form asks first, a save that hides a live page asks first, menus follow publication,
unpublish and restore confirm, dates are ISO and UTC whatever the browser's locale, and only
superusers see sign-in lockouts. Every admin page these tests open passes axe."""

from __future__ import annotations

import contextlib
import re
from datetime import UTC, datetime, timedelta

import pytest

from .conftest import AXE, playwright_api, sign_in
from .test_editing import editor_state  # noqa: F401  (the signed-in editor's browser state)

pytestmark = pytest.mark.e2e

PAGE_STATUS = "div.form-row.field-status:not(.field-kind)"  # the page's, not its sections'
AXE_TAGS = """() => axe.run(document, {runOnly: {type: "tag", values:
    ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}})"""


class Axe:
    """Runs axe on each admin page a test opens (the context sets the CSP aside to inject it)."""

    def __init__(self):
        self.problems: list[str] = []
        self.seen: set[str] = set()

    def check(self, page) -> None:
        if not AXE.exists():
            return
        page.wait_for_load_state("networkidle")
        page.add_script_tag(path=str(AXE))
        self.seen.add(page.url)
        self.problems += [
            f"{page.url} {v['id']}: {v['help']} {[n['target'] for n in v['nodes']]}"
            for v in page.evaluate(AXE_TAGS)["violations"]
            if v["impact"] in ("serious", "critical")
        ]


@pytest.fixture
def axe():
    checker = Axe()
    yield checker
    assert checker.problems == []


@pytest.fixture
def editor(browser, editor_state):  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, bypass_csp=True,
                                  storage_state=editor_state)
    yield context.new_page()
    context.close()


@pytest.fixture
def visitor(browser):
    context = browser.new_context()
    yield context.new_page()
    context.close()


def page_form(editor, site, title: str = "About Tractatus") -> str:
    editor.goto(site.url + "/admin/showcase/page/")
    editor.get_by_role("link", name=title, exact=True).click()
    editor.wait_for_load_state("networkidle")
    return editor.url


def leaves_asking(editor) -> list[str]:
    """Follow the breadcrumb home; the dialogs the browser showed (each dismissed: stay)."""
    asked: list[str] = []

    def dismiss(dialog):
        asked.append(dialog.type)
        with contextlib.suppress(playwright_api.Error):  # Playwright may have answered it
            dialog.dismiss()

    editor.once("dialog", dismiss)
    editor.locator("div.breadcrumbs a", has_text="Home").click()
    editor.wait_for_timeout(500)
    return asked


def test_leaving_a_changed_form_asks_first_and_a_reorder_is_a_change(site, editor, axe):
    form = page_form(editor, site)
    axe.check(editor)
    editor.locator("#id_title").click()  # a user gesture: browsers ask only after one
    assert leaves_asking(editor) == []
    assert re.search(r"/admin/$", editor.url)

    editor.goto(form)
    editor.locator("#id_meta_description").press("End")
    editor.keyboard.type(" More.")
    assert leaves_asking(editor) == ["beforeunload"]
    assert editor.url == form

    editor.goto(form)
    editor.get_by_role("button", name="Move “About Tractatus — What This Means” up").click()
    status = editor.locator(".reorder-status")
    assert status.is_visible()
    assert status.inner_text().endswith("Save to keep the new order.")
    assert status.bounding_box()["height"] > 10
    axe.check(editor)
    assert leaves_asking(editor) == ["beforeunload"]
    # Saving is not leaving: no question, and the order is kept.
    editor.locator("input[name=_save]").click()
    editor.wait_for_url(re.compile(r"/admin/showcase/page/$"))
    editor.goto(form)
    editor.get_by_role("button", name="Move “About Tractatus — What This Means” down").click()
    editor.locator("input[name=_save]").click()
    editor.wait_for_url(re.compile(r"/admin/showcase/page/$"))


def test_a_past_expiry_asks_first_then_the_list_says_expired(site, editor, visitor, axe):
    form = page_form(editor, site)
    yesterday = datetime.now(UTC) - timedelta(days=1)
    editor.fill("#id_expire_at_0", yesterday.strftime("%Y-%m-%d"))
    editor.fill("#id_expire_at_1", yesterday.strftime("%H:%M"))
    editor.locator("input[name=_save]").click()
    editor.wait_for_load_state("networkidle")
    assert editor.url == form
    warning = editor.locator(".errorlist", has_text="Visitors will get “page not found”")
    assert "at /about/ from now on: its expiry is already past" in warning.inner_text()
    axe.check(editor)
    visitor.goto(site.url + "/about/")
    assert visitor.locator("h1").inner_text().startswith("About")

    editor.get_by_label("Yes, take it off the site").check()
    editor.locator("input[name=_save]").click()
    editor.wait_for_url(re.compile(r"/admin/showcase/page/$"))
    row = editor.locator("#result_list tr", has_text="About Tractatus")
    assert f"Expired (since {yesterday:%Y-%m-%d %H:%M} UTC)" in row.inner_text()
    axe.check(editor)
    assert visitor.goto(site.url + "/about/").status == 404
    assert "/about/" not in menu(visitor)

    editor.goto(form)
    assert "Expired (since" in editor.locator(PAGE_STATUS).inner_text()
    editor.fill("#id_expire_at_0", "")
    editor.fill("#id_expire_at_1", "")
    editor.locator("input[name=_save]").click()
    editor.wait_for_url(re.compile(r"/admin/showcase/page/$"))
    assert visitor.goto(site.url + "/about/").status == 200


def menu(visitor) -> list[str]:
    return visitor.locator("nav.navbar .nav-desktop a").evaluate_all(
        "links => links.map(link => link.getAttribute('href'))")


def test_unpublishing_a_linked_page_asks_lists_its_links_and_the_menu_follows(
    site, editor, visitor, axe
):
    form = page_form(editor, site)
    visitor.goto(site.url + "/enforcement/")
    assert "/about/" in menu(visitor)
    editor.get_by_role("link", name="Unpublish…").click()
    axe.check(editor)
    assert editor.get_by_role("link", name="Menu item “About”").is_visible()
    assert "Visitors will get “page not found” at /about/" in editor.locator(
        ".consequences").inner_text()
    editor.get_by_role("button", name="Unpublish it").click()
    editor.wait_for_url(form)
    visitor.reload()
    assert "/about/" not in menu(visitor)

    editor.goto(site.url + "/admin/")
    axe.check(editor)
    editor.get_by_role("link", name="See which").click()
    assert editor.locator("td", has_text="Menu item “About”").count() == 1
    axe.check(editor)

    editor.goto(form)
    editor.locator("#id_published").check()
    editor.locator("input[name=_save]").click()
    editor.wait_for_url(re.compile(r"/admin/showcase/page/$"))
    visitor.reload()
    assert "/about/" in menu(visitor)


def test_restoring_asks_first_and_says_what_will_change(site, editor, visitor, axe):
    form = page_form(editor, site)
    editor.fill("#id_meta_description", "A description typed by mistake.")
    editor.locator("input[name=_continue]").click()
    editor.wait_for_url(form)
    editor.get_by_role("link", name="Restore previous version…").click()
    axe.check(editor)
    assert "A description typed by mistake." in editor.locator("del").first.inner_text()
    editor.get_by_role("link", name="No, go back").click()
    editor.wait_for_url(form)
    assert editor.locator("#id_meta_description").input_value() == (
        "A description typed by mistake.")
    editor.get_by_role("link", name="Restore previous version…").click()
    editor.get_by_role("button", name="Restore it").click()
    editor.wait_for_url(form)
    assert editor.locator(".messagelist").inner_text().startswith("Restored the version of")
    assert editor.locator("#id_meta_description").input_value() != (
        "A description typed by mistake.")


def test_a_save_with_no_change_records_no_version(site, editor, axe):
    form = page_form(editor, site)
    editor.goto(form.replace("/change/", "/history/"))
    versions = editor.locator("#change-history tbody tr").count()
    editor.goto(form)
    editor.locator("input[name=_save]").click()
    assert "Nothing was changed, so no new version was recorded." in editor.locator(
        ".messagelist").inner_text()
    editor.goto(form.replace("/change/", "/history/"))
    assert editor.locator("#change-history tbody tr").count() == versions
    axe.check(editor)


def test_dates_are_iso_and_utc_whatever_the_browsers_locale(site, browser, editor_state, axe):  # noqa: F811
    context = browser.new_context(locale="de-DE", timezone_id="America/New_York",
                                  bypass_csp=True, storage_state=editor_state)
    editor = context.new_page()
    editor.goto(site.url + "/admin/")
    axe.check(editor)
    first_app = editor.locator("#content-main div[class^='app-'] caption").first
    assert first_app.text_content().strip() == "Site content"
    page_form(editor, site)
    editor.locator("#id_go_live_at_0 + .datetimeshortcuts a", has_text="Today").click()
    editor.locator("#id_go_live_at_1 + .datetimeshortcuts a", has_text="Now").click()
    now = datetime.now(UTC)
    assert editor.locator("#id_go_live_at_0").input_value() == now.strftime("%Y-%m-%d")
    typed = datetime.strptime(editor.locator("#id_go_live_at_1").input_value(), "%H:%M")
    assert abs((now.hour * 60 + now.minute) - (typed.hour * 60 + typed.minute)) <= 1
    assert not editor.locator(".timezonewarning").first.is_visible()
    assert "Live" in editor.locator(PAGE_STATUS).inner_text()
    context.close()


def test_only_superusers_see_sign_in_lockouts(site, browser, axe):
    created = site.manage("shell", "-c", (
        "from django.contrib.auth.models import Group, User;"
        "u = User.objects.create_user('ed-e2e', password='e2e-editor-password', is_staff=True);"
        "u.groups.add(Group.objects.get(name='Editors'))"))
    assert created.returncode == 0, created.stderr
    context = browser.new_context(bypass_csp=True)
    editor = context.new_page()
    sign_in(editor, site, "ed-e2e")
    axe.check(editor)
    assert editor.get_by_role("link", name="Access attempts").count() == 0
    assert editor.goto(site.url + "/admin/axes/accessattempt/").status == 403
    context.close()

    context = browser.new_context(bypass_csp=True)
    superuser = context.new_page()
    sign_in(superuser, site)
    superuser.get_by_role("link", name="Access attempts").click()
    superuser.wait_for_url(re.compile(r"/admin/axes/accessattempt/$"))
    axe.check(superuser)
    context.close()
