"""Counting each visitor a few times at most, without knowing who they are.

A visitor is recognised by a SHA-256 of a daily salt, their address and their user agent, the
method Plausible and Fathom use: no cookie, nothing stored in the browser. The salt is random,
made once per UTC day in the shared cache (CACHE_URL), never written to the database, and
forgotten after two days, so no one (us included) can recompute a past day's hashes or walk
the address space back from them. The hashes themselves live only in the cache, for an hour.

With them, a visitor's reports count at most REPORTS_PER_HOUR times per page (or outbound
link) per hour, and their visible time on a page at most MAX_VISIBLE_SECONDS per day.
docs/measures.md says what this does to the figures.
"""

from __future__ import annotations

import dataclasses
import hashlib
import secrets
from datetime import date

from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone

from staff.signin import client_address

from .beacon import MAX_SECONDS, Report

REPORTS_PER_HOUR = 3
MAX_VISIBLE_SECONDS = MAX_SECONDS
HOUR = 60 * 60
DAY = 24 * HOUR
# When the shared cache is down, each process salts with its own value for the day; it is
# still never stored, and a visitor counts a few times per worker instead of once overall.
_fallback_salts: dict[date, str] = {}


def daily_salt(day: date) -> str:
    """The day's salt: made by whichever worker asks first, shared by all through the cache."""
    key = f"measures:salt:{day.isoformat()}"
    cache.add(key, secrets.token_hex(32), timeout=2 * DAY)
    salt = cache.get(key)
    if salt is None:
        salt = _fallback_salts.setdefault(day, secrets.token_hex(32))
    return salt


def visitor(request: HttpRequest) -> str:
    """Today's pseudonym of whoever sent `request`; tomorrow's is unrelated to it."""
    now = timezone.now()
    parts = (daily_salt(now.date()), client_address(request), request.headers.get("User-Agent", ""))
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def _tally_key(request: HttpRequest, kind: str, what: str) -> str:
    """A cache key for this visitor's tally of `what`; the pseudonym itself is hashed again."""
    return f"measures:{kind}:{hashlib.sha256(f'{visitor(request)}:{what}'.encode()).hexdigest()}"


def _add(key: str, amount: int, timeout: int) -> int | None:
    """Add to a counter in the shared cache; None when the cache cannot keep it."""
    cache.add(key, 0, timeout=timeout)
    try:
        return cache.incr(key, amount)
    except ValueError:  # evicted between add and incr
        return None


def may_count(request: HttpRequest, what: str) -> bool:
    """Whether this visitor's report of `what` (a page view, a click) still counts this hour.

    When the cache cannot keep the tally, the report counts: an outage must not erase visits.
    """
    hour = int(timezone.now().timestamp()) // HOUR
    count = _add(_tally_key(request, f"seen:{hour}", what), 1, HOUR)
    return count is None or count <= REPORTS_PER_HOUR


def admitted(request: HttpRequest, report: Report) -> Report | None:
    """The report as it may be counted (visible time clamped), or None when it may not."""
    if not may_count(request, f"{report.event}:{report.path}"):
        return None
    if report.event != "leave":
        return report
    day = timezone.now().date().isoformat()
    tenths = round(report.seconds * 10)
    total = _add(_tally_key(request, f"visible:{day}", report.path), tenths, DAY)
    if total is None:
        return report
    allowed = max(0, min(tenths, MAX_VISIBLE_SECONDS * 10 - (total - tenths)))
    return dataclasses.replace(report, seconds=allowed / 10)
