"""Benchmark scripts (`make bench`): tools that measure the site, not part of it.

Run each as a module from the repository's root, e.g. `python -m bench.load`; their figures
and goals are in docs/benchmarks.md.
"""

from __future__ import annotations

import os


def start_django(database_url: str, cache_url: str, **environment: str) -> None:
    """Django set up for a benchmark script, on its own database (migrated) and cache."""
    os.environ.update(
        DATABASE_URL=database_url,
        CACHE_URL=cache_url,
        DJANGO_SETTINGS_MODULE="tractatus_site.settings",
        **environment,
    )
    os.environ.setdefault("SECRET_KEY", "bench-only")

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
