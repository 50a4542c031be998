"""`make bench`: the site under gunicorn (2 workers, production settings) and wrk on loopback.

Measures /, /enforcement/ and /metrics/ three ways: with no cache at all, with the data caches
but no page cache (every page rendered per request), and with the page cache; beside a static
CSS file on the same stack, on SQLite and (when BENCH_POSTGRES_URL is set) PostgreSQL.
Prints requests/s, p50/p99 latency and non-2xx counts. Needs `wrk` (apt-get install wrk).
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


MODES = {  # name: (shared cache on, whole-page cache on)
    "none": (False, False),
    "data": (True, False),
    "page": (True, True),
}


def environment(workdir: Path, database_url: str, mode: str = "page") -> dict:
    data_cache, page_cache = MODES[mode]
    return {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "bench-" + "x" * 60,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url,
        "CACHE_URL": f"filecache://{workdir / 'cache'}" if data_cache else "dummycache://",
        "PAGE_CACHE_SECONDS": "60" if page_cache else "0",
        "LOG_LEVEL": "ERROR",
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


def wrk(url: str) -> dict:
    """One wrk run: requests/s, p50 and p99 in ms, non-2xx count."""
    output = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{DURATION}s", "--latency", url],
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


def serve(env: dict) -> subprocess.Popen:
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent))
    process = subprocess.Popen(
        [
            gunicorn,
            "tractatus_site.wsgi:application",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            "2",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            if requests.get(f"http://127.0.0.1:{PORT}/healthz", timeout=1).ok:
                return process
        except requests.ConnectionError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit("gunicorn did not start")


def bench(database: str, database_url: str, workdir: Path) -> list[dict]:
    setup = environment(workdir, database_url)
    manage(setup, "migrate", "--noinput")
    manage(setup, "collectstatic", "--noinput")
    manage(setup, "ingest_metrics", "--demo", "--if-empty")
    rows = []
    for mode in MODES:
        server = serve(environment(workdir, database_url, mode))
        try:
            for path in [*PAGES, static_css_path()]:
                url = f"http://127.0.0.1:{PORT}{path}"
                requests.get(url, timeout=5)  # warm: compile templates, fill caches
                label = "static css" if path.startswith("/static/") else path
                result = wrk(url)
                rows.append(
                    {
                        "database": database,
                        "cache": mode,
                        "path": label,
                        **result,
                    }
                )
                print(
                    f"{database:10} {rows[-1]['cache']:10} {label:14} {result['rps']:8.0f} req/s"
                    f"  p50 {result['p50']:6.1f} ms  p99 {result['p99']:6.1f} ms"
                    f"  non-2xx {result['non_2xx']}",
                    flush=True,
                )
        finally:
            server.terminate()
            server.wait(timeout=10)
    return rows


def main() -> None:
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install wrk")
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        results += bench("sqlite", f"sqlite:///{workdir / 'bench.sqlite3'}", workdir)
        if postgres := os.environ.get("BENCH_POSTGRES_URL"):
            results += bench("postgresql", postgres, workdir)
    failures = [row for row in results if row["non_2xx"]]
    if failures:
        raise SystemExit(f"non-2xx responses: {failures}")


if __name__ == "__main__":
    main()
