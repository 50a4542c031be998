"""Site-wide views that belong to no single app."""

from __future__ import annotations

import uuid

from django.core.cache import cache
from django.core.cache.backends.dummy import DummyCache
from django.db import DatabaseError, connection
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache

from transparency.health import log_health

from .methods import safe_only
from .parameters import InvalidParameter, is_api


def cache_state() -> str:
    """ok, degraded (unreachable, or not keeping what it is given) or off (no cache at all)."""
    if isinstance(cache, DummyCache):
        return "off"
    probe = uuid.uuid4().hex
    key = f"healthz:{probe}"
    cache.set(key, probe, timeout=10)
    kept = cache.get(key) == probe
    cache.delete(key)
    return "ok" if kept else "degraded"


@never_cache
@safe_only
def healthz(request):
    """200 while the database answers (503 when it does not), saying how the cache and log are.

    The cache only makes the site faster: a degraded cache is reported, never a failure. The
    transparency log's state (signing key, forks, the last verify_log, witnesses) is reported
    the same way: staff must see it, and the site still serves.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    lines = ["ok", f"cache: {cache_state()}", *log_health().lines()]
    return HttpResponse("".join(f"{line}\n" for line in lines), content_type="text/plain")


def bad_request(request, exception):
    """The site's 400: the parameter's short reason, as JSON on the API, else a page."""
    reason = exception.reason if isinstance(exception, InvalidParameter) else "bad request"
    if is_api(request):
        return JsonResponse({"error": reason}, status=400)
    return render(request, "400.html", {"reason": reason}, status=400)


def server_error(request):
    """A 500 page that needs no database and names nothing about the failure (JSON on the API).

    Rendered without the request, so no context processor (the chrome reads the database) runs.
    """
    if is_api(request):
        return JsonResponse({"error": "server error"}, status=500)
    return HttpResponseServerError(render_to_string("500.html"))
