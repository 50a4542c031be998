"""Which HTTP methods a public URL takes: 405 with Allow for the others, and OPTIONS answered.

A view says what it takes with `allow(...)`; `MethodsMiddleware` answers a wrong method with
405 before the CSRF check can turn it into a 403, and turns any view's 405 for OPTIONS into
the list of methods the URL takes (RFC 9110, 9.3.7). On the API the 405 is JSON.
"""

from __future__ import annotations

import re

from django.http import HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.views.decorators.http import require_http_methods

from .parameters import is_api


def allow(*methods: str):
    """Only `methods` reach the view; the rest are answered 405 with Allow."""

    def decorator(view):
        wrapped = require_http_methods(list(methods))(view)
        wrapped.allowed_methods = frozenset(methods)
        return wrapped

    return decorator


safe_only = allow("GET", "HEAD")


class MethodsMiddleware:
    """405 before the CSRF check; OPTIONS answered with Allow; JSON 405s on the API."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 405 or not response.has_header("Allow"):
            return response
        methods = {m for m in re.split(r"\s*,\s*", response["Allow"]) if m} | {"OPTIONS"}
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
        elif is_api(request):
            response = JsonResponse({"error": "method not allowed"}, status=405)
        else:
            response = HttpResponseNotAllowed([], content=b"Method not allowed\n",
                                              content_type="text/plain; charset=utf-8")
        response["Allow"] = ", ".join(sorted(methods))
        return response

    def process_view(self, request, view, args, kwargs):
        allowed = getattr(view, "allowed_methods", None)
        if allowed is not None and request.method not in allowed:
            return HttpResponseNotAllowed(sorted(allowed))
        return None
