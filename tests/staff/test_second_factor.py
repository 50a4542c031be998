"""No admin page and no draft preview opens with a password alone."""

from __future__ import annotations

import re
from base64 import b32decode
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib import admin
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from showcase.models import Page
from staff.models import SecurityEvent
from tests.reports.test_monthly_reports import october, snapshot_on
from tests.signin import password_only, signed_in

from .conftest import PASSWORD, current_code, password_step, recovery_code_step, token_step

pytestmark = pytest.mark.django_db

SAMPLE_KWARGS = {"app_label": "showcase", "id": "1", "object_id": "1", "content_type_id": "1",
                 "version_id": "1"}


def admin_urls(patterns=None):
    """Every named URL of the admin site, its arguments filled with samples."""
    for pattern in admin.site.get_urls() if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from admin_urls(pattern.url_patterns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            regex = pattern.pattern.regex
            if regex.groupindex:
                kwargs = {name: SAMPLE_KWARGS[name] for name in regex.groupindex}
                yield reverse(f"admin:{pattern.name}", kwargs=kwargs)
            else:  # simple_history's revision pages take positional arguments
                yield reverse(f"admin:{pattern.name}", args=["1"] * regex.groups)


@pytest.fixture
def drafts():
    Page.objects.create(title="Secret draft", slug="secret-draft", meta_description="x")
    snapshot_on(datetime(2026, 10, 20, tzinfo=UTC), {"boundary-enforcer": october(1, 3, 5)})
    with time_machine.travel(datetime(2026, 11, 2, tzinfo=UTC)):
        call_command("publish_monthly_report", "--month", "2026-10", verbosity=0)
    return ["/secret-draft/?preview=1", "/reports/2026/10/?preview=1"]


def test_the_walk_covers_the_whole_admin():
    urls = set(admin_urls())
    assert len(urls) > 100
    assert {"/admin/", "/admin/metrics/snapshot/chain/", "/admin/showcase/page/1/change/",
            "/admin/auth/user/1/password/", "/admin/staff/securityevent/"} <= urls


WAY_IN_AND_OUT = {"/admin/login/", "/admin/logout/"}  # redirects of their own


@pytest.mark.parametrize("with_device", [False, True], ids=["not enrolled", "enrolled"])
def test_no_admin_url_answers_a_password_only_session(django_user_model, with_device):
    superuser = django_user_model.objects.create_superuser("boss", "b@example.org", PASSWORD)
    if with_device:
        TOTPDevice.objects.create(user=superuser, name="default", confirmed=True)
    browser = password_only(superuser)
    answers = {url: browser.get(url) for url in admin_urls()}
    # Each is sent back to sign in (with the second factor); an error page (a 500) is no refusal.
    sign_in = reverse("admin:login")
    opened = {
        url: response.status_code
        for url, response in answers.items()
        if response.status_code != 302
        or not (url in WAY_IN_AND_OUT or response["Location"].startswith(sign_in))
    }
    assert opened == {}
    assert signed_in(superuser).get("/admin/").status_code == 200  # the walk can find a 200


def test_draft_previews_need_the_second_factor(django_user_model, drafts):
    superuser = django_user_model.objects.create_superuser("boss", "b@example.org", PASSWORD)
    for url in drafts:
        assert password_only(superuser).get(url).status_code == 404, url
        assert signed_in(superuser).get(url).status_code == 200, url


def test_after_the_password_an_unenrolled_staff_member_is_sent_to_enrol(client, django_user_model):
    django_user_model.objects.create_superuser("new", "n@example.org", PASSWORD)
    response = password_step(client, "new", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/account/two_factor/setup/"
    assert client.get("/admin/").status_code == 302
    assert client.get("/admin/login/")["Location"] == "/account/two_factor/setup/"


def test_an_enrolled_one_must_give_a_code_before_anything_else(client, editor):
    response = password_step(client, "editor", PASSWORD)
    assert response.status_code == 200 and 'name="token-otp_token"' in response.content.decode()
    assert client.get("/admin/").status_code == 302
    with time_machine.travel("2026-01-01 12:00Z", tick=False) as clock:
        assert token_step(client, "000000").status_code == 200  # wrong code: asked again
        assert client.get("/admin/").status_code == 302
        clock.shift(timedelta(seconds=5))  # django-otp slows down guessing after a failure
        assert token_step(client, current_code(editor)).status_code == 302
        assert client.get("/admin/").status_code == 200


def enrol(browser: Client) -> list[str]:
    """The enrolment wizard as a person goes through it; returns the codes it then shows."""
    setup = "/account/two_factor/setup/"
    browser.post(setup, {"enrol_view-current_step": "welcome"})
    page = browser.post(setup, {"enrol_view-current_step": "method", "method-method": "generator"})
    secret = re.search(r">([A-Z2-7]{32})<", page.content.decode()).group(1)
    assert '<img src="/account/two_factor/qrcode/"' in page.content.decode()
    code = f"{TOTP(b32decode(secret)).token():06d}"
    done = browser.post(setup, {"enrol_view-current_step": "generator", "generator-token": code})
    assert done["Location"] == "/account/two_factor/backup/tokens/"
    return re.findall(r"<code>(\w+)</code>", browser.get(done["Location"]).content.decode())


def test_enrolment_shows_ten_recovery_codes_and_is_recorded(client, django_user_model):
    user = django_user_model.objects.create_superuser("new", "n@example.org", PASSWORD)
    password_step(client, "new", PASSWORD)
    codes = enrol(client)
    qr = client.get("/account/two_factor/qrcode/")
    assert qr.status_code == 404  # the secret leaves the session once enrolled
    assert len(set(codes)) == 10
    assert client.get("/admin/").status_code == 200
    kinds = list(SecurityEvent.objects.filter(user=user).values_list("kind", flat=True))
    assert sorted(kinds) == ["codes-issued", "enrolled"]


def test_a_recovery_code_signs_in_once_and_its_use_is_recorded(client, editor):
    device = editor.staticdevice_set.create(name="backup")
    device.token_set.create(token="abcd1234")
    device.token_set.create(token="efgh5678")
    password_step(client, "editor", PASSWORD)
    assert recovery_code_step(client, "abcd1234").status_code == 302
    assert client.get("/admin/").status_code == 200
    event = SecurityEvent.objects.get(kind="code-used")
    assert (event.username, event.detail) == ("editor", "1 code(s) left")

    again = Client()
    password_step(again, "editor", PASSWORD)
    assert recovery_code_step(again, "abcd1234").status_code == 200  # refused, asked again
    assert again.get("/admin/").status_code == 302
    assert list(StaticToken.objects.values_list("token", flat=True)) == ["efgh5678"]


def test_a_superuser_resets_another_users_devices_from_the_admin(editor, django_user_model):
    colleague = django_user_model.objects.create_user("ann", password=PASSWORD, is_staff=True)
    TOTPDevice.objects.create(user=colleague, name="default", confirmed=True)
    colleague.staticdevice_set.create(name="backup").token_set.create(token="abcd1234")
    admin_browser = signed_in(editor)
    response = admin_browser.post("/admin/auth/user/", {
        "action": "reset_second_factor", "_selected_action": [colleague.pk]})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=colleague).exists()
    assert not colleague.staticdevice_set.exists()
    event = SecurityEvent.objects.get(kind="reset")
    assert (event.username, event.actor) == ("ann", "editor")
    # Signed in again, the colleague is sent to enrol.
    browser = Client()
    password_step(browser, "ann", PASSWORD)
    assert browser.get("/admin/login/")["Location"] == "/account/two_factor/setup/"


def test_only_a_superuser_may_reset(editor, django_user_model):
    from django.contrib.auth.models import Permission

    clerk = django_user_model.objects.create_user("clerk", password=PASSWORD, is_staff=True)
    clerk.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_user", "change_user"])
    )
    browser = signed_in(clerk)
    assert "reset_second_factor" not in browser.get("/admin/auth/user/").content.decode()
    browser.post("/admin/auth/user/", {"action": "reset_second_factor",
                                       "_selected_action": [editor.pk]})
    assert TOTPDevice.objects.filter(user=editor).exists()
    assert not SecurityEvent.objects.exists()


