"""Memory benchmark, `python -m bench.memory`: a worker's RSS after many distinct URLs.

gunicorn with 2 workers (no --max-requests: no worker is recycled), the page cache on Redis
so that each worker also keeps pages in its own memory, the demo feed ingested. wrk sends
BENCH_REQUESTS (100,000) requests cycling through 10,000 distinct URLs: 1,000 audit pages
filtered from a different day each (1,000 pages to render and keep, about 30 MB: more than a
worker keeps) and 9,000 spellings of `/`, `/about/` and `/metrics/` with a parameter no page
knows (three pages, and 9,000 more query strings than a worker remembers the normal form of).
Prints each worker's RSS before and after; target: every worker within 150 MB. Exits 1 when
it is missed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import textwrap
from datetime import date, timedelta
from pathlib import Path

from bench.load import PORT, environment, manage, redis_running, serve, stop

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "100000"))
URLS = 10_000
PAGES = ["/", "/about/", "/metrics/"]
TARGET_MB = 150
THREADS = 2

# Each wrk thread walks the URLs from its own offset and stops after its share of requests.
SCRIPT = textwrap.dedent("""
    local paths = {}
    for line in io.lines(os.getenv("BENCH_PATHS")) do paths[#paths + 1] = line end
    local limit = tonumber(os.getenv("BENCH_PER_THREAD"))
    local started = 0
    function setup(thread)
      thread:set("offset", started * 4999)
      started = started + 1
    end
    local sent, answered = 0, 0
    function request()
      sent = sent + 1
      return wrk.format("GET", paths[(offset + sent) % #paths + 1])
    end
    function response(status, headers, body)
      answered = answered + 1
      if answered >= limit then wrk.thread:stop() end
    end
""")


def paths() -> list[str]:
    first = date(2000, 1, 1)
    audit = [f"/audit/?since={first + timedelta(days=n)}" for n in range(URLS // 10)]
    pages = [f"{page}?ref={n}" for n in range(URLS // 10 * 3) for page in PAGES]
    return [path for group in zip(audit, *[iter(pages)] * 9, strict=True) for path in group]


def workers_rss_mb(master: subprocess.Popen) -> list[float]:
    children = subprocess.run(["ps", "-o", "pid=", "--ppid", str(master.pid)],
                              capture_output=True, text=True, check=True).stdout.split()
    sizes = []
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        kilobytes = int(next(line for line in status.splitlines()
                             if line.startswith("VmRSS:")).split()[1])
        sizes.append(kilobytes / 1024)
    return sizes


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="memory-bench-") as tmp:
        workdir = Path(tmp)
        # Pages kept ten minutes: every URL is rendered once, however slow the machine is today.
        setup = environment(workdir, "redis") | {"PAGE_CACHE_SECONDS": "600"}
        manage(setup, "migrate", "--noinput")
        manage(setup, "collectstatic", "--noinput")
        manage(setup, "ingest_metrics", "--demo", "--if-empty")
        (workdir / "paths.txt").write_text("\n".join(paths()) + "\n")
        (workdir / "walk.lua").write_text(SCRIPT)
        redis = redis_running(workdir)
        server = serve(setup)
        try:
            before = workers_rss_mb(server)
            env = {**os.environ, "BENCH_PATHS": str(workdir / "paths.txt"),
                   "BENCH_PER_THREAD": str(REQUESTS // THREADS)}
            output = subprocess.run(
                ["wrk", f"-t{THREADS}", "-c16", "-d900s", "-s", str(workdir / "walk.lua"),
                 f"http://127.0.0.1:{PORT}/"],
                env=env, capture_output=True, text=True, check=True,
            ).stdout
            after = workers_rss_mb(server)
        finally:
            stop(server)
            stop(redis)
    print(output)
    print(f"memory: {REQUESTS:,} requests over {URLS:,} URLs; worker RSS before "
          + ", ".join(f"{mb:.0f}" for mb in before) + " MB, after "
          + ", ".join(f"{mb:.0f}" for mb in after) + f" MB (target: each within {TARGET_MB} MB)")
    return 0 if max(after) <= TARGET_MB else 1


if __name__ == "__main__":
    sys.exit(main())
