"""Fixtures for the ingest: the contract's example feed dated now, a feed server on loopback."""

from __future__ import annotations

import base64
import contextlib
import copy
import io
import json
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.core.management import call_command

from metrics import fetch

CONTRACT = Path(__file__).resolve().parents[2] / "metrics" / "contract"
EXAMPLE_PATH = CONTRACT / "examples" / "feed-v1.json"
EXAMPLE = json.loads(EXAMPLE_PATH.read_text())


def dated(feed: dict, generated_at: datetime) -> dict:
    """A copy of `feed` generated at `generated_at`, its daily history moved along with it."""
    feed = copy.deepcopy(feed)
    old = datetime.fromisoformat(feed["generated_at"])
    shift = generated_at.date() - old.date()
    feed["generated_at"] = generated_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    for service in feed["services"]:
        for day in service["daily"]:
            day["date"] = (date.fromisoformat(day["date"]) + shift).isoformat()
    return feed


def minutes_ago(minutes: float) -> datetime:
    return datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=minutes)


@pytest.fixture
def example() -> dict:
    """The contract's example feed, generated ten minutes ago."""
    return dated(EXAMPLE, minutes_ago(10))


def encode(feed: dict) -> bytes:
    return json.dumps(feed, indent=2).encode()


@pytest.fixture
def feed_file(tmp_path) -> Callable[..., str]:
    """Writes a feed (a dict, or bytes as they are) to a file and returns its path."""
    counter = iter(range(10**6))

    def write(feed: dict | bytes) -> str:
        path = tmp_path / f"feed-{next(counter)}.json"
        path.write_bytes(feed if isinstance(feed, bytes) else encode(feed))
        return str(path)

    return write


@pytest.fixture
def ingest_command() -> Callable[..., tuple[int, str]]:
    """Runs `manage.py ingest_metrics ARGS` in this process: (exit status, stdout)."""

    def run(*args: str) -> tuple[int, str]:
        out = io.StringIO()
        try:
            call_command("ingest_metrics", *args, stdout=out)
            status = 0
        except SystemExit as exit_:
            status = exit_.code
        return status, out.getvalue()

    return run


@pytest.fixture
def sleeps(monkeypatch) -> list[float]:
    """Fetch bounds shrunk to a second or two; the waits it would sleep are recorded instead."""
    waits: list[float] = []
    monkeypatch.setattr(
        fetch,
        "DEFAULT_POLICY",
        fetch.Policy(
            connect_timeout=1.0,
            read_timeout=0.5,
            deadline=1.5,
            backoff=0.01,
            max_retry_after=5.0,
            sleep=waits.append,
        ),
    )
    return waits


Reply = Callable[[BaseHTTPRequestHandler], None]


class FeedServer(ThreadingHTTPServer):
    """Answers each request with the next scripted reply; remembers requests and bytes sent."""

    daemon_threads = True
    block_on_close = False

    def __init__(self):
        super().__init__(("127.0.0.1", 0), FeedHandler)
        self.replies: list[Reply] = []
        self.requests: list[dict] = []
        self.body_bytes_sent = 0
        self.closing = threading.Event()  # set when the test is over: hanging replies end

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/api/public/framework-metrics"

    def will(self, *replies: Reply) -> None:
        self.replies.extend(replies)


class FeedHandler(BaseHTTPRequestHandler):
    server: FeedServer

    def do_GET(self):
        self.server.requests.append({"path": self.path, "headers": dict(self.headers)})
        reply = self.server.replies.pop(0) if self.server.replies else status_reply(404)
        # The client may hang up mid-body, as it should on a body too slow or too large.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            reply(self)

    def send_body(self, chunk: bytes) -> None:
        self.wfile.write(chunk)
        self.wfile.flush()
        self.server.body_bytes_sent += len(chunk)

    def log_message(self, format, *args):
        pass


def json_reply(
    body: bytes, *, status: int = 200, content_type: str = "application/json", **headers: str
) -> Reply:
    def reply(handler: FeedHandler) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            handler.send_header(name.replace("_", "-"), value)
        handler.end_headers()
        handler.send_body(body)

    return reply


def status_reply(status: int, **headers: str) -> Reply:
    return json_reply(b'{"error": "scripted"}', status=status, **headers)


def dripping_reply(every: float) -> Reply:
    """A JSON body that arrives one byte at a time, forever unless the client hangs up."""

    def reply(handler: FeedHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", "100000")
        handler.end_headers()
        for _ in range(100000):
            handler.send_body(b" ")
            time.sleep(every)

    return reply


def hanging_reply() -> Reply:
    """No answer at all until the test is over; then the connection closes without one."""

    def reply(handler: FeedHandler) -> None:
        handler.server.closing.wait(30)

    return reply


def cut_reply(body: bytes, *, after: int) -> Reply:
    """A response whose connection is cut after `after` bytes of a `len(body)`-byte body."""

    def reply(handler: FeedHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.send_body(body[:after])
        handler.close_connection = True
        # A reset, not a clean end of stream: the peer learns nothing more is coming.
        handler.connection.setsockopt(
            socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
        )
        handler.connection.close()

    return reply


def endless_reply() -> Reply:
    """A JSON body with no length that never ends: only a client that stops reading ends it."""

    def reply(handler: FeedHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Connection", "close")
        handler.end_headers()
        chunk = b" " * 65536
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            handler.send_body(chunk)

    return reply


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    server = FeedServer()
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server
    server.closing.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
def unanswering_port() -> Iterator[int]:
    """A port on 127.0.0.1 whose listener's queue is full: a connection there is never made.

    Linux drops a SYN for a listener with no room to queue it, so the client's connect waits
    for an answer that never comes, exactly as it does for a server that is down or firewalled.
    """
    with contextlib.ExitStack() as sockets:
        listener = sockets.enter_context(socket.socket())
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port = listener.getsockname()[1]
        while True:  # queue connections until one is not taken: the queue is full
            filler = sockets.enter_context(socket.socket())
            filler.settimeout(0.2)
            try:
                filler.connect(("127.0.0.1", port))
            except TimeoutError:
                break
        yield port


@pytest.fixture
def partner_key(settings) -> Ed25519PrivateKey:
    """A key pair made for this test; the site is configured with its public half."""
    private = Ed25519PrivateKey.generate()
    public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    settings.METRICS_PUBLIC_KEY = base64.b64encode(public).decode()
    return private


def sign(key: Ed25519PrivateKey, body: bytes) -> str:
    return base64.b64encode(key.sign(body)).decode()
