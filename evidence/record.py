"""Checking an address and keeping the result: the check, graded, and what changed since the last.

A check is written once with its changes in one transaction (its save replaces the pages that
show it, evidence/apps.py); then staff are alerted to a weakening or a certificate near expiry.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, datetime

from django.db import transaction
from django.utils import timezone

from alerts.watch import check_evidence
from transparency import log

from .grading import HEADERS, grade
from .models import Check, HeaderChange, ProbeTarget
from .probe import Observation, observe

logger = logging.getLogger(__name__)

def days_left(expires_at: datetime | None, now: datetime) -> int | None:
    return None if expires_at is None else (expires_at - now).days


def previous_success(url: str) -> Check | None:
    return Check.objects.filter(url=url, failure="").order_by("-checked_at", "-pk").first()


def changes_between(previous: Check, current: Check) -> list[HeaderChange]:
    """Each security header that appeared, vanished, weakened, strengthened or changed."""
    before, after = previous.graded().verdicts, current.graded().verdicts
    found = []
    for name in HEADERS:
        old, new = previous.headers.get(name), current.headers.get(name)
        if old == new:
            continue
        if old is None:
            kind = HeaderChange.Kind.APPEARED
        elif new is None:
            kind = HeaderChange.Kind.VANISHED
        elif after[name].penalty > before[name].penalty:
            kind = HeaderChange.Kind.WEAKENED
        elif after[name].penalty < before[name].penalty:
            kind = HeaderChange.Kind.STRENGTHENED
        else:
            kind = HeaderChange.Kind.CHANGED
        found.append(HeaderChange(
            found_in=current, previous=previous, header=name, kind=kind,
            before=old or "", after=new or "",
        ))
    return found


def store(seen: Observation, target: ProbeTarget | None, now: datetime) -> Check:
    """The check of `seen`, with its changes since the address's last successful check."""
    raw = seen.raw_headers
    check = Check(
        url=seen.url[:500],
        target=target,
        checked_at=now,
        failure=seen.failure,
        error=seen.error,
        status=seen.status,
        final_url=seen.final_url[:2000],
        headers=seen.headers,
        raw_headers=raw,
        sha256=hashlib.sha256(raw.encode("latin-1", "replace")).hexdigest() if raw else "",
        certificate_expires_at=seen.certificate_expires_at,
        certificate_days_left=days_left(seen.certificate_expires_at, now),
    )
    if check.ok:  # a failure is never graded, so never counted as a pass
        graded = grade(seen.headers)
        check.score, check.grade = graded.score, graded.letter
    with transaction.atomic():
        previous = previous_success(check.url) if check.ok else None
        check.save()
        if previous is not None:
            HeaderChange.objects.bulk_create(changes_between(previous, check))
        log.append(check.log_entry())  # committed with the check, or neither is
    return check


def run_check(url: str, target: ProbeTarget | None = None) -> Check:
    """Check `url` now, keep the result and alert staff."""
    check = store(observe(url), target, timezone.now().astimezone(UTC))
    check_evidence(check)
    return check
