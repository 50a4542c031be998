"""Public verification endpoints: the latest figures, any snapshot's exact bytes, the contract.

They answer conditional requests (ETag, Last-Modified, 304) and may be cached by anyone. Like
every public data endpoint they are open to other sites' scripts (`open_to_all`): the data is
public, and no cookie or credential is ever read by them. `/api/` documents them all.
"""

from __future__ import annotations

import functools
import hashlib
import re

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import condition

from tractatus_site.methods import safe_only
from tractatus_site.openapi import Error, described, description
from tractatus_site.pagecache import cache_public_page
from transparency.log import signer

from .feed import SCHEMA_PATH
from .figures import latest_figures
from .models import WINDOWS, Snapshot
from .schemas import LatestSnapshot

SHA256 = re.compile(r"^[0-9a-f]{64}\Z")
# Bumped whenever the shape of latest.json changes, so caches do not keep the old shape.
LATEST_FORMAT = "v1"
SHORT = 60
LIVE_MAX_AGE = 30
ONE_DAY = 60 * 60 * 24
ONE_YEAR = ONE_DAY * 365
SPECIFICATION_PATH = SCHEMA_PATH.with_name("framework-metrics-v1.md")


def not_found(message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=404)


def open_to_all(view):
    """Let any site's scripts read this public data (CORS), as a researcher's notebook would."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        # No credentials are allowed with "*", so a visitor's cookies never travel with it.
        response["Access-Control-Allow-Origin"] = "*"
        response["Cross-Origin-Resource-Policy"] = "cross-origin"
        return response

    return wrapper


def live_data(view):
    """Public data that follows the latest snapshot: open to all, kept briefly by any cache.

    A shared cache (a CDN) keeps it no longer than the page cache here does; browsers and
    pollers revalidate with the ETag after 30 seconds and mostly get a 304.
    """

    @open_to_all
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        patch_cache_control(
            response,
            public=True,
            max_age=LIVE_MAX_AGE,
            s_maxage=settings.PAGE_CACHE_SECONDS,
            stale_while_revalidate=LIVE_MAX_AGE,
        )
        return response

    return wrapper


def cached_publicly(max_age: int, **directives: bool):
    """Cache-Control for anyone's cache; a 404 only briefly, as the snapshot may yet arrive."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            if response.status_code in (200, 304):
                patch_cache_control(response, public=True, max_age=max_age, **directives)
            else:
                patch_cache_control(response, public=True, max_age=SHORT)
            return response

        return wrapper

    return decorator


def latest_etag(request: HttpRequest) -> str | None:
    figures = latest_figures()
    return f"{LATEST_FORMAT}-{figures.sha256}" if figures.exists else None


def latest_modified(request: HttpRequest):
    return latest_figures().ingested_at


@described("/metrics/latest.json", summary="The latest accepted snapshot, normalised",
           response={200: LatestSnapshot, 404: Error})
@safe_only
@live_data
@condition(etag_func=latest_etag, last_modified_func=latest_modified)
def latest(request: HttpRequest) -> JsonResponse:
    """The latest accepted snapshot, normalised; the hashes let anyone fetch and check it."""
    figures = latest_figures()
    if not figures.exists:
        return not_found("no snapshot has been accepted yet")
    return JsonResponse(
        {
            "generated_at": figures.generated_at.isoformat(),
            "ingested_at": figures.ingested_at.isoformat(),
            "source": figures.source,
            "demo": figures.is_demo,
            "sha256": figures.sha256,
            "previous_sha256": figures.previous_sha256,
            "log_index": figures.log_index,
            "deployed_since": figures.deployed_since.isoformat(),
            "services": [
                {
                    "key": service.key,
                    "name": service.name,
                    "windows": {
                        window: {"operations": tally.operations, "blocked": tally.blocked}
                        for window in WINDOWS
                        if (tally := service.windows.get(window))
                    },
                }
                for service in figures.services.values()
            ],
            "tenant_isolation": figures.tenant_isolation,
            "enforcement": {"uptime_percent": figures.uptime_percent, "bypasses": figures.bypasses},
        },
        json_dumps_params={"ensure_ascii": False},
    )


def snapshot_field(sha256: str, name: str):
    if not SHA256.match(sha256):
        return None
    return Snapshot.objects.filter(sha256=sha256).values_list(name, flat=True).first()


