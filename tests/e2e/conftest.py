"""The site as deployed: gunicorn with production settings on 127.0.0.1, driven by Chromium."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from base64 import b32decode
from pathlib import Path

import pytest
import requests
from django_otp.oath import TOTP

from tests.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
AXE = ROOT / "var" / "node" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", ROOT / "artifacts" / "screenshots"))
# A throwaway account in a temporary database.
EDITOR_PASSWORD = "e2e-editor-password"
SCRAPE_TOKEN = "e2e-scrape-" + "s" * 40

if not Path(CHROMIUM).exists():
    pytest.skip(f"{CHROMIUM} is not installed (.ci/run installs it)", allow_module_level=True)

playwright_api = pytest.importorskip("playwright.sync_api")


class Site:
    """A running gunicorn serving a throwaway database, and how to run commands beside it."""

    def __init__(self, workdir: Path, **settings: str):
        """A site on SQLite and the file cache in `workdir`, unless `settings` say otherwise."""
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workdir = workdir
        self.env = {
            **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
            "DEBUG": "0",
            "SECRET_KEY": "e2e-" + "k" * 60,
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": f"sqlite:///{workdir / 'e2e.sqlite3'}",
            "CACHE_URL": f"filecache://{workdir / 'cache'}",
            "MEDIA_ROOT": str(workdir / "media"),
            # Plain HTTP on loopback: the admin's cookies must travel without TLS here.
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "METRICS_REFRESH_SECONDS": "2",
            # Each node's workers share their Prometheus counters' files, apart from others'.
            "PROMETHEUS_MULTIPROC_DIR": str(workdir / f"prometheus-{self.port}"),
            "METRICS_SCRAPE_TOKEN": SCRAPE_TOKEN,
            "DJANGO_SUPERUSER_PASSWORD": EDITOR_PASSWORD,
            **settings,
        }
        self.process: subprocess.Popen | None = None
        # Each staff account's authenticator app, once it has enrolled in the browser.
        self.authenticators: dict[str, Authenticator] = {}

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "manage.py", *args]

    def manage(self, *args: str) -> subprocess.CompletedProcess:
        """`manage.py ARGS` in a process of its own, as cron would run it."""
        return subprocess.run(
            self.command(*args), cwd=ROOT, env=self.env,
            capture_output=True, text=True, timeout=120, check=False,
        )

    def start(self) -> None:
        """Set the database up (migrate, static files, the editor's account), then serve."""
        for args in (
            ("migrate", "--noinput"),
            ("collectstatic", "--noinput"),
            ("createsuperuser", "--noinput", "--username", "editor", "--email", "e@example.org"),
        ):
            result = self.manage(*args)
            assert result.returncode == 0, result.stderr
        self.serve()

    def serve(self) -> None:
        """gunicorn with 2 workers and deploy/'s configuration, answering /healthz."""
        gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent))
        self.process = subprocess.Popen(
            [gunicorn, "tractatus_site.wsgi:application", "--bind", f"127.0.0.1:{self.port}",
             "--workers", "2", "--config", "deploy/gunicorn.conf.py"],
            cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except (requests.ConnectionError, requests.Timeout):  # still booting
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer /healthz within 30 s")

    def stop(self) -> None:
        if self.process:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    running = Site(tmp_path_factory.mktemp("e2e"))
    running.start()
    yield running
    running.stop()


@pytest.fixture(scope="session")
def browser():
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run", "--disable-sync"],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    yield context.new_page()
    context.close()


@pytest.fixture
def desktop(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    yield context.new_page()
    context.close()


class Authenticator:
    """An authenticator app: the secret the enrolment page shows, and its codes."""

    def __init__(self, secret: str):
        self.key = b32decode(secret)
        self.last_step = -1

    def code(self) -> str:
        """A code not used yet: the site accepts each 30-second code once, so wait if need be."""
        totp = TOTP(self.key)
        if totp.t() <= self.last_step:
            time.sleep(30 - time.time() % 30 + 0.5)
            totp = TOTP(self.key)
        self.last_step = totp.t()
        return f"{totp.token():06d}"


def next_step(page) -> None:
    page.get_by_role("button", name="Next").click()


def enrol(page, look=lambda step: None) -> tuple[Authenticator, list[str]]:
    """From the enrolment's first step to the admin: an authenticator app and recovery codes.

    `look(step)` is called on each page shown, for tests that inspect them.
    """
    look("enrol-welcome")
    next_step(page)
    look("enrol-method")
    page.get_by_label("Token generator").check()
    next_step(page)
    look("enrol-qr-code")
    authenticator = Authenticator(page.locator("a[href^='otpauth://']").inner_text())
    page.fill("#id_generator-token", authenticator.code())
    next_step(page)
    page.wait_for_url(re.compile(r"/backup/tokens/$"))
    codes = page.locator(".recovery-codes code").all_inner_texts()
    look("recovery-codes")
    page.get_by_role("link", name="Continue to the admin").click()
    return authenticator, codes


def sign_in(page, site: Site, username: str = "editor") -> None:
    """Sign in at /admin/ as staff do: password, then a code (enrolling the first time)."""
    page.goto(site.url + "/admin/")
    page.fill("#id_auth-username", username)
    page.fill("#id_auth-password", EDITOR_PASSWORD)
    next_step(page)
    if username in site.authenticators:
        page.fill("#id_token-otp_token", site.authenticators[username].code())
        next_step(page)
    else:
        site.authenticators[username], _ = enrol(page)
    page.wait_for_url(re.compile(r"/admin/$"))
