"""`make bench`: the site under gunicorn against the ceiling and the static file, in one run.

Every figure is measured in the same run as two references, and printed also as a ratio to
both: a trivial WSGI app serving the same home-page bytes under the same gunicorn (the ceiling
for a page served by Python, `bench/ceiling.py`) and our static CSS (WhiteNoise). The machine
is shared, so only ratios within one round mean much; the run does BENCH_ROUNDS rounds (2).

gunicorn with 2 workers, `wrk -t2 -c16`, BENCH_SECONDS (8) after a BENCH_WARMUP (3) second
warm-up, DEBUG off, SQLite, the demo feed ingested. Modes:
- redis-page, file-page: the page cache on, on Redis or on the default file cache;
- render: no cache at all (a dummy cache, the database's cache table off too, the page cache
  off): every request builds its whole page.
Goals (docs/benchmarks.md), checked on each round; the script exits 1 when one is missed:
- a filtered and a cursored /audit/ within 1.25x of `/`'s cached throughput;
- a cached page at least 0.8x the ceiling on Redis, 0.6x on the file cache;
- /, /metrics/ and /audit/ at least 400 req/s with no cache at all.
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
SECONDS = os.environ.get("BENCH_SECONDS", "8")
WARMUP = os.environ.get("BENCH_WARMUP", "3")
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "2"))
CONNECTIONS = os.environ.get("BENCH_CONNECTIONS", "16")
PORT = int(os.environ.get("BENCH_PORT", "9301"))
REDIS_PORT = int(os.environ.get("BENCH_REDIS_PORT", "9302"))
REDIS_URL = f"redis://127.0.0.1:{REDIS_PORT}/0"
FILTERED = "/audit/?decision=blocked"
CURSOR_OF = (
    "from audit.events import cursor_after; from metrics.models import AuditEvent; "
    "print(cursor_after(AuditEvent.objects.filter(decision='blocked').newest_first()[2]))"
)

GOALS = {"query_within": 1.25, "redis_ceiling": 0.8, "file_ceiling": 0.6, "render_rps": 400}


def environment(workdir: Path, cache: str = "file", page_cache: bool = True) -> dict:
    return {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "bench-" + "x" * 60,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
        "CACHE_URL": {
            "file": f"filecache://{workdir / 'cache'}",
            "redis": REDIS_URL,
            "dummy": "dummycache://",
        }[cache],
        "PAGE_CACHE_SECONDS": "60" if page_cache else "0",
        "LOG_LEVEL": "CRITICAL",
        "BENCH_CEILING_PAGE": str(workdir / "home.json"),
        # No cache at all is also no database cache table (bench/render_settings.py).
        **({"DJANGO_SETTINGS_MODULE": "bench.render_settings"} if cache == "dummy" else {}),
    }


def manage(env: dict, *args: str) -> str:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True,
        capture_output=True, text=True,
    ).stdout.strip()


def static_css_path() -> str:
    manifest = json.loads((ROOT / "var" / "staticfiles" / "staticfiles.json").read_text())
    return "/static/" + manifest["paths"]["css/site.css"]


def wrk(url: str, *headers: str) -> dict:
    """A warm-up run, then the measured one: requests/s, p50 and p99 in ms, non-2xx count."""
    options = [arg for header in headers for arg in ("-H", header)]
    base = ["wrk", "-t2", f"-c{CONNECTIONS}", "--latency", *options, url]
    subprocess.run([*base, f"-d{WARMUP}s"], capture_output=True, check=True)
    output = subprocess.run(
        [*base, f"-d{SECONDS}s"], capture_output=True, text=True, check=True
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
        return requests.get(url, timeout=5).ok
    except requests.RequestException:
        return False


def serve(env: dict, app: str = "tractatus_site.wsgi:application") -> subprocess.Popen:
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent))
    process = subprocess.Popen(
        [gunicorn, app, "--bind", f"127.0.0.1:{PORT}", "--workers", "2"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    for _ in range(150):
        if process.poll() is not None:
            break  # the port is taken, or the app did not load
        if answers(f"http://127.0.0.1:{PORT}/healthz"):  # the ceiling app answers any path
            return process
        time.sleep(0.2)
    stop(process)
    raise SystemExit(f"gunicorn {app} did not start on port {PORT}")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def redis_running(workdir: Path) -> subprocess.Popen:
    process = subprocess.Popen(
        ["redis-server", "--port", str(REDIS_PORT), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(workdir)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    for _ in range(50):
        if subprocess.run(["redis-cli", "-p", str(REDIS_PORT), "ping"], capture_output=True,
                          check=False).stdout.strip() == b"PONG":
            return process
        time.sleep(0.1)
    raise SystemExit("redis-server did not start")


def capture_home(workdir: Path) -> None:
    """The home page's bytes and headers as the site serves them, for the ceiling app."""
    response = requests.get(f"http://127.0.0.1:{PORT}/", headers={"Accept-Encoding": "identity"},
                            timeout=5)
    (workdir / "home.json").write_text(json.dumps({
        "status": f"{response.status_code} {response.reason}",
        "headers": [[k, v] for k, v in response.raw.headers.items() if k.lower() != "server"
                    and k.lower() != "date" and k.lower() != "connection"],
        "body": response.content.decode("latin-1"),
    }))


