"""How tests sign staff in: past the password and the second factor, as the admin requires."""

from __future__ import annotations

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.client import PageCacheClient as Client


def signed_in(user) -> Client:
    """A browser signed in as `user` with a confirmed TOTP device, verified for this session."""
    browser = Client()
    browser.force_login(user)
    device = TOTPDevice.objects.create(user=user, name="default", confirmed=True)
    session = browser.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return browser


def password_only(user) -> Client:
    """A browser past the password but not the second factor."""
    browser = Client()
    browser.force_login(user)
    return browser
