"""Staff sign-in in Chromium: enrolment with a QR code, a TOTP sign-in, the lockout page."""

from __future__ import annotations

import re

import pytest

from .conftest import AXE, EDITOR_PASSWORD, SCREENSHOTS, enrol, next_step, sign_in
from .test_browser import CSP_SPY

pytestmark = pytest.mark.e2e

AXE_TAGS = """() => axe.run(document, {runOnly: {type: "tag", values:
    ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}})"""


class Inspector:
    """Looks at every sign-in page: CSP and console errors, width, axe; photographs it."""

    def __init__(self, browser, with_axe: bool):
        # axe is injected, so that run sets the page's CSP aside (as the page tests do).
        self.context = browser.new_context(viewport={"width": 390, "height": 844},
                                           bypass_csp=with_axe)
        self.context.add_init_script(CSP_SPY)
        self.page = self.context.new_page()
        self.with_axe = with_axe
        self.problems: list[str] = []
        # A failed load is reported with its address; the lockout document's 429 is expected.
        self.page.on("console", lambda m: m.type == "error"
                     and not m.text.startswith("Failed to load resource")
                     and self.problems.append(m.text))
        self.page.on("response", lambda r: r.status >= 400 and r.request.resource_type != "document"
                     and self.problems.append(f"{r.status} {r.url}"))
        self.page.on("pageerror", lambda e: self.problems.append(str(e)))

    def look(self, name: str) -> None:
        page = self.page
        page.wait_for_load_state("networkidle")
        assert page.locator("h1").count() == 1, name
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} scrolls sideways at 390px"
        if self.with_axe:
            page.add_script_tag(path=str(AXE))
            self.problems += [
                f"{name} {v['id']}: {v['help']}" for v in page.evaluate(AXE_TAGS)["violations"]
                if v["impact"] in ("serious", "critical")
            ]
        else:
            self.problems += [f"{name} {v}" for v in page.evaluate("window.__cspViolations")]
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"staff-{name}-390.png"), full_page=True)


@pytest.mark.parametrize("with_axe", [False, True], ids=["csp", "axe"])
def test_a_new_superuser_enrols_by_qr_code_then_signs_in_with_a_code(site, browser, with_axe):
    if with_axe and not AXE.exists():
        pytest.skip("axe-core is not installed (.ci/run installs it into var/node)")
    username = "newcomer-axe" if with_axe else "newcomer"
    result = site.manage("createsuperuser", "--noinput", "--username", username,
                         "--email", "n@example.org")
    assert result.returncode == 0, result.stderr
    inspector = Inspector(browser, with_axe)
    page = inspector.page

    page.goto(site.url + "/admin/")
    assert "/account/login/" in page.url
    inspector.look("sign-in")
    page.fill("#id_auth-username", username)
    page.fill("#id_auth-password", EDITOR_PASSWORD)
    next_step(page)
    assert page.url.endswith("/account/two_factor/setup/")

    def look(step: str) -> None:
        if step == "enrol-qr-code":
            qr_code = page.get_by_role("img", name=re.compile("QR", re.I))
            # Loaded, not merely present: a busy machine may still be fetching it.
            page.wait_for_function(
                "img => img.complete && img.naturalWidth > 0",
                arg=qr_code.element_handle(),
                timeout=10_000,
            )
        inspector.look(step)

    authenticator, codes = enrol(page, look)
    page.wait_for_url(re.compile(r"/admin/$"))
    assert len(set(codes)) == 10
    page.context.clear_cookies()
    site.authenticators[username] = authenticator
    sign_in(page, site, username)  # password, then a code from the app
    assert page.get_by_role("heading", name="Site administration").is_visible()
    inspector.context.close()
    assert inspector.problems == []


@pytest.mark.parametrize("with_axe", [False, True], ids=["csp", "axe"])
def test_the_lockout_page_is_plain_and_accessible(site, browser, with_axe):
    if with_axe and not AXE.exists():
        pytest.skip("axe-core is not installed (.ci/run installs it into var/node)")
    inspector = Inspector(browser, with_axe)
    page = inspector.page
    username = f"guesser-{'axe' if with_axe else 'csp'}"
    for _ in range(5):
        page.goto(site.url + "/account/login/")
        page.fill("#id_auth-username", username)
        page.fill("#id_auth-password", "wrong")
        with page.expect_navigation() as navigation:
            next_step(page)
    assert navigation.value.status == 429
    assert page.get_by_role("heading", name="Too many sign-in attempts").is_visible()
    inspector.look("locked-out")
    inspector.context.close()
    assert inspector.problems == []