def test_staff_see_the_security_events_but_nobody_edits_them(editor):
    SecurityEvent.record(SecurityEvent.Kind.ENROLLED, editor)
    browser = signed_in(editor)
    assert "Second factor enrolled" in browser.get("/admin/staff/securityevent/").content.decode()
    event = SecurityEvent.objects.get()
    assert browser.post(f"/admin/staff/securityevent/{event.pk}/delete/",
                        {"post": "yes"}).status_code == 403
    assert browser.post(f"/admin/staff/securityevent/{event.pk}/change/",
                        {"kind": "reset"}).status_code == 403


class TestTheDevelopmentShortcut:
    """DEV_SKIP_SECOND_FACTOR lets a password open the admin only with DEBUG on, on 127.0.0.1."""

    @pytest.fixture
    def boss(self, django_user_model):
        return django_user_model.objects.create_superuser("boss", "b@example.org", PASSWORD)

    def test_it_works_with_debug_on_localhost(self, boss, settings):
        settings.DEBUG, settings.DEV_SKIP_SECOND_FACTOR = True, True
        assert password_only(boss).get("/admin/").status_code == 200

    def test_it_is_off_without_debug(self, boss, settings):
        settings.DEBUG, settings.DEV_SKIP_SECOND_FACTOR = False, True
        assert password_only(boss).get("/admin/").status_code == 302

    def test_it_is_off_for_any_other_address(self, boss, settings):
        settings.DEBUG, settings.DEV_SKIP_SECOND_FACTOR = True, True
        response = password_only(boss).get("/admin/", REMOTE_ADDR="192.0.2.1")
        assert response.status_code == 302

    def test_settings_ignore_it_when_debug_is_off(self):
        from tests.site.test_security import run_django

        def skip_setting(debug):
            result = run_django(["diffsettings"], DEBUG=debug, SECRET_KEY="k" * 50,
                                DEV_SKIP_SECOND_FACTOR="1")
            assert result.returncode == 0, result.stderr
            return re.search(r"^DEV_SKIP_SECOND_FACTOR = (\w+)", result.stdout, re.M).group(1)

        assert skip_setting("0") == "False"
        assert skip_setting("1") == "True"


def test_sign_in_and_admin_responses_are_never_stored(client, editor):
    assert "no-store" in client.get("/account/login/")["Cache-Control"]
    assert "no-store" in password_step(client, "editor", PASSWORD)["Cache-Control"]
    browser = signed_in(editor)
    for url in ("/admin/", "/admin/showcase/page/", "/account/two_factor/backup/tokens/"):
        assert "no-store" in browser.get(url)["Cache-Control"], url


def test_the_session_cookie_is_secure_httponly_lax_and_ends_with_the_browser(client, editor):
    with time_machine.travel("2026-01-01 12:00Z", tick=False) as clock:
        password_step(client, "editor", PASSWORD)
        response = token_step(client, current_code(editor))
        cookie = response.cookies["sessionid"]
        assert cookie["secure"] and cookie["httponly"] and cookie["samesite"] == "Lax"
        assert not cookie["expires"] and not cookie["max-age"]  # gone when the browser closes
        assert client.get("/admin/").status_code == 200
        clock.shift(timedelta(hours=8, minutes=1))
        assert client.get("/admin/").status_code == 302
