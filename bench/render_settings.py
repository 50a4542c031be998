"""The site's settings with no cache at all, for the benchmarks' render mode.

CACHE_URL=dummycache:// turns the shared cache off, but the database's own cache table (the
"durable" cache, where the dashboard keeps its rendered HTML per snapshot) is not set from the
environment: this turns it off too, so every request builds its whole page.
"""

from tractatus_site.settings import *  # noqa: F403

CACHES = {
    **CACHES,  # noqa: F405 - the site's own, above
    "durable": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
}
