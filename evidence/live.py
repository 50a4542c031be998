"""What the enforcement page shows of the live evidence: each target's latest check, or a demo."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.utils import timezone

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


def latest_check(url: str) -> Check | None:
    return (
        Check.objects.filter(url=url)
        .prefetch_related("changes")
        .order_by("-checked_at", "-pk")
        .first()
    )


def latest_evidence() -> LiveEvidence:
    """The latest check of each enabled target; demo results while none has been checked."""
    urls = list(ProbeTarget.objects.filter(enabled=True).values_list("url", flat=True))
    checks = [latest_check(url) for url in urls]
    if not any(checks):
        return LiveEvidence([demo_check(url) for url in urls], demo=True)
    return LiveEvidence([check for check in checks if check is not None], demo=False)


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
