"""Public verification endpoints (filled in by the ingestion work)."""

from django.http import Http404


def latest(request):
    raise Http404


def snapshot_raw(request, sha256):
    raise Http404
