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


def bench_database(server: str, name: str, *, fresh: bool) -> str:
    """The URL of database `name` on the PostgreSQL `server` names, created when missing (anew
    with `fresh`): benchmarks keep their large tables between runs."""
    import psycopg

    with psycopg.connect(server, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if exists and fresh:
            connection.execute(f"DROP DATABASE {name}")
        if fresh or not exists:
            connection.execute(f"CREATE DATABASE {name}")
    return server.rsplit("/", 1)[0] + "/" + name
