"""Site-wide views that belong to no single app."""

from __future__ import annotations

from django.db import DatabaseError, connection
from django.http import HttpResponse, HttpResponseServerError
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@never_cache
@require_safe
def healthz(request):
    """200 when the database answers, 503 when it does not; never touches sessions."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


def server_error(request):
    """A 500 page that needs no database and names nothing about the failure.

    Rendered without the request, so no context processor (the chrome reads the database) runs.
    """
    return HttpResponseServerError(render_to_string("500.html"))
