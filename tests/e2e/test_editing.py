"""Editing as an editor does it, in Chromium: preview, drag, compare, restore; and the admin
pages this adds or changes keep the CSP and pass axe at phone and desktop widths."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from .conftest import AXE, SCREENSHOTS, sign_in
from .test_browser import CSP_SPY

pytestmark = pytest.mark.e2e

WIDTHS = ((390, 844), (1280, 900))


def href(page, site, changelist: str, text: str) -> str:
    """The admin path a changelist links `text` to."""
    page.goto(site.url + changelist)
    return page.get_by_role("link", name=text, exact=True).first.get_attribute("href")


@pytest.fixture(scope="module")
def editor_state(site, browser) -> dict:
    """The editor's signed-in browser state: each test's contexts start from it, so the
    second factor's codes (each usable once) are not spent on every context."""
    context = browser.new_context()
    sign_in(context.new_page(), site)
    state = context.storage_state()
    context.close()
    return state


@pytest.fixture(scope="module")
def admin_pages(site, browser, editor_state):
    """The admin pages this work adds or changes, by path."""
    context = browser.new_context(storage_state=editor_state)
    page = context.new_page()
    about = href(page, site, "/admin/showcase/page/", "About Tractatus")
    section = href(page, site, "/admin/showcase/section/", "About Tractatus — What This Means")
    example = href(page, site, "/admin/showcase/enforcementexample/", "Privacy-by-Architecture")
    evidence = href(page, site, "/admin/showcase/evidenceitem/", "Documentation can lie.")
    context.close()
    return {
        "page-form": about,
        "page-add": "/admin/showcase/page/add/",
        "page-history": f"{about}../history/",
        "page-compare": f"{about}../history/compare/",
        "section-form": section,
        "example-form": example,
        "evidence-form": evidence,
        "settings-form": "/admin/showcase/sitesettings/1/change/",
        "settings-compare": "/admin/showcase/sitesettings/1/history/compare/",
        "links": "/admin/showcase/navlink/",
        "examples": "/admin/showcase/enforcementexample/",
        "evidence": "/admin/showcase/evidenceitem/",
        "citations": "/admin/showcase/citation/",
        "frameworks": "/admin/showcase/framework/",
        "criteria": "/admin/showcase/criterion/",
    }


def open_preview(page):
    """Press the page form's Preview button; the preview opens in a new tab."""
    with page.context.expect_page() as opened:
        page.get_by_role("button", name="Preview").click()
    preview = opened.value
    preview.wait_for_load_state()
    return preview


def test_the_admin_pages_keep_the_csp_and_fit_a_phone(site, browser, editor_state,
                                                     admin_pages):
    problems: list[str] = []
    for width, height in WIDTHS:
        context = browser.new_context(viewport={"width": width, "height": height},
                                      storage_state=editor_state)
        context.add_init_script(CSP_SPY)
        page = context.new_page()
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on("response", lambda r: r.status >= 400 and not r.url.endswith("/favicon.ico")
                and problems.append(f"{r.status} {r.url}"))
        for name, path in admin_pages.items():
            page.goto(site.url + path, wait_until="networkidle")
            problems.extend(f"{name}: {v}" for v in page.evaluate("window.__cspViolations"))
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            if overflow > 0:
                problems.append(f"{name} scrolls sideways at {width}px")
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"admin-{name}-{width}.png"), full_page=True)
        page.goto(site.url + admin_pages["page-form"])
        preview = open_preview(page)
        problems.extend(f"preview: {v}" for v in preview.evaluate("window.__cspViolations"))
        preview.screenshot(path=str(SCREENSHOTS / f"admin-preview-{width}.png"), full_page=True)
        context.close()
    assert problems == []


def test_axe_finds_no_serious_violations_on_the_admin_pages(site, browser, editor_state,
                                                          admin_pages):
    if not AXE.exists():
        pytest.skip("axe-core is not installed (.ci/run installs it into var/node)")
    serious = []

    def check(page, name, width):
        page.add_script_tag(path=str(AXE))
        results = page.evaluate(
            """() => axe.run(document, {runOnly: {type: "tag", values:
                ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}})"""
        )
        serious.extend(
            f"{name} {width}px {v['id']}: {v['help']} {[n['target'] for n in v['nodes']]}"
            for v in results["violations"] if v["impact"] in ("serious", "critical")
        )

    for width, height in WIDTHS:
        # axe is injected, so this context sets the page's CSP aside, as in test_browser.py.
        context = browser.new_context(viewport={"width": width, "height": height},
                                      bypass_csp=True, storage_state=editor_state)
        page = context.new_page()
        for name, path in admin_pages.items():
            page.goto(site.url + path, wait_until="networkidle")
            check(page, name, width)
        page.goto(site.url + admin_pages["page-form"], wait_until="networkidle")
        check(open_preview(page), "preview", width)
        page.fill("#id_title", "")
        check(open_preview(page), "preview-problems", width)
        context.close()
    assert serious == []


