"""Where a render's time goes: `python -m bench.profile [path ...]` (default /, /metrics/, /audit/).

Each page rendered BENCH_RENDERS (200) times through the WSGI application with no cache at all
(a dummy cache, the database's cache table off too, the page cache off), DEBUG off, SQLite, the
demo feed ingested, under cProfile (the standard library's profiler: no dependency for a tool).
Prints the milliseconds of CPU per render (unprofiled), then the functions taking most time
themselves, and ours with what they call.
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

from bench import start_django

RENDERS = int(os.environ.get("BENCH_RENDERS", "200"))
PAGES = ["/", "/metrics/", "/audit/"]
# Our own code's functions, for the list by cumulative time (libraries' are in the other).
OURS = r"^(?!.*(site-packages|lib/python3))"


def render(application, path: str) -> None:
    from django.test import RequestFactory

    environ = RequestFactory().get(path, headers={"accept-encoding": "gzip"}).environ
    status = []
    body = b"".join(application(environ, lambda *args: status.append(args[0])))
    assert status == ["200 OK"] and body, (path, status)


def main(paths: list[str]) -> int:
    with tempfile.TemporaryDirectory(prefix="profile-") as workdir:
        start_django(
            f"sqlite:///{Path(workdir) / 'bench.sqlite3'}", "dummycache://",
            DEBUG="0", PAGE_CACHE_SECONDS="0", ALLOWED_HOSTS="testserver", LOG_LEVEL="CRITICAL",
        )
        from django.conf import settings
        from django.core.cache import caches
        from django.core.management import call_command

        settings.CACHES["durable"] = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
        del caches["durable"]  # migrate opened the database's cache table: open it again, off
        call_command("ingest_metrics", "--demo", verbosity=0)
        from tractatus_site.wsgi import application

        for path in paths:
            render(application, path)  # templates compiled, connections open
            started = time.process_time()
            for _ in range(RENDERS):
                render(application, path)
            cpu = (time.process_time() - started) / RENDERS * 1000
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(RENDERS):
                render(application, path)
            profiler.disable()
            print(f"\n== {path}: {cpu:.2f} ms of CPU a render")
            for order, only in (("tottime", ""), ("cumulative", OURS)):
                out = io.StringIO()
                pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(only, 25)
                print("\n".join(out.getvalue().splitlines()[6:]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or PAGES))
