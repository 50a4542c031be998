"""The dashboard's endpoints: live figures for open pages, and CSV copies of the latest snapshot."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from .api import open_to_all
from .dashboard import daily_rows, live_update, window_rows
from .figures import Figures, latest_figures

# Open pages poll every few minutes; a short shared cache spares the server nothing important.
FIGURES_MAX_AGE = 30


@require_safe
@open_to_all
def figures_json(request: HttpRequest) -> JsonResponse:
    """The state line and every live figure, for static/js/live.js to swap into an open page."""
    response = JsonResponse(live_update(latest_figures(), timezone.now()))
    patch_cache_control(response, public=True, max_age=FIGURES_MAX_AGE)
    return response


def csv_download(
    name: str, header: tuple[str, ...], rows: Callable[[Figures], Iterable[tuple]]
) -> HttpResponse:
    """The latest snapshot's `rows` as a CSV attachment named after it; 404 before the first."""
    figures = latest_figures()
    if not figures.exists:
        return HttpResponse(
            "No snapshot has been accepted yet.\n", status=404, content_type="text/plain"
        )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = figures.generated_at.strftime("%Y%m%dT%H%MZ")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.csv"'
    writer = csv.writer(response)
    writer.writerow(header)
    writer.writerows(rows(figures))
    return response


@require_safe
@open_to_all
def daily_csv(request: HttpRequest) -> HttpResponse:
    """The latest snapshot's daily series: service key, date, operations, blocked."""
    return csv_download("daily", ("service", "date", "operations", "blocked"), daily_rows)


@require_safe
@open_to_all
def windows_csv(request: HttpRequest) -> HttpResponse:
    """The latest snapshot's 24 h, 7 day and 30 day windows of each service."""
    return csv_download("windows", ("service", "window", "operations", "blocked"), window_rows)