def drag_above(page, source, target) -> None:
    """Drag `source` by its handle above `target`, as a mouse does (with moves in between)."""
    target.evaluate("element => element.scrollIntoView({block: 'start'})")
    page.evaluate("window.scrollBy(0, -40)")
    start, end = source.bounding_box(), target.bounding_box()
    page.mouse.move(start["x"] + 20, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(start["x"] + 20, start["y"] - 10, steps=5)
    page.mouse.move(end["x"] + 20, end["y"] + 5, steps=20)
    page.mouse.move(end["x"] + 20, end["y"] + 2, steps=5)
    page.mouse.up()


def headings(page) -> list[str]:
    return page.locator("main section.section h2").all_inner_texts()


@pytest.fixture
def editor_and_visitor(browser, editor_state):
    """The signed-in editor's browser, and a visitor's beside it."""
    editor = browser.new_context(viewport={"width": 1280, "height": 1000},
                                 storage_state=editor_state)
    visitor = browser.new_context()
    yield editor.new_page(), visitor.new_page()
    editor.close()
    visitor.close()


def test_an_editor_previews_drags_compares_and_restores(site, editor_and_visitor, admin_pages):
    editor, visitor = editor_and_visitor
    visitor.goto(site.url + "/about/")
    before = headings(visitor)
    assert before == ["Validated in Production", "What This Means", "Code Can't Lie"]

    editor.goto(site.url + admin_pages["page-form"])
    editor.locator("input[name$='-heading'][value='What This Means']").fill("What it means")
    preview = open_preview(editor)
    assert headings(preview) == ["Validated in Production", "What it means", "Code Can't Lie"]
    assert preview.locator(".preview-note").is_visible()
    visitor.reload()
    assert headings(visitor) == before

    handles = editor.locator("fieldset.sortable .inline-related.has_original h3")
    drag_above(editor, handles.nth(2), handles.nth(1))
    assert "Code Can't Lie" in handles.nth(1).inner_text()
    editor.locator("input[name=_save]").click()
    editor.wait_for_url(re.compile(r"/admin/showcase/page/$"))
    visitor.reload()
    assert headings(visitor) == ["Validated in Production", "Code Can't Lie", "What it means"]

    editor.goto(site.url + admin_pages["page-history"])
    editor.get_by_role("button", name="Compare the chosen versions").click()
    change = editor.locator("li.part", has_text="What it means")
    assert change.locator(".part-status").inner_text() == "Changed:"
    assert change.locator("del").text_content() == "removed: This Means"
    assert change.locator("ins").text_content() == "added: it means"
    assert editor.locator("li.part", has_text="Code Can't Lie").locator(".part-moved").is_visible()

    editor.get_by_role("link", name=re.compile(r"^Restore the version of")).click()
    editor.get_by_role("button", name="Restore it").click()
    assert editor.locator(".messagelist").inner_text().startswith("Restored the version of")
    visitor.reload()
    assert headings(visitor) == before


def test_the_keyboard_reorders_a_pages_sections_and_a_list(site, browser, editor_state,
                                                           admin_pages):
    context = browser.new_context(viewport={"width": 1280, "height": 1000},
                                  storage_state=editor_state)
    editor = context.new_page()
    editor.goto(site.url + admin_pages["page-form"])
    up = editor.get_by_role("button", name="Move “About Tractatus — What This Means” up")
    up.focus()
    editor.keyboard.press("Enter")
    first = editor.locator("fieldset.sortable .inline-related.has_original h3").first
    assert "What This Means" in first.inner_text()
    assert editor.get_by_role("status").inner_text().startswith(
        "Moved “About Tractatus — What This Means” to position 1 of 3.")
    assert editor.evaluate("document.activeElement.getAttribute('aria-label')").startswith("Move")

    visitor = browser.new_context().new_page()
    editor.goto(site.url + "/admin/showcase/enforcementexample/")
    down = editor.get_by_role("button", name="Move “Tenant Isolation (Architectural)” down")
    down.focus()
    editor.keyboard.press("Space")
    editor.get_by_role("status").filter(has_text="position 2 of 3").wait_for()
    visitor.goto(site.url + "/enforcement/")
    titles = visitor.locator(".example h3").all_inner_texts()
    assert titles[:2] == ["Privacy-by-Architecture", "Tenant Isolation (Architectural)"]
    editor.get_by_role("button", name="Move “Tenant Isolation (Architectural)” up").press("Enter")
    editor.get_by_role("status").filter(has_text="position 1 of 3").wait_for()
    context.close()
    visitor.context.close()


def test_an_editor_schedules_a_section_and_it_appears_on_time(site, editor_and_visitor,
                                                              admin_pages):
    editor, visitor = editor_and_visitor
    editor.goto(site.url + admin_pages["page-form"])
    heading = editor.locator("input[name$='-heading'][value=\"Code Can't Lie\"]")
    prefix = heading.get_attribute("name").removesuffix("-heading")
    go_live = (datetime.now(UTC) + timedelta(seconds=5)).replace(microsecond=0)
    editor.fill(f"#id_{prefix}-go_live_at_0", go_live.strftime("%Y-%m-%d"))
    editor.fill(f"#id_{prefix}-go_live_at_1", go_live.strftime("%H:%M:%S"))  # seconds too
    editor.locator("input[name=_save]").click()
    editor.wait_for_url(re.compile(r"/admin/showcase/page/$"))
    editor.goto(site.url + "/admin/showcase/section/")
    listed = editor.locator("#result_list tr", has_text="Code Can't Lie").inner_text()
    assert f"Scheduled (goes live {go_live:%Y-%m-%d %H:%M} UTC)" in listed

    visitor.goto(site.url + "/about/")
    assert "Code Can't Lie" not in headings(visitor)
    # Nothing runs at the go-live time: the page is read, and cached, only until then.
    deadline = go_live + timedelta(seconds=5)
    while "Code Can't Lie" not in headings(visitor) and datetime.now(UTC) < deadline:
        visitor.wait_for_timeout(500)
        visitor.reload()
    assert "Code Can't Lie" in headings(visitor)
    assert datetime.now(UTC) >= go_live