def one_round(workdir: Path, css: str, cursor_page: str) -> dict[str, dict]:
    """Every target of the table, measured once: {label: wrk result}."""
    results: dict[str, dict] = {}

    def measure(label: str, path: str, *headers: str) -> None:
        url = f"http://127.0.0.1:{PORT}{path}"
        first = requests.get(url, headers={"Accept-Encoding": "identity"}, timeout=30)
        first.raise_for_status()  # rendered once, and a page
        results[label] = wrk(url, *headers)
        print(f"  {label:44} {results[label]['rps']:8.0f} req/s", flush=True)

    server = serve(environment(workdir, "file"))
    try:
        capture_home(workdir)
    finally:
        stop(server)
    server = serve(environment(workdir), app="bench.ceiling:application")
    try:
        measure("ceiling (trivial WSGI, the home page's bytes)", "/")
    finally:
        stop(server)

    redis = redis_running(workdir)
    try:
        server = serve(environment(workdir, "redis"))
        try:
            measure("static css (WhiteNoise)", css)
            measure("/ page-cached, Redis", "/")
            etag = requests.get(f"http://127.0.0.1:{PORT}/", timeout=30,
                                headers={"Accept-Encoding": "identity"}).headers["ETag"]
            measure("/ 304, Redis", "/", f"If-None-Match: {etag}")
            measure("/audit/ page-cached, Redis", "/audit/")
            measure(f"{FILTERED} page-cached, Redis", FILTERED)
            measure("/audit/?cursor=…&decision=blocked page-cached, Redis", cursor_page)
        finally:
            stop(server)
    finally:
        stop(redis)

    server = serve(environment(workdir, "file"))
    try:
        measure("/ page-cached, file cache", "/")
        measure("/audit/ page-cached, file cache", "/audit/")
        measure(f"{FILTERED} page-cached, file cache", FILTERED)
        measure("/audit/?cursor=…&decision=blocked page-cached, file cache", cursor_page)
    finally:
        stop(server)

    server = serve(environment(workdir, "dummy", page_cache=False))
    try:
        for path in ("/", "/metrics/", "/audit/"):
            measure(f"{path}, no cache at all", path)
    finally:
        stop(server)
    return results


def misses(results: dict[str, dict]) -> list[str]:
    rate = {label: result["rps"] for label, result in results.items()}
    ceiling = rate["ceiling (trivial WSGI, the home page's bytes)"]
    missed = []
    for cache in ("Redis", "file cache"):
        home = rate[f"/ page-cached, {cache}"]
        for label in (f"{FILTERED} page-cached, {cache}",
                      f"/audit/?cursor=…&decision=blocked page-cached, {cache}"):
            if rate[label] * GOALS["query_within"] < home:
                missed.append(f"{label}: over {GOALS['query_within']}x / ({cache})")
    for cache, goal in (("Redis", GOALS["redis_ceiling"]), ("file cache", GOALS["file_ceiling"])):
        if rate[f"/ page-cached, {cache}"] < goal * ceiling:
            missed.append(f"/ page-cached, {cache}: under {goal}x the ceiling")
    for path in ("/", "/metrics/", "/audit/"):
        if rate[f"{path}, no cache at all"] < GOALS["render_rps"]:
            missed.append(f"{path} with no cache at all: under {GOALS['render_rps']} req/s")
    return missed


def table(rounds: list[dict[str, dict]]) -> str:
    """The rounds as docs/benchmarks.md shows them: ranges, and ratios to both references."""

    def span(values: list[float], fmt: str) -> str:
        low, high = min(values), max(values)
        return fmt.format(low) if fmt.format(low) == fmt.format(high) else (
            f"{fmt.format(low)}–{fmt.format(high)}")

    lines = ["| target | req/s | × ceiling | × static css | p50 / p99 ms |",
             "|---|---:|---:|---:|---:|"]
    for label in rounds[0]:
        rps = [r[label]["rps"] for r in rounds]
        to_ceiling = [r[label]["rps"] / r["ceiling (trivial WSGI, the home page's bytes)"]["rps"]
                      for r in rounds]
        to_static = [r[label]["rps"] / r["static css (WhiteNoise)"]["rps"] for r in rounds]
        latency = " · ".join(f"{r[label]['p50']:.1f} / {r[label]['p99']:.1f}" for r in rounds)
        lines.append(f"| {label} | {span(rps, '{:,.0f}')} | {span(to_ceiling, '{:.2f}')} "
                     f"| {span(to_static, '{:.2f}')} | {latency} |")
    return "\n".join(lines)


def main() -> int:
    for tool in ("wrk", "redis-server"):
        if not shutil.which(tool):
            raise SystemExit(f"{tool} is not installed: apt-get install {tool}")
    with tempfile.TemporaryDirectory(prefix="load-bench-") as tmp:
        workdir = Path(tmp)
        setup = environment(workdir)
        manage(setup, "migrate", "--noinput")
        manage(setup, "collectstatic", "--noinput")
        manage(setup, "ingest_metrics", "--demo", "--if-empty")
        cursor = manage(setup, "shell", "--command", CURSOR_OF).splitlines()[-1]
        cursor_page = f"/audit/?cursor={cursor}&decision=blocked"
        rounds = []
        for number in range(1, ROUNDS + 1):
            print(f"round {number} of {ROUNDS}", flush=True)
            rounds.append(one_round(workdir, static_css_path(), cursor_page))
    print(table(rounds))
    failures = [label for r in rounds for label, result in r.items() if result["non_2xx"]]
    if failures:
        print(f"non-2xx responses: {failures}")
        return 1
    missed = [f"round {n}: {miss}" for n, r in enumerate(rounds, 1) for miss in misses(r)]
    print("goals missed:\n" + "\n".join(missed) if missed else "every goal met in every round")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
