"""How django-axes throttles sign-in here: the client's address, the limits, the lockout page."""

from __future__ import annotations

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers


def client_address(request: HttpRequest) -> str:
    """The client's address: the one our reverse proxy appended, when it is trusted to.

    The proxy appends the address it saw to X-Forwarded-For, so only the last entry is its
    own word; earlier entries come from the client and are ignored.
    """
    if settings.TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").rsplit(",", 1)[-1].strip()
        if forwarded:
            return forwarded
    return request.META.get("REMOTE_ADDR", "")


class UsernameAndAddressLimits(AxesDatabaseHandler):
    """Axes' database handler with a limit of its own for each lockout parameter.

    Axes compares the larger of the username's and the address's failure counts with one
    limit (AXES_FAILURE_LIMIT, the username's). An address may fail
    STAFF_ADDRESS_FAILURE_LIMIT times, so its count is scaled to that limit first:
    scaled >= limit exactly when failures >= STAFF_ADDRESS_FAILURE_LIMIT.
    """

    def get_failures(self, request, credentials=None) -> int:
        by_username, by_address = (
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        limit = settings.AXES_FAILURE_LIMIT
        return max(by_username, by_address * limit // settings.STAFF_ADDRESS_FAILURE_LIMIT)


def locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """The same plain page for every locked-out attempt, known username or not; never stored."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    response = render(request, "staff/locked_out.html", {"minutes": minutes}, status=429)
    add_never_cache_headers(response)
    return response
