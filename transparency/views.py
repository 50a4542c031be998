"""The log as C2SP tlog-tiles serves it, its proofs for people without a tile client, and /log/.

Tiles, entry bundles and proofs never change once they exist, so anyone may cache them for a
year; the checkpoint moves with every append and is cached for at most 10 seconds.
"""

from __future__ import annotations

import base64
import functools
import re
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from metrics.api import ONE_YEAR, SHA256, cached_publicly, open_to_all
from metrics.models import Snapshot
from tractatus_site.openapi import Error, described

from . import health, log
from .merkle import HASH_SIZE, TILE_WIDTH, parse_tile_path
from .models import Checkpoint, LogEntry
from .schemas import ConsistencyProof, InclusionProof, LogIndex

CHECKPOINT_MAX_AGE = 10
MAX_LEVEL = 63
DECIMAL = re.compile(r"^(0|[1-9][0-9]{0,18})\Z")
WIDTH = re.compile(r"^[1-9][0-9]{0,2}\Z")
VERIFY_SCRIPT = Path(__file__).with_name("verify.py")
OCTETS = "application/octet-stream"


def text(body: str, status: int = 200) -> HttpResponse:
    return HttpResponse(body, status=status, content_type="text/plain; charset=utf-8")


def served_checkpoint() -> tuple[log.Served | None, str]:
    """The checkpoint to serve and its text with cosignatures, or None and why there is none."""
    if log.signer() is None:
        return None, "no checkpoint: the site has no LOG_SIGNING_KEY set"
    try:
        served = log.latest_checkpoint()
    except log.LogForked as exc:
        return None, f"no checkpoint: {exc}"
    return served, served.text


@require_safe
@open_to_all
def checkpoint(request: HttpRequest) -> HttpResponse:
    """/log/checkpoint: the signed tree head (c2sp.org/tlog-checkpoint) and its cosignatures."""
    found, body = served_checkpoint()
    response = text(body if found else body + "\n", status=200 if found else 503)
    patch_cache_control(response, public=True, max_age=CHECKPOINT_MAX_AGE)
    return response


def parse_tile(rest: str) -> tuple[int, int] | None:
    """(index, width) from "<N>" or "<N>.p/<W>" (1 <= W < 256), or None."""
    path, partial, width = rest.partition(".p/")
    index = parse_tile_path(path)
    if index is None:
        return None
    if not partial:
        return index, TILE_WIDTH
    if not WIDTH.match(width) or int(width) >= TILE_WIDTH:
        return None
    return index, int(width)


def immutable(body: bytes) -> HttpResponse:
    response = HttpResponse(body, content_type=OCTETS)
    patch_cache_control(response, public=True, max_age=ONE_YEAR, immutable=True)
    return response


def missing(what: str) -> HttpResponse:
    response = text(f"{what}\n", status=404)
    patch_cache_control(response, public=True, max_age=CHECKPOINT_MAX_AGE)
    return response


@require_safe
@open_to_all
def tile(request: HttpRequest, level: str, rest: str) -> HttpResponse:
    """/log/tile/<L>/<N>[.p/<W>]: W hashes of level L (256 for a full tile)."""
    parsed = parse_tile(rest)
    if parsed is None or int(level) > MAX_LEVEL:
        return missing("not a tile path (c2sp.org/tlog-tiles)")
    index, width = parsed
    hashes = log.read_tile(int(level), index)
    if len(hashes) < width * HASH_SIZE:
        return missing("no such tile yet")
    return immutable(hashes[: width * HASH_SIZE])


@require_safe
@open_to_all
def entries(request: HttpRequest, rest: str) -> HttpResponse:
    """/log/tile/entries/<N>[.p/<W>]: W entries, each a big-endian uint16 length and its bytes."""
    parsed = parse_tile(rest)
    if parsed is None:
        return missing("not an entry bundle path (c2sp.org/tlog-tiles)")
    index, width = parsed
    first = index * TILE_WIDTH
    rows = list(
        LogEntry.objects.filter(index__gte=first, index__lt=first + width)
        .order_by("index")
        .values_list("data", flat=True)
    )
    if len(rows) < width:  # entries exist only up to the head: they commit together
        return missing("no such entry bundle yet")
    return immutable(b"".join(len(d).to_bytes(2, "big") + bytes(d) for d in rows))


@require_safe
@open_to_all
def key(request: HttpRequest) -> HttpResponse:
    """/log/key: the verifier key of the log's checkpoints, as Go's sumdb/note reads it."""
    signer = log.signer()
    if signer is None:
        return text("no key: the site has no LOG_SIGNING_KEY set\n", status=503)
    response = text(f"{signer.verifier}\n")
    patch_cache_control(response, public=True, max_age=300)
    return response


@functools.cache
def verify_script() -> bytes:
    return VERIFY_SCRIPT.read_bytes()


