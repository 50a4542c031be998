"""Counts every request Django answers, and its latency, by view name.

Pages the page cache answers never reach Django: they are counted as its hits instead
(`instruments.page_cache`).
"""

from __future__ import annotations

import time

from .instruments import LATENCY, REQUESTS


def view_name(request) -> str:
    match = getattr(request, "resolver_match", None)
    return (match and match.view_name) or "none"  # none: no view matched the URL


class RequestMetricsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        view = view_name(request)
        LATENCY.labels(view).observe(time.perf_counter() - started)
        REQUESTS.labels(view, f"{response.status_code // 100}xx").inc()
        return response
