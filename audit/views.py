"""The audit viewer's pages and its public API: a view gathers, a template shows."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import condition

from metrics.api import cached_publicly, live_data
from metrics.models import FrameworkService
from tractatus_site import csvfile
from tractatus_site.methods import safe_only
from tractatus_site.openapi import Error, csv_answer, described, form_parameters
from tractatus_site.pagecache import cache_public_page
from transparency.integrity import entry_matches_row

from . import events, ingest_log
from .schemas import Event, EventsPage, IngestLogPage


@safe_only
@cache_public_page(query=events.EventFilters)
def index(request: HttpRequest) -> HttpResponse:
    """/audit/: the framework's decisions, newest first, filtered and paged by cursor."""
    filters = events.EventFilters(request.GET)
    context = {
        "filters": filters,
        "services": FrameworkService.objects.filter(published=True).only("name", "feed_key"),
    }
    if not filters.is_valid():
        return render(request, "audit/index.html", context, status=400)
    page = events.page_of(filters.cleaned_data)
    context |= {
        "page": page,
        "decisions": events.decision_rows(page.events),
        "filtered": bool(filters.query(cursor="")),
        "this_query": urlencode(filters.query()),
        "all_query": urlencode(filters.query(cursor="")),
        "next_query": urlencode(filters.query(cursor=page.next_cursor or "")),
    }
    return render(request, "audit/index.html", context)


@safe_only
@cache_public_page
def event(request: HttpRequest, event_id: str) -> HttpResponse:
    """One decision, the snapshot whose bytes carried it, and how to check those bytes."""
    found = events.one(event_id)
    if found is None:
        raise Http404("No such event")
    context = {
        "event": found,
        "log_index": events.log_index(found),
        # A row rewritten after it was logged says so here, as verify_log does.
        "matches_log": entry_matches_row(found.log_entry) if events.log_index(found) is not None
        else None,
    }
    return render(request, "audit/event.html", context)


@described("/metrics/audit/{event_id}.json", summary="One decision, with its log index",
           response={200: Event, 404: Error})
@safe_only
@live_data
def event_json(request: HttpRequest, event_id: str) -> JsonResponse:
    """One decision as audit.json gives it, with its log index: what verify.py checks."""
    found = events.one(event_id)
    if found is None:
        return JsonResponse({"error": "no decision has that id"}, status=404)
    return JsonResponse(events.public(found), json_dumps_params={"ensure_ascii": False})


@safe_only
@cached_publicly(0)  # not in the page cache: a failed run changes it, and no cache would know
def feed_log(request: HttpRequest) -> HttpResponse:
    """/audit/feed/: every attempt to read the feed, and the last check of the hash chain."""
    month, page = ingest_log.page_of(request.GET)
    context = {
        "month": month,
        "page_obj": page,
        "entries": [ingest_log.entry(run) for run in page],
        "chain": ingest_log.last_chain_check(),
    }
    return render(request, "audit/feed.html", context)


def bad_filters(filters: events.EventFilters) -> JsonResponse:
    return JsonResponse({"error": filters.problem()}, status=400)


@described("/metrics/audit.json", summary="The framework's decisions, 50 a page",
           response={200: EventsPage, 400: Error},
           openapi_extra={"parameters": form_parameters(events.EventFilters)})
@safe_only
@live_data
def events_json(request: HttpRequest) -> JsonResponse:
    """The decisions as JSON, 50 a page: {"events": [...], "next": cursor or null}."""
    filters = events.EventFilters(request.GET)
    if not filters.is_valid():
        return bad_filters(filters)
    page = events.page_of(filters.cleaned_data)
    return JsonResponse(
        {"events": [events.public(e) for e in page.events], "next": page.next_cursor},
        json_dumps_params={"ensure_ascii": False},
    )


def csv_etag(request: HttpRequest) -> str | None:
    return events.listing_etag(request.GET)


@described("/metrics/audit.csv", summary="Every matching decision, as CSV",
           response={400: Error},
           openapi_extra={"parameters": form_parameters(events.EventFilters),
                          "responses": {200: csv_answer("id,at,service,decision,rule,tenant,"
                                                        "detail,snapshot_sha256,demo")}})
@safe_only
@live_data
@condition(etag_func=csv_etag)
def events_csv(request: HttpRequest) -> HttpResponse:
    """Every matching decision as CSV, streamed, however many there are."""
    filters = events.EventFilters(request.GET)
    if not filters.is_valid():
        return bad_filters(filters)
    return csvfile.attachment(
        events.rows(filters.cleaned_data), "audit-events.csv", stream=True
    )


@described("/metrics/log.json", summary="Every attempt to read the feed, 50 a page",
           response={200: IngestLogPage, 400: Error},
           openapi_extra={"parameters": form_parameters(ingest_log.LogQuery)})
@safe_only
@live_data
def log_json(request: HttpRequest) -> JsonResponse:
    """The ingest log as JSON, 50 a page, with the last check of the hash chain."""
    month, page = ingest_log.page_of(request.GET)
    return JsonResponse(
        {
            "page": page.number,
            "pages": page.paginator.num_pages,
            "month": month,
            "chain": ingest_log.chain_entry(ingest_log.last_chain_check()),
            "entries": [ingest_log.entry(run) for run in page],
        }
    )
