"""The one answer to "may this request see staff-only things?": staff, past the second factor."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from .signin import client_address

LOOPBACK = "127.0.0.1"


def second_factor_skipped(request: HttpRequest) -> bool:
    """Development only: DEBUG on, DEV_SKIP_SECOND_FACTOR on, and the client is this machine."""
    return (
        settings.DEBUG
        and settings.DEV_SKIP_SECOND_FACTOR
        and client_address(request) == LOOPBACK
    )


def is_verified_staff(request: HttpRequest) -> bool:
    """Active staff whose session passed the second factor (admin pages, draft previews)."""
    user = request.user
    return (
        user.is_active
        and user.is_staff
        and (user.is_verified() or second_factor_skipped(request))
    )
