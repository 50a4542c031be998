"""The site's absolute addresses, built from SITE_URL only, never from the request.

A Host or X-Forwarded-Proto header is the client's word: a link built from it would let anyone
put their own host or scheme into a page that caches then serve to everybody else.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings


def site_url() -> str:
    """SITE_URL without its trailing slash, e.g. https://tractatus.example."""
    return settings.SITE_URL.rstrip("/")


def absolute(path: str) -> str:
    """The absolute address of one of the site's own paths."""
    return f"{site_url()}{path}"


def site_address(request) -> dict:
    """Context processor: `site_url`, for canonical links, Open Graph and curl lines."""
    return {"site_url": site_url()}


class SiteSitemap:
    """A sitemap mixin: addresses on SITE_URL's scheme and host, whatever the request said."""

    @property
    def protocol(self) -> str:
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None) -> str:
        return urlsplit(settings.SITE_URL).netloc