@require_safe
@open_to_all
def verify_py(request: HttpRequest) -> HttpResponse:
    """/log/verify.py: the standalone verifier, byte for byte as transparency/verify.py holds it."""
    response = HttpResponse(verify_script(), content_type="text/x-python; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="verify.py"'
    patch_cache_control(response, public=True, max_age=300)
    return response


def bad_request(message: str) -> JsonResponse:
    response = JsonResponse({"error": message}, status=400)
    patch_cache_control(response, public=True, max_age=60)
    return response


def whole_numbers(*names: str) -> list[dict]:
    """The API description of the query parameters `integers` reads."""
    return [{"in": "query", "name": name, "required": True,
             "schema": {"type": "integer", "minimum": 0}} for name in names]


def integers(request: HttpRequest, *names: str) -> list[int] | str:
    """The named query parameters as non-negative integers, or what is wrong with them."""
    values = []
    for name in names:
        raw = request.GET.get(name, "")
        if not DECIMAL.match(raw):
            return f"{name}: a non-negative whole number is required"
        values.append(int(raw))
    return values


def proof_json(body: dict, proof: list[bytes]) -> JsonResponse:
    return JsonResponse({**body, "proof": [base64.b64encode(h).decode() for h in proof]})


@described("/log/proof/inclusion", summary="RFC 9162 inclusion proof of one entry",
           response={200: InclusionProof, 400: Error},
           openapi_extra={"parameters": whole_numbers("index", "size")})
@require_safe
@open_to_all
@cached_publicly(ONE_YEAR, immutable=True)
def inclusion_proof(request: HttpRequest) -> JsonResponse:
    """/api/log/proof/inclusion?index=I&size=N: RFC 9162 §2.1.3 inclusion proof."""
    values = integers(request, "index", "size")
    if isinstance(values, str):
        return bad_request(values)
    index, size = values
    log_size = log.log_size()
    if not index < size <= log_size:
        return bad_request(f"need index < size <= {log_size}, the log's size")
    tree = log.tree_for(size, lambda t: (t.leaf(index), t.inclusion_proof(index, size)))
    return proof_json(
        {"index": index, "size": size, "leaf_hash": base64.b64encode(tree.leaf(index)).decode()},
        tree.inclusion_proof(index, size),
    )


@described("/log/proof/consistency", summary="RFC 9162 consistency proof of two sizes",
           response={200: ConsistencyProof, 400: Error},
           openapi_extra={"parameters": whole_numbers("from", "to")})
@require_safe
@open_to_all
@cached_publicly(ONE_YEAR, immutable=True)
def consistency_proof(request: HttpRequest) -> JsonResponse:
    """/api/log/proof/consistency?from=M&to=N: RFC 9162 §2.1.4 consistency proof."""
    values = integers(request, "from", "to")
    if isinstance(values, str):
        return bad_request(values)
    old, new = values
    log_size = log.log_size()
    if not old <= new <= log_size:
        return bad_request(f"need from <= to <= {log_size}, the log's size")
    tree = log.tree_for(new, lambda t: t.consistency_proof(old, new))
    return proof_json({"from": old, "to": new}, tree.consistency_proof(old, new))


@described("/log/lookup", summary="The log index of a published decision or snapshot",
           response={200: LogIndex, 400: Error, 404: Error},
           openapi_extra={"parameters": [
               {"in": "query", "name": "event", "required": False, "schema": {"type": "string"}},
               {"in": "query", "name": "snapshot", "required": False,
                "schema": {"type": "string"}},
           ]})
@require_safe
@open_to_all
def lookup(request: HttpRequest) -> JsonResponse:
    """/api/log/lookup?event=ID or ?snapshot=SHA256: the log index of what the site published."""
    event, sha256 = request.GET.get("event", ""), request.GET.get("snapshot", "")
    if bool(event) == bool(sha256):
        return bad_request("give exactly one of event=<id> or snapshot=<sha256>")
    if sha256 and not SHA256.match(sha256):
        return bad_request("snapshot: a SHA-256 is 64 lowercase hex digits")
    found = LogEntry.objects.filter(
        **({"audit_event__event_id": event[:64]} if event else {"snapshot__sha256": sha256})
    ).values_list("index", flat=True).first()
    if found is None:
        response = JsonResponse({"error": "nothing logged has that id or SHA-256"}, status=404)
    else:
        kind = "audit_event" if event else "snapshot"
        response = JsonResponse({"log_index": found, "kind": kind})
    patch_cache_control(response, public=True, max_age=60)
    return response


@require_safe
def log_page(request: HttpRequest) -> HttpResponse:
    """/log/: what is logged, what that proves and what it can't, and three ways to check it."""
    served, body = served_checkpoint()
    signer = log.signer()
    latest = Snapshot.objects.defer("raw").order_by("-generated_at").first()
    context = {
        "checkpoint": served,
        "checkpoint_text": body,
        "size": log.log_size(),
        "verifier_key": str(signer.verifier) if signer else "",
        "recent": Checkpoint.objects.filter(origin=signer.name)[:10] if signer else [],
        "base": f"{request.scheme}://{request.get_host()}",
        "latest": latest,
        "example_event": LogEntry.objects.filter(audit_event__isnull=False)
        .select_related("audit_event").only("index", "audit_event__event_id")
        .order_by("-index").first(),
        "health": health.log_health(),
        "site_url": settings.SITE_URL,
    }
    return render(request, "transparency/log.html", context)
