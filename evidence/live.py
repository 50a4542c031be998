"""What the enforcement page shows of the live evidence: each target's latest check, or a demo."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from tractatus_site.state import DATA_SECONDS

from .grading import grade
from .models import Check, HeaderChange, ProbeTarget

PER_PAGE = 50

# The headers the plan tells visitors to expect, shown (labelled Demo) until a real check ran.
DEMO_HEADERS = {
    "content-security-policy": "default-src 'self'; script-src 'self'; object-src 'none';"
    " frame-ancestors 'none'; base-uri 'self'",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "strict-transport-security": "max-age=31536000; includeSubDomains",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "strict-origin-when-cross-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}


@dataclass(frozen=True)
class LiveEvidence:
    checks: list[Check]
    demo: bool


def demo_check(url: str) -> Check:
    """The demo result for `url`: never ran, never saved, labelled Demo wherever it is shown."""
    graded = grade(DEMO_HEADERS)
    check = Check(
        url=url, checked_at=timezone.now(), status=200, final_url=url,
        headers=DEMO_HEADERS, score=graded.score, grade=graded.letter,
    )
    check.is_demo = True
    return check


def latest_of_targets() -> list[tuple[str, int | None, datetime | None]]:
    """Each enabled target's address with its latest check's id and time, in one query."""
    newest = Check.objects.filter(url=OuterRef("url")).order_by("-checked_at", "-pk")
    return list(
        ProbeTarget.objects.filter(enabled=True)
        .annotate(
            latest=Subquery(newest.values("pk")[:1]),
            latest_at=Subquery(newest.values("checked_at")[:1]),
        )
        .values_list("url", "latest", "latest_at")
    )


def standing_weakenings(urls: list[str]) -> list[HeaderChange]:
    """Each header's latest change at each address, where that change weakened it.

    A weakening stays news until the header changes again, however many checks find it
    still weak: the pages keep saying so, not only the hour it was first seen.
    """
    latest = HeaderChange.objects.filter(
        found_in__url=OuterRef("found_in__url"), header=OuterRef("header")
    ).order_by("-found_in__checked_at", "-found_in_id")
    return list(
        HeaderChange.objects.filter(found_in__url__in=urls, kind__in=HeaderChange.WEAKENINGS)
        .filter(pk=Subquery(latest.values("pk")[:1]))
        .select_related("found_in")
        .order_by("header")
    )


def read_checks(ids: list[int]) -> list[Check]:
    """The checks, each with the weakenings still standing at its address."""
    found = Check.objects.in_bulk(ids)
    checks = [found[pk] for pk in ids]
    standing = standing_weakenings([check.url for check in checks])
    for check in checks:
        check.shown_weakenings = [c for c in standing if c.found_in.url == check.url]
    return checks


def latest_evidence() -> LiveEvidence:
    """The latest check of each enabled target; demo results while none has been checked.

    Checks never change once written, so those rows are cached under their ids and times: a
    new check (or a database restored from a backup) is a new key.
    """
    targets = latest_of_targets()
    ids = [pk for _, pk, _ in targets if pk is not None]
    if not ids:
        return LiveEvidence([demo_check(url) for url, _, _ in targets], demo=True)
    key = "live-evidence:" + ",".join(f"{pk}@{at.timestamp()}" for _, pk, at in targets if pk)
    checks = cache.get(key)
    if checks is None:
        checks = read_checks(ids)
        cache.set(key, checks, timeout=DATA_SECONDS)
    return LiveEvidence(checks, demo=False)


def checks_page(number: str | None) -> Page:
    """Every check, ad-hoc ones included, newest first."""
    checks = Check.objects.defer("raw_headers", "error").order_by("-checked_at", "-pk")
    return Paginator(checks, PER_PAGE).get_page(number)


def recent_changes(limit: int = 200) -> list[HeaderChange]:
    """The latest changes of any header at any address, newest first."""
    return list(
        HeaderChange.objects.select_related("found_in", "previous")
        .order_by("-found_in__checked_at", "-found_in_id", "header")[:limit]
    )
