"""The live evidence pages: every check with its changes, each check's raw headers, the JSON."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from metrics.api import live_data
from tractatus_site.methods import safe_only
from tractatus_site.openapi import Error, described, form_parameters
from tractatus_site.pagecache import cache_public_page

from . import live, schemas
from .models import Check


class ChecksPage(forms.Form):
    """/evidence/'s one parameter, ?page=N: each page of checks is its own cached page."""

    page = forms.IntegerField(min_value=1, max_value=10**6, required=False)


@require_safe
@cache_public_page(query=ChecksPage)
def index(request: HttpRequest) -> HttpResponse:
    """/evidence/: the latest of each target, the history of header changes, every check."""
    context = {
        "live_evidence": live.latest_evidence(),
        "changes": live.recent_changes(),
        "page_obj": live.checks_page(request.GET.get("page")),
    }
    return render(request, "evidence/index.html", context)


@require_safe
def check(request: HttpRequest, pk: int) -> HttpResponse:
    """One check: every header graded, its changes, and its raw header block."""
    found = get_object_or_404(Check.objects.prefetch_related("changes"), pk=pk)
    found.shown_weakenings = found.weakenings()
    return render(request, "evidence/check.html", {"check": found})


@require_safe
def raw_headers(request: HttpRequest, pk: int) -> HttpResponse:
    """The header block exactly as hashed: `curl … | sha256sum` gives the check's SHA-256."""
    found = get_object_or_404(Check.objects.only("raw_headers"), pk=pk)
    body = found.raw_headers.encode("latin-1", "replace")  # as http.client decoded it
    return HttpResponse(body, content_type="text/plain; charset=iso-8859-1")


@described("/evidence.json", summary="Every check of the partner's live evidence, 50 a page",
           response={200: schemas.ChecksPage, 400: Error},
           openapi_extra={"parameters": form_parameters(ChecksPage)})
@safe_only
@live_data
def checks_json(request: HttpRequest) -> JsonResponse:
    """/api/evidence.json: every check, newest first, 50 a page ({"checks": […], "next"})."""
    query = ChecksPage(request.GET)
    if not query.is_valid():
        return JsonResponse({"error": "page: a whole number from 1"}, status=400)
    page = live.checks_page(query.cleaned_data["page"])
    following = None
    if page.has_next():
        following = f"{reverse('evidence-api')}?page={page.next_page_number()}"
    return JsonResponse({
        "checks": [c.as_json() for c in page],
        "page": page.number,
        "pages": page.paginator.num_pages,
        "next": following,
    })
