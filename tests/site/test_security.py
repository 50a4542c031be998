"""Every response carries the security baseline: pages, static files, errors, admin."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.staticfiles.storage import staticfiles_storage

from transparency.notes import Signer

ROOT = Path(__file__).resolve().parents[2]

BASELINE = {
    "X-Content-Type-Options": "nosniff",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


def assert_hardened(response):
    for header, value in BASELINE.items():
        assert response.headers.get(header) == value, header
    csp = response.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'self'"
    assert directives["form-action"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "camera=()" in response.headers["Permissions-Policy"]


@pytest.mark.django_db
def test_a_page_is_hardened(client):
    assert_hardened(client.get("/"))


@pytest.mark.django_db
def test_a_static_file_is_hardened_and_cached_for_a_year(client):
    url = staticfiles_storage.url("css/site.css")
    response = client.get(url)
    assert response.status_code == 200
    assert_hardened(response)
    assert "max-age=31536000" in response.headers["Cache-Control"]


@pytest.mark.django_db
def test_a_404_is_hardened_and_in_the_site_style(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert_hardened(response)
    assert b"Page not found" in response.content
    assert b"Traceback" not in response.content


@pytest.mark.django_db
def test_the_admin_login_is_hardened(client):
    response = client.get("/admin/login/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/account/login/")
    assert response.status_code == 200
    assert_hardened(response)


@pytest.mark.django_db
def test_a_500_leaks_nothing(client, settings, monkeypatch):
    from showcase import views

    def explode(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(views, "page_context", explode)
    client.raise_request_exception = False
    response = client.get("/about/")
    assert response.status_code == 500
    assert_hardened(response)
    assert b"Something went wrong" in response.content
    assert b"secret internals" not in response.content


def run_django(args, **env):
    environment = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120,
    )


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off():
    result = run_django(["check"], SECRET_KEY="", DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_check_deploy_is_clean_with_production_settings():
    result = run_django(
        ["check", "--deploy", "--fail-level", "WARNING"],
        DEBUG="0",
        SECRET_KEY="x" * 20 + "production-like-but-made-up-for-this-test" + "y" * 20,
        ALLOWED_HOSTS="tractatus.example",
        SECURE_SSL_REDIRECT="1",
        SECURE_HSTS_SECONDS="31536000",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="1",
        SECURE_HSTS_PRELOAD="1",
        LOG_SIGNING_KEY=str(Signer.generate("tractatus.example/log")),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNINGS" not in result.stdout + result.stderr
