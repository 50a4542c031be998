"""The feed's ingest log: every attempt to read the feed, with nothing private in it.

`entry()` is the one place that decides what of a run the public sees; both the page and the
JSON log use it, so neither can leak a source URL, a host name or an error's details.
"""

from __future__ import annotations

import re
from datetime import date

from django.core.paginator import Page, Paginator
from django.http import Http404
from django.urls import reverse

from metrics.models import ChainCheck, IngestRun

PER_PAGE = 50
MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def entry(run: IngestRun) -> dict:
    """What the public may know of one ingest attempt."""
    item = {
        "time": run.started_at.isoformat(),
        "outcome": run.outcome,
        "outcome_label": run.get_outcome_display(),
        "reason": run.reason,
    }
    snapshot = run.snapshot if run.outcome == IngestRun.Outcome.ACCEPTED else None
    if snapshot is not None:
        item["snapshot"] = {
            "sha256": snapshot.sha256,
            "previous_sha256": snapshot.previous_sha256,
            "generated_at": snapshot.generated_at.isoformat(),
            "ingested_at": snapshot.ingested_at.isoformat(),
            "source": snapshot.source,
            "signed": snapshot.signature_verified,
            "url": reverse("metrics:snapshot-raw", args=[snapshot.sha256]),
        }
    return item


def runs(month: str | None):
    """Ingest runs newest first, for one month (YYYY-MM) or all; a bad month is a 404."""
    queryset = IngestRun.objects.select_related("snapshot").order_by("-started_at", "-pk")
    if month:
        match = MONTH.match(month)
        if not match:
            raise Http404("month must be YYYY-MM")
        first = date(int(match[1]), int(match[2]), 1)
        queryset = queryset.filter(started_at__year=first.year, started_at__month=first.month)
    return queryset.defer("error", "source_url", "snapshot__raw")


def page_of(request) -> tuple[str | None, Page]:
    month = request.GET.get("month") or None
    paginator = Paginator(runs(month), PER_PAGE)
    return month, paginator.get_page(request.GET.get("page"))


def last_chain_check() -> ChainCheck | None:
    return ChainCheck.objects.order_by("-checked_at").first()


def chain_entry(chain: ChainCheck | None) -> dict | None:
    """The last verification of the hash chain, as the JSON log gives it."""
    if chain is None:
        return None
    return {
        "checked_at": chain.checked_at.isoformat(),
        "intact": chain.intact,
        "verified_through": chain.verified_through,
        "broken_at": chain.broken_at,
        "problem": chain.problem,
    }
