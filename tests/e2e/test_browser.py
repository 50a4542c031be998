"""What a visitor's browser sees, on the site as it is deployed."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from .conftest import AXE, SCREENSHOTS, sign_in

pytestmark = pytest.mark.e2e

PAGES = [
    "/",
    "/about/",
    "/enforcement/",
    "/metrics/",
    "/api/",
    "/audit/",
    "/audit/?decision=blocked&since=2026-01-01",
    "/audit/events/ms:evt:000184213/",
    "/audit/feed/",
]
EXAMPLE = (
    Path(__file__).resolve().parents[2]
    / "metrics" / "contract" / "examples" / "feed-v1-audit-events.json"
)
# Collects CSP violations from the first byte on; init scripts are not subject to the page's CSP.
CSP_SPY = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) =>
  window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI));
"""


def feed(tmp_path: Path, minutes_ago: float, boundary_30d: int) -> str:
    """The contract's example feed with audit events, generated `minutes_ago`, with a chosen
    30-day figure."""
    payload = json.loads(EXAMPLE.read_text())
    generated = datetime.now(UTC) - timedelta(minutes=minutes_ago)
    payload["generated_at"] = generated.strftime("%Y-%m-%dT%H:%M:%SZ")
    payload["services"][0]["windows"]["30d"]["operations"] = boundary_30d
    path = tmp_path / f"feed-{minutes_ago}-{boundary_30d}.json"
    path.write_text(json.dumps(payload))
    return str(path)


@pytest.fixture(scope="module")
def live_site(site, tmp_path_factory):
    """The deployed site with one accepted snapshot of the example feed."""
    path = feed(tmp_path_factory.mktemp("feed"), minutes_ago=10, boundary_30d=2847)
    result = site.manage("ingest_metrics", "--file", path)
    assert result.returncode == 0, result.stdout + result.stderr
    return site


@pytest.mark.parametrize("path", PAGES)
def test_each_page_loads_clean_and_is_photographed(live_site, browser, path):
    problems: list[str] = []
    for width, height in ((390, 844), (1280, 800)):
        context = browser.new_context(viewport={"width": width, "height": height})
        context.add_init_script(CSP_SPY)
        page = context.new_page()
        page.on("console", lambda m: m.type == "error" and problems.append(m.text))
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on(
            "request",
            lambda r: r.url.startswith(("http:", "https:"))
            and not r.url.startswith(live_site.url)
            and problems.append(f"foreign request {r.url}"),
        )
        response = page.goto(live_site.url + path, wait_until="networkidle")
        assert response.status == 200
        problems.extend(page.evaluate("window.__cspViolations"))
        assert page.locator("h1").count() == 1
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways at {width}px"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
        context.close()
    assert problems == []


def test_the_mobile_menu_opens_and_closes_by_click_and_keyboard(site, phone):
    phone.goto(site.url + "/about/")
    menu_button = phone.locator("details[data-menu] summary")
    live_link = phone.locator("details[data-menu] a", has_text="Live in Production")
    assert menu_button.is_visible()
    assert not live_link.is_visible()
    menu_button.click()
    assert live_link.is_visible()
    menu_button.click()
    assert not live_link.is_visible()
    menu_button.focus()
    phone.keyboard.press("Enter")
    assert live_link.is_visible()
    phone.keyboard.press("Escape")
    assert not live_link.is_visible()
    assert phone.evaluate("document.activeElement.tagName") == "SUMMARY"


@pytest.mark.parametrize("path", PAGES)
def test_axe_finds_no_serious_or_critical_violations(live_site, browser, path):
    if not AXE.exists():
        pytest.skip("axe-core is not installed (.ci/run installs it into var/node)")
    serious = []
    for width, height in ((390, 844), (1280, 800)):  # phones lay some parts out differently
        # axe is injected, so this one context sets the page's CSP aside, as webcheck does.
        context = browser.new_context(viewport={"width": width, "height": height}, bypass_csp=True)
        page = context.new_page()
        page.goto(live_site.url + path)
        page.add_script_tag(path=str(AXE))
        results = page.evaluate(
            """() => axe.run(document, {runOnly: {type: "tag", values:
                ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}})"""
        )
        context.close()
        serious += [
            f"{width}px {v['id']}: {v['help']} ({len(v['nodes'])} nodes)"
            for v in results["violations"]
            if v["impact"] in ("serious", "critical")
        ]
    assert serious == []


def test_on_a_phone_each_services_figures_show_as_a_labelled_card(live_site, phone):
    phone.goto(live_site.url + "/metrics/")
    table = phone.get_by_role("table", name="Framework services: operations and blocks")
    service = phone.get_by_role("rowheader", name="BoundaryEnforcer")
    row = table.get_by_role("row").filter(has=service)
    cells = row.get_by_role("cell")
    assert cells.count() == 6
    width = phone.viewport_size["width"]
    for index in range(6):
        box = cells.nth(index).bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= width, index
    label = cells.nth(5).evaluate("cell => getComputedStyle(cell, '::before').content")
    assert "Blocked" in label and "30" in label
    assert cells.nth(2).inner_text().endswith("2,847")


def test_an_editor_changes_a_service_and_the_banner_and_visitors_see_both(live_site, desktop):
    sign_in(desktop, live_site)

    desktop.goto(live_site.url + "/admin/metrics/frameworkservice/")
    desktop.click("text=MetacognitiveVerifier")
    desktop.fill("#id_name", "Metacognitive Verifier (edited)")
    desktop.click("input[name=_save]")
    desktop.wait_for_url(re.compile(r"/admin/metrics/frameworkservice/$"))

    desktop.goto(live_site.url + "/admin/showcase/sitesettings/1/change/")
    desktop.fill("#id_banner_text", "Banner edited in a real browser.")
    desktop.click("input[name=_save]")

    visitor = desktop.context.browser.new_page()
    visitor.goto(live_site.url + "/enforcement/")
    assert visitor.locator("text=Metacognitive Verifier (edited)").is_visible()
    assert visitor.locator(".live-banner", has_text="Banner edited in a real browser.").is_visible()
    visitor.close()


def test_open_pages_swap_in_new_figures_without_reloading(live_site, desktop, tmp_path):
    desktop.goto(live_site.url + "/")
    card = desktop.locator(".card-value", has_text="2,847")
    assert card.is_visible()
    desktop.evaluate("window.__stillTheSamePage = true")
    path = feed(tmp_path, minutes_ago=1, boundary_30d=2999)
    result = live_site.manage("ingest_metrics", "--file", path)
    assert result.returncode == 0, result.stdout + result.stderr
    # The test site refreshes every 2 s (METRICS_REFRESH_SECONDS); give it a few rounds.
    desktop.locator(".card-value", has_text="2,999").wait_for(timeout=15_000)
    assert desktop.evaluate("window.__stillTheSamePage") is True
    # The state line is rebuilt by the page, its age worked out there: "(1 minute ago)".
    line = desktop.locator("[data-live-state] .as-of").first.inner_text()
    assert re.search(r"\((1 minute|2 minutes) ago\)$", line), line
