"""Staff signing in as a person would: the password step, then the second factor."""

from __future__ import annotations

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

PASSWORD = "correct horse battery staple"
LOGIN = "/account/login/?next=/admin/"


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    """Dozens of sign-ins per test: a fast hasher keeps them quick (production keeps PBKDF2)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def editor(django_user_model):
    """A superuser with an enrolled authenticator app."""
    user = django_user_model.objects.create_superuser("editor", "e@example.org", PASSWORD)
    TOTPDevice.objects.create(user=user, name="default", confirmed=True)
    return user


def current_code(user) -> str:
    device = TOTPDevice.objects.get(user=user)
    return f"{totp(device.bin_key):0{device.digits}d}"


def password_step(browser: Client, username: str, password: str, **extra):
    data = {"login_view-current_step": "auth", "auth-username": username,
            "auth-password": password}
    return browser.post(LOGIN, data, **extra)


def token_step(browser: Client, code: str):
    return browser.post(LOGIN, {"login_view-current_step": "token", "token-otp_token": code})


def recovery_code_step(browser: Client, code: str):
    return browser.post(LOGIN, {"login_view-current_step": "backup", "backup-otp_token": code})


def signs_in(browser: Client, user, password: str = PASSWORD) -> bool:
    """Both steps; True when the admin then opens."""
    password_step(browser, user.username, password)
    token_step(browser, current_code(user))
    return browser.get("/admin/").status_code == 200
