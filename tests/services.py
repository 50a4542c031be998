"""Real servers from Debian's packages, started on 127.0.0.1 for the tests that need them."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ports import free_port

ROOT = Path(__file__).resolve().parents[1]
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def require(binary: str, package: str) -> None:
    """Skip a test whose server is not installed (CI installs every one: `.ci/run`)."""
    if not Path(binary).exists():
        pytest.skip(f"{binary} is not installed (apt-get install {package}; .ci/run does)")


@contextlib.contextmanager
def redis_server(workdir: Path) -> Iterator[RedisServer]:
    """A throwaway Redis, keeping nothing on disk, stopped (if still running) at the end."""
    require(REDIS_SERVER, "redis-server")
    server = RedisServer(workdir)
    try:
        yield server
    finally:
        server.stop()


class RedisServer:
    def __init__(self, workdir: Path):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(workdir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not self.answers():
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("redis-server did not answer within 10 s")
            time.sleep(0.05)

    def answers(self) -> bool:
        import redis

        try:
            return redis.Redis(port=self.port, socket_connect_timeout=0.2).ping()
        except redis.ConnectionError:
            return False

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


def postgres_url(database: str) -> str:
    """A fresh, empty database on the throwaway PostgreSQL server of `.ci/postgres.sh`."""
    if not list(Path("/usr/lib/postgresql").glob("*/bin/initdb")):
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql; .ci/run does)")
    import psycopg

    server = subprocess.run(
        [ROOT / ".ci" / "postgres.sh"], capture_output=True, text=True, check=True
    ).stdout.strip()
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{database}"')
    return server.rsplit("/", 1)[0] + "/" + database
