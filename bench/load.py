"""`make bench`: the site under gunicorn (2 workers, production settings) and wrk on loopback.

Measures /, /enforcement/ and /metrics/ beside a static CSS file on the same stack, on SQLite
and (when BENCH_POSTGRES_URL is set) PostgreSQL, in these cache modes:
- file-page, redis-page: the whole-page cache on (as deployed), on the file cache or on Redis;
  with a conditional request (If-None-Match) for `/` and for the CSS, answered 304;
- file-data, redis-data: the page cache off, so every page is rendered, from cached data;
- redis-down: Redis configured but stopped, as in an outage, the page cache on;
- none: no shared cache at all (a dummy cache), the page cache on: what pages the database's
  own cache table keeps is all there is;
- render: no cache of any kind, every page rendered from the database (for reference).
Prints requests/s, p50/p99 latency and non-2xx counts, then checks the goals (docs/benchmarks.md):
cached pages within 1.25x of the static file on Redis, a 304 no dearer than the static file,
and every page at least 300 requests/s with the cache down. Exits 1 when one is missed.
Needs `wrk` and `redis-server` (apt-get install wrk redis-server).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["/", "/enforcement/", "/metrics/"]
DURATION = os.environ.get("BENCH_SECONDS", "20")
CONNECTIONS = os.environ.get("BENCH_CONNECTIONS", "16")
PORT = int(os.environ.get("BENCH_PORT", "9301"))
REDIS_PORT = int(os.environ.get("BENCH_REDIS_PORT", "9302"))
REDIS_URL = f"redis://127.0.0.1:{REDIS_PORT}/0"
CACHED_WITHIN = 1.25
DOWN_AT_LEAST = 300

MODES = {  # name: (cache, whole-page cache on)
    "file-page": ("file", True),
    "redis-page": ("redis", True),
    "file-data": ("file", False),
    "redis-data": ("redis", False),
    "redis-down": ("redis", True),
    "none": ("dummy", True),
    "render": ("dummy", False),
}


def environment(workdir: Path, database_url: str, mode: str = "file-page") -> dict:
    cache, page_cache = MODES[mode]
    cache_url = {
        "file": f"filecache://{workdir / 'cache'}",
        "redis": REDIS_URL,
        "dummy": "dummycache://",
    }[cache]
    return {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "bench-" + "x" * 60,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url,
        "CACHE_URL": cache_url,
        "PAGE_CACHE_SECONDS": "60" if page_cache else "0",
        "LOG_LEVEL": "CRITICAL",
    }


def manage(env: dict, *args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def static_css_path() -> str:
    manifest = json.loads((ROOT / "var" / "staticfiles" / "staticfiles.json").read_text())
    return "/static/" + manifest["paths"]["css/site.css"]


def wrk(url: str, *headers: str) -> dict:
    """One wrk run: requests/s, p50 and p99 in ms, non-2xx-or-3xx count."""
    options = [arg for header in headers for arg in ("-H", header)]
    output = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{DURATION}s", "--latency", *options, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    def millis(label: str) -> float:
        value, unit = re.search(rf"{label}\s+([\d.]+)(us|ms|s)", output).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1]),
        "p50": millis("50%"),
        "p99": millis("99%"),
        "non_2xx": int(non_2xx[1]) if non_2xx else 0,
    }


def answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=1).ok
    except requests.ConnectionError:
        return False


def start(command: list[str], env: dict, ready: str) -> subprocess.Popen:
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    for _ in range(100):
        if answers(ready):
            return process
        time.sleep(0.2)
    process.terminate()
    raise SystemExit(f"{command[0]} did not start")


def serve(env: dict) -> subprocess.Popen:
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent))
    command = [gunicorn, "tractatus_site.wsgi:application", "--bind", f"127.0.0.1:{PORT}",
               "--workers", "2"]
    return start(command, env, f"http://127.0.0.1:{PORT}/healthz")


def redis_running(workdir: Path) -> subprocess.Popen:
    process = subprocess.Popen(
        ["redis-server", "--port", str(REDIS_PORT), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(workdir)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(50):
        if subprocess.run(["redis-cli", "-p", str(REDIS_PORT), "ping"], capture_output=True,
                          check=False).stdout.strip() == b"PONG":
            return process
        time.sleep(0.1)
    raise SystemExit("redis-server did not start")


def record(rows: list[dict], database: str, mode: str, label: str, result: dict) -> None:
    rows.append({"database": database, "cache": mode, "path": label, **result})
    print(
        f"{database:10} {mode:10} {label:18} {result['rps']:8.0f} req/s"
        f"  p50 {result['p50']:6.1f} ms  p99 {result['p99']:6.1f} ms"
        f"  non-2xx {result['non_2xx']}",
        flush=True,
    )


def bench(database: str, database_url: str, workdir: Path) -> list[dict]:
    setup = environment(workdir, database_url)
    manage(setup, "migrate", "--noinput")
    manage(setup, "collectstatic", "--noinput")
    manage(setup, "ingest_metrics", "--demo", "--if-empty")
    css = static_css_path()
    rows: list[dict] = []
    for mode in MODES:
        redis = redis_running(workdir) if MODES[mode][0] == "redis" else None
        server = serve(environment(workdir, database_url, mode))
        if mode == "redis-down":
            redis.terminate()
            redis.wait(timeout=10)
        try:
            for path in [*PAGES, css]:
                url = f"http://127.0.0.1:{PORT}{path}"
                # Warm (templates compiled, caches filled), as wrk asks: without compression.
                first = requests.get(url, headers={"Accept-Encoding": "identity"}, timeout=5)
                label = "static css" if path == css else path
                record(rows, database, mode, label, wrk(url))
                if mode.endswith("-page") and path in ("/", css):
                    revalidate = wrk(url, f"If-None-Match: {first.headers['ETag']}")
                    record(rows, database, mode, f"{label} 304", revalidate)
        finally:
            server.terminate()
            server.wait(timeout=10)
            if redis is not None and redis.poll() is None:
                redis.terminate()
                redis.wait(timeout=10)
    return rows


def misses(rows: list[dict]) -> list[str]:
    """The goals each database's figures miss (empty when all are met)."""
    missed = []
    for database in {row["database"] for row in rows}:
        rate = {(r["cache"], r["path"]): r["rps"] for r in rows if r["database"] == database}
        static = rate[("redis-page", "static css")]
        for path in PAGES:
            if rate[("redis-page", path)] * CACHED_WITHIN < static:
                missed.append(f"{database}: cached {path} over {CACHED_WITHIN}x the static file")
            for mode in ("redis-down", "none"):
                if rate[(mode, path)] < DOWN_AT_LEAST:
                    missed.append(f"{database}: {path} under {DOWN_AT_LEAST} req/s ({mode})")
        if rate[("redis-page", "/ 304")] < static:
            missed.append(f"{database}: a 304 for / dearer than the static file")
    return missed


def main() -> None:
    for tool in ("wrk", "redis-server"):
        if not shutil.which(tool):
            raise SystemExit(f"{tool} is not installed: apt-get install {tool}")
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        results += bench("sqlite", f"sqlite:///{workdir / 'bench.sqlite3'}", workdir)
        if postgres := os.environ.get("BENCH_POSTGRES_URL"):
            results += bench("postgresql", postgres, workdir)
    failures = [row for row in results if row["non_2xx"]]
    if failures:
        raise SystemExit(f"non-2xx responses: {failures}")
    if missed := misses(results):
        raise SystemExit("goals missed:\n" + "\n".join(missed))


if __name__ == "__main__":
    main()
