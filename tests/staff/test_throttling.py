"""Sign-in is throttled: 5 failures per username or 20 per address lock it for the cool-off."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.test import Client

from tests.signin import signed_in

from .conftest import PASSWORD, password_step, signs_in

pytestmark = pytest.mark.django_db

LOCKED = "Too many sign-in attempts"


def fail(browser, username, times, **extra):
    for _ in range(times):
        response = password_step(browser, username, "wrong", **extra)
        assert response.status_code == 200 and LOCKED not in response.content.decode()


def lock(browser, username):
    """Five failures: the fifth is already answered with the lockout."""
    fail(browser, username, 4)
    assert password_step(browser, username, "wrong").status_code == 429


def comparable(response) -> str:
    """The page without what differs on every response anyway (CSRF token, typed username)."""
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    return page.replace('value="editor"', "").replace('value="nobody"', "")


def test_five_failures_lock_a_username_even_against_the_right_password(client, editor):
    lock(client, "editor")
    response = password_step(client, "editor", PASSWORD)
    assert response.status_code == 429
    assert LOCKED in response.content.decode() and "15 minutes" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert client.get("/admin/").status_code == 302
    # The lock is on the username: from another address it is refused too.
    assert password_step(Client(), "editor", PASSWORD, REMOTE_ADDR="10.0.0.9").status_code == 429


def test_four_failures_do_not_lock(client, editor):
    fail(client, "editor", 4)
    assert signs_in(client, editor)


def test_an_unknown_username_gets_exactly_what_a_real_one_gets(client, editor):
    other = Client()
    for attempt in range(1, 7):
        password = PASSWORD if attempt == 6 else "wrong"
        real = password_step(client, "editor", password)
        unknown = password_step(other, "nobody", password)
        assert real.status_code == unknown.status_code == (200 if attempt < 5 else 429)
        assert comparable(real) == comparable(unknown)


def test_twenty_failures_from_one_address_lock_it_for_every_username(client, editor):
    for name in ("ann", "bob", "cy", "dee"):
        fail(client, name, 4, REMOTE_ADDR="192.0.2.7")  # no username reaches its limit
    fail(client, "eve", 3, REMOTE_ADDR="192.0.2.7")
    assert password_step(client, "fay", "wrong", REMOTE_ADDR="192.0.2.7").status_code == 429
    response = password_step(client, "editor", PASSWORD, REMOTE_ADDR="192.0.2.7")
    assert response.status_code == 429
    assert signs_in(Client(), editor)  # other addresses are not affected


def test_nineteen_failures_from_one_address_do_not_lock_it(client, editor):
    for name in ("ann", "bob", "cy", "dee"):
        fail(client, name, 4, REMOTE_ADDR="192.0.2.7")
    fail(client, "fay", 3, REMOTE_ADDR="192.0.2.7")
    response = password_step(client, "editor", PASSWORD, REMOTE_ADDR="192.0.2.7")
    assert response.status_code == 200 and "token-otp_token" in response.content.decode()


def test_a_successful_sign_in_resets_the_usernames_count(client, editor):
    with time_machine.travel("2026-01-01 12:00Z", tick=False) as clock:
        fail(client, "editor", 4)
        assert signs_in(client, editor)
        client.logout()
        fail(client, "editor", 4)  # counted from zero again: a fifth failure would lock
        clock.shift(timedelta(minutes=1))  # a TOTP code signs in only once
        assert signs_in(client, editor)


def test_the_lock_lifts_after_the_cool_off(client, editor, settings):
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)
    with time_machine.travel("2026-01-01 12:00Z", tick=False) as clock:
        lock(client, "editor")
        clock.shift(timedelta(minutes=14))
        assert password_step(client, "editor", PASSWORD).status_code == 429
        clock.shift(timedelta(minutes=16))  # the refused attempt restarted the wait
        assert signs_in(client, editor)


def test_forwarded_addresses_are_ignored_unless_the_proxy_is_trusted(client, editor, settings):
    # Untrusted: a guesser varying X-Forwarded-For is still one address (REMOTE_ADDR).
    for number in range(20):
        password_step(client, f"user{number}", "wrong", HTTP_X_FORWARDED_FOR=f"198.51.100.{number}")
    assert password_step(client, "editor", PASSWORD).status_code == 429

    # Trusted: the address the proxy appended (the last) counts, whatever the client sent.
    settings.TRUST_X_FORWARDED_FOR = True
    AccessAttempt.objects.all().delete()
    behind_proxy = {"REMOTE_ADDR": "127.0.0.1"}
    for number in range(20):
        password_step(client, f"user{number}", "wrong",
                      HTTP_X_FORWARDED_FOR=f"10.9.9.{number}, 203.0.113.5", **behind_proxy)
    locked = password_step(client, "editor", PASSWORD,
                           HTTP_X_FORWARDED_FOR="203.0.113.5", **behind_proxy)
    assert locked.status_code == 429
    other = password_step(Client(), "editor", PASSWORD,
                          HTTP_X_FORWARDED_FOR="203.0.113.6", **behind_proxy)
    assert other.status_code == 200


def test_the_axes_reset_command_clears_lockouts(client, editor):
    lock(client, "editor")
    assert call_command("axes_reset") is None  # exits 0
    assert not AccessAttempt.objects.exists()
    assert signs_in(client, editor)


def test_staff_see_and_clear_lockouts_in_the_admin(client, editor, django_user_model):
    lock(client, "editor")
    attempt = AccessAttempt.objects.get()
    admin = signed_in(django_user_model.objects.create_superuser("root", "r@example.org", "x"))
    page = admin.get("/admin/axes/accessattempt/").content.decode()
    assert "editor" in page
    response = admin.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    assert signs_in(client, editor)


def test_editors_neither_see_nor_clear_lockouts(client, editor, django_user_model):
    """Even with an old grant: clearing a lockout lifts the throttle on an attacked account."""
    lock(client, "editor")
    attempt = AccessAttempt.objects.get()
    ed = django_user_model.objects.create_user("ed", password="x", is_staff=True)
    ed.groups.add(Group.objects.get(name="Editors"))
    ed.user_permissions.add(*Permission.objects.filter(content_type__app_label="axes"))
    browser = signed_in(ed)
    assert "Access attempts" not in browser.get("/admin/").content.decode()
    assert browser.get("/admin/axes/accessattempt/").status_code == 403
    deleting = browser.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    assert deleting.status_code == 403
    assert AccessAttempt.objects.filter(pk=attempt.pk).exists()


def test_the_lockout_page_says_who_can_unlock_and_how(client, editor):
    fail(client, "editor", 4)
    page = password_step(client, "editor", "wrong").content.decode()
    assert "Only a superuser can unlock" in page
    assert "python manage.py axes_reset_username &lt;username&gt;" in page
    assert "Editors cannot." in page