def snapshot_etag(request: HttpRequest, sha256: str) -> str | None:
    # The bytes are named by their hash, so the hash is the perfect strong validator.
    return sha256 if snapshot_field(sha256, "sha256") else None


def snapshot_modified(request: HttpRequest, sha256: str):
    return snapshot_field(sha256, "ingested_at")


@described(
    "/metrics/snapshots/{sha256}.json",
    summary="A snapshot's bytes exactly as the feed sent them",
    response={404: Error},
    openapi_extra={"responses": {200: {
        "description": "The bytes whose SHA-256 is the one in the address",
        "content": {"application/json": {"schema": {"type": "object"}}}}}},
)
@safe_only
@open_to_all
@cached_publicly(ONE_YEAR, immutable=True)
@condition(etag_func=snapshot_etag, last_modified_func=snapshot_modified)
def snapshot_raw(request: HttpRequest, sha256: str) -> HttpResponse:
    """The snapshot's bytes exactly as received: their SHA-256 is the one in the URL."""
    raw = snapshot_field(sha256, "raw")
    if raw is None:
        return not_found("no snapshot has that SHA-256")
    return HttpResponse(bytes(raw), content_type="application/json")


@described(
    "/metrics/snapshots/{sha256}.sig",
    summary="The feed's Ed25519 signature of a snapshot's bytes, in base64",
    response={404: Error},
    openapi_extra={"responses": {200: {
        "description": "The signature as the base64 text it was sent in",
        "content": {"text/plain": {"schema": {"type": "string"}}}}}},
)
@safe_only
@open_to_all
@cached_publicly(ONE_YEAR, immutable=True)
@condition(etag_func=snapshot_etag, last_modified_func=snapshot_modified)
def snapshot_signature(request: HttpRequest, sha256: str) -> HttpResponse:
    """The feed's Ed25519 signature of those bytes, as the base64 text it was sent in."""
    signature = snapshot_field(sha256, "signature")
    if not signature:
        return not_found("no signature is stored for that SHA-256")
    return HttpResponse(f"{signature}\n", content_type="text/plain; charset=utf-8")


@functools.cache
def contract_file(path) -> tuple[bytes, str]:
    """A published contract file's bytes and their ETag; they change only with a release."""
    body = path.read_bytes()
    return body, f'"{hashlib.sha256(body).hexdigest()}"'


def contract_etag(request: HttpRequest, path, content_type: str) -> str:
    return contract_file(path)[1]


@open_to_all
@cached_publicly(ONE_DAY)
@condition(etag_func=contract_etag)
def contract(request: HttpRequest, path, content_type: str) -> HttpResponse:
    """The feed contract as the repository holds it: its JSON Schema or its specification."""
    return HttpResponse(contract_file(path)[0], content_type=content_type)


def contract_answer(description: str, content_type: str) -> dict:
    return {200: {"description": description, "content": {content_type: {"schema": {}}}}}


@described("/metrics/contract/v1.schema.json", summary="The feed contract's JSON Schema",
           openapi_extra={"responses": contract_answer(
               "JSON Schema, draft 2020-12", "application/schema+json")})
@safe_only
def contract_schema(request: HttpRequest) -> HttpResponse:
    return contract(request, path=SCHEMA_PATH, content_type="application/schema+json")


@described("/metrics/contract/v1.md", summary="The feed contract's specification",
           openapi_extra={"responses": contract_answer("Markdown", "text/markdown")})
@safe_only
def contract_specification(request: HttpRequest) -> HttpResponse:
    return contract(
        request, path=SPECIFICATION_PATH, content_type="text/markdown; charset=utf-8"
    )


@safe_only
@open_to_all
@cached_publicly(ONE_DAY)
def openapi(request: HttpRequest) -> JsonResponse:
    """/api/openapi.json: this API's OpenAPI 3.1 description, generated from its views."""
    return JsonResponse(description(), json_dumps_params={"ensure_ascii": False})


@safe_only
@cache_public_page
def reference(request: HttpRequest) -> HttpResponse:
    """/api/: every public endpoint, with a curl line that works against this site."""
    context = {
        "figures": latest_figures(),
        "public_key": settings.METRICS_PUBLIC_KEY,
        "log_key": log_signer.verifier if (log_signer := signer()) else "",
    }
    return render(request, "metrics/api.html", context)
