"""The two public endpoints of the measures: the beacon and the counted outbound redirect."""

from __future__ import annotations

import logging

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django_ratelimit.decorators import ratelimit

from tractatus_site.methods import allow, safe_only
from tractatus_site.openapi import Error, described

from . import visitors
from .beacon import BeaconRefused, parse_report, read_body, site_paths
from .counters import record_click, record_report
from .models import OutboundLink
from .schemas import BeaconReport

logger = logging.getLogger(__name__)
# Per client address (behind a trusted proxy, the one it saw): beacon.js sends about two
# reports a page, so this is a page every second for a minute, more than a busy office shares.
BEACON_RATE = "120/m"


def opted_out(request: HttpRequest) -> bool:
    """The browser asks not to be measured (Global Privacy Control or Do Not Track)."""
    return request.headers.get("Sec-GPC") == "1" or request.headers.get("DNT") == "1"


# No CSRF token: the beacon sets no cookie and reads none, and a cross-site page cannot send
# application/json without a CORS preflight, which this site never grants.
@described(
    "/beacon",
    method="POST",
    summary="Count one page view or visible time (static/js/beacon.js)",
    response={204: None, 400: Error, 413: Error, 415: Error, 429: Error},
    openapi_extra={"requestBody": {"required": True, "content": {
        "application/json": {"schema": BeaconReport.model_json_schema()}}}},
)
@csrf_exempt
@never_cache
@allow("POST")
@ratelimit(key="ip", rate=BEACON_RATE, block=False)
def beacon(request: HttpRequest) -> HttpResponse:
    """Count one report of static/js/beacon.js: 204, or a short JSON error and nothing stored.

    A report past the visitor's allowance answers 204 too, uncounted (measures/visitors.py).
    """
    if opted_out(request):
        return HttpResponse(status=204)
    if request.limited:
        return JsonResponse({"error": "too many reports from this address, try later"}, status=429)
    if request.content_type != "application/json":
        return JsonResponse({"error": "expected application/json"}, status=415)
    try:
        report = visitors.admitted(request, parse_report(read_body(request), site_paths()))
        if report is not None:
            record_report(report)
    except BeaconRefused as refused:
        return JsonResponse({"error": refused.reason}, status=refused.status)
    except DatabaseError:
        # A locked or absent database loses this one report; the page never notices.
        logger.warning("beacon report not counted", exc_info=True)
        return JsonResponse({"error": "not counted, try later"}, status=503)
    return HttpResponse(status=204)


@never_cache
@safe_only
def out(request: HttpRequest, slug: str) -> HttpResponse:
    """302 to an editor-defined destination, counting the click; never one taken from the URL."""
    link = get_object_or_404(OutboundLink, slug=slug, published=True)
    # HEAD is what link checkers and previews send: only a GET is someone following the link.
    if request.method == "GET" and not opted_out(request) and visitors.may_count(request, slug):
        record_click(link)
    return HttpResponseRedirect(link.destination)
