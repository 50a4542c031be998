"""Response middleware of our own: security headers, and gzip for text only."""

from __future__ import annotations

import hashlib

from django.middleware.gzip import GZipMiddleware
from django.middleware.http import ConditionalGetMiddleware as DjangoConditionalGetMiddleware
from django.utils.cache import patch_vary_headers, quote_etag

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "media-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
        "interest-cohort",
    )
)


class SecurityHeadersMiddleware:
    """Add CSP, CORP, Permissions-Policy and framing rules to every response.

    It sits outside WhiteNoise, so static files get them too; views keep what they set.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response


class ConditionalGetMiddleware(DjangoConditionalGetMiddleware):
    """Django's ETags and 304s, with every ETag weak and taken over the uncompressed body.

    Gzip's output differs from one compression to the next (Django pads it against BREACH), so
    an ETag over compressed bytes never matches twice. Taken inside the gzip middleware, over
    the body the view made, and weak (RFC 9110, 8.8.1: the plain and the gzip-encoded copies
    are equivalent, not byte-identical), one ETag serves both, and a 304 repeats it exactly.
    """

    def process_response(self, request, response):
        if (
            not response.streaming
            and self.needs_etag(response)
            and not response.has_header("ETag")
        ):
            # Over any body, an empty one included (Django's own skips it: an empty
            # bibliography is an answer too).
            response["ETag"] = quote_etag(hashlib.sha256(response.content).hexdigest())
        etag = response.get("ETag")
        if etag and not etag.startswith("W/"):
            response["ETag"] = f"W/{etag}"
        answer = super().process_response(request, response)
        if answer.status_code == 304 and TextGZipMiddleware.compresses(response):
            # A 304 varies as the page it stands for would have (gzip passes it by, empty).
            patch_vary_headers(answer, ("Accept-Encoding",))
        return answer


class TextGZipMiddleware(GZipMiddleware):
    """Django's gzip, for text only: media must keep its bytes so ranges (seeking) work."""

    COMPRESSIBLE = (
        "text/",
        "application/json",
        "application/schema+json",
        "application/xml",
        "application/atom+xml",
    )

    @classmethod
    def compresses(cls, response) -> bool:
        """Whether this middleware compresses `response` for a client that takes gzip."""
        compressible = response.get("Content-Type", "").startswith(cls.COMPRESSIBLE)
        # Django's gzip leaves bodies under 200 bytes as they are.
        return compressible and (response.streaming or len(response.content) >= 200)

    def process_response(self, request, response):
        if not response.get("Content-Type", "").startswith(self.COMPRESSIBLE):
            return response
        return super().process_response(request, response)
