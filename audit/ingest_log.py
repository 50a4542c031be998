"""The feed's ingest log: every attempt to read the feed, with nothing private in it.

`entry()` is the one place that decides what of a run the public sees; both the page and the
JSON log use it, so neither can leak a source URL, a host name or an error's details.
"""

from __future__ import annotations

from django import forms
from django.core.paginator import Page, Paginator
from django.urls import reverse

from metrics.models import ChainCheck, IngestRun
from tractatus_site.parameters import FIRST_DAY, InvalidParameter, ParameterForm

PER_PAGE = 50
MAX_PAGE = 10**6


class LogQuery(ParameterForm):
    """The ingest log's query string: ?month=YYYY-MM&page=N."""

    month = forms.RegexField(
        required=False,
        regex=r"^(19[7-9]\d|[2-9]\d{3})-(0[1-9]|1[0-2])\Z",
        error_messages={"invalid": f"a month is YYYY-MM, from {FIRST_DAY:%Y-%m} to 9999-12"},
    )
    page = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_PAGE,
        error_messages={
            "invalid": "a page is a whole number",
            "min_value": "pages start at 1",
            "max_value": f"a page is at most {MAX_PAGE}",
        },
    )


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
    """Ingest runs newest first, for one month (a valid YYYY-MM) or all."""
    queryset = IngestRun.objects.select_related("snapshot").order_by("-started_at", "-pk")
    if month:
        year, number = map(int, month.split("-"))
        queryset = queryset.filter(started_at__year=year, started_at__month=number)
    return queryset.defer("error", "source_url", "snapshot__raw")


def page_of(query) -> tuple[str | None, Page]:
    """The month asked for and its page of runs; InvalidParameter for a page past the last."""
    checked = LogQuery(query).checked()
    month = checked["month"] or None
    paginator = Paginator(runs(month), PER_PAGE)
    number = checked["page"] or 1
    if number > paginator.num_pages:
        raise InvalidParameter(f"page: there are {paginator.num_pages} pages")
    return month, paginator.page(number)


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
