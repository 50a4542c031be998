"""The counters each web worker keeps; prometheus-client sums them across gunicorn's workers.

With PROMETHEUS_MULTIPROC_DIR set (deploy/gunicorn.sh sets it), every worker writes its values
to files there and a scrape of any worker reads them all (the library's multiprocess mode).
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

REQUESTS = Counter(
    "tractatus_http_requests", "HTTP requests answered, by view and status class.",
    ["view", "status"],
)
LATENCY = Histogram(
    "tractatus_http_request_duration_seconds", "Time to answer a request, by view.", ["view"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
PAGE_CACHE = Counter(
    "tractatus_page_cache_lookups", "Anonymous page requests answered from the page cache (hit)"
    " or rendered (miss).", ["result"],
)


def page_cache(result: str) -> None:
    """Count one page-cache lookup: "hit" or "miss"."""
    PAGE_CACHE.labels(result).inc()
