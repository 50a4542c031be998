"""The dashboard's endpoints: live figures for open pages, and CSV copies of the latest snapshot."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from tractatus_site import csvfile
from tractatus_site.methods import safe_only
from tractatus_site.openapi import Error, csv_answer, described

from .api import live_data, not_found
from .dashboard import daily_rows, live_update, window_rows
from .figures import Figures, latest_figures
from .schemas import LiveFigures


@described("/metrics/figures.json", summary="Every figure as the pages show it",
           response={200: LiveFigures})
@safe_only
@live_data
def figures_json(request: HttpRequest) -> JsonResponse:
    """The state line and every live figure, for static/js/live.js to swap into an open page."""
    return JsonResponse(live_update(latest_figures(), timezone.now()))


def csv_download(
    name: str, header: tuple[str, ...], rows: Callable[[Figures], Iterable[tuple]]
) -> HttpResponse:
    """The latest snapshot's `rows` as a CSV attachment named after it; 404 before the first."""
    figures = latest_figures()
    if not figures.exists:
        return not_found("no snapshot has been accepted yet")
    stamp = figures.generated_at.strftime("%Y%m%dT%H%MZ")
    return csvfile.attachment([header, *rows(figures)], f"{name}-{stamp}.csv")


@described("/metrics/daily.csv", summary="The latest snapshot's daily series, as CSV",
           response={404: Error},
           openapi_extra={"responses": {200: csv_answer("service,date,operations,blocked")}})
@safe_only
@live_data
def daily_csv(request: HttpRequest) -> HttpResponse:
    """The latest snapshot's daily series: service key, date, operations, blocked."""
    return csv_download("daily", ("service", "date", "operations", "blocked"), daily_rows)


@described("/metrics/windows.csv", summary="The latest snapshot's windows, as CSV",
           response={404: Error},
           openapi_extra={"responses": {200: csv_answer("service,window,operations,blocked")}})
@safe_only
@live_data
def windows_csv(request: HttpRequest) -> HttpResponse:
    """The latest snapshot's 24 h, 7 day and 30 day windows of each service."""
    return csv_download("windows", ("service", "window", "operations", "blocked"), window_rows)
