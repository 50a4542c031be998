"""Reading the feed over HTTP the way a cron job must: bounded in time, size and retries.

`fetch()` returns the body bytes of one `200 application/json` response or raises
`FetchError`, whose `reason` is short and public ("timeout", "HTTP 503", "too large") and whose
message has the details for the log (URL, headers, the exception).
"""

from __future__ import annotations

import email.utils
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import requests
from urllib3.exceptions import HTTPError as TransportError
from urllib3.exceptions import ReadTimeoutError

from .feed import MAX_PAYLOAD_BYTES
from .signing import from_header

USER_AGENT = "TractatusSite-MetricsIngest/1.0 (the Tractatus site's metrics feed reader)"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
SIGNATURE_HEADER = "X-Metrics-Signature"


@dataclass(frozen=True)
class Policy:
    """Time, size and retry bounds; tests shrink them so failures take a second, not thirty."""

    connect_timeout: float = 5.0
    read_timeout: float = 5.0
    # Everything, retries included, ends by then; a read in progress may add read_timeout.
    deadline: float = 25.0
    attempts: int = 3
    backoff: float = 1.0
    max_retry_after: float = 10.0
    max_bytes: int = MAX_PAYLOAD_BYTES
    sleep: Callable[[float], None] = field(default=time.sleep)


DEFAULT_POLICY = Policy()


@dataclass(frozen=True)
class Fetched:
    body: bytes
    status: int
    signature: str


class FetchError(Exception):
    """The feed could not be read; `reason` is public, the message is for the log."""

    def __init__(self, reason: str, detail: str, *, status: int | None = None, bytes_read: int = 0):
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.status = status
        self.bytes_read = bytes_read


class Retry(Exception):
    """This attempt failed in a way worth another try, after `wait` seconds."""

    def __init__(self, error: FetchError, wait: float | None = None):
        super().__init__(str(error))
        self.error = error
        self.wait = wait


def fetch(url: str, policy: Policy | None = None) -> Fetched:
    """The feed body at `url`, within `policy`'s bounds."""
    policy = policy or DEFAULT_POLICY
    deadline = time.monotonic() + policy.deadline
    with requests.Session() as session:
        session.headers.update(
            # identity: a compressed body could not be bounded by its size on the wire.
            {"User-Agent": USER_AGENT, "Accept": "application/json", "Accept-Encoding": "identity"}
        )
        attempts = 0
        while True:
            try:
                return _attempt(session, url, policy, deadline)
            except Retry as retry:
                wait = policy.backoff * 2**attempts if retry.wait is None else retry.wait
                attempts += 1
                if attempts >= policy.attempts or time.monotonic() + wait >= deadline:
                    raise retry.error from None
                policy.sleep(wait)


def _attempt(session: requests.Session, url: str, policy: Policy, deadline: float) -> Fetched:
    remaining = deadline - time.monotonic()
    timeout = (min(policy.connect_timeout, remaining), min(policy.read_timeout, remaining))
    try:
        response = session.get(
            url, timeout=timeout, allow_redirects=False, stream=True, verify=True
        )
    except requests.exceptions.SSLError as exc:
        # A certificate that fails verification will fail again: no retry.
        raise FetchError("TLS error", f"{url}: {exc}") from None
    except requests.ConnectionError as exc:
        # ConnectTimeout is a ConnectionError too: the server never answered.
        raise Retry(FetchError(connection_reason(exc), f"{url}: {exc}")) from None
    except requests.Timeout as exc:
        raise FetchError("timeout", f"{url}: {exc}") from None
    except requests.RequestException as exc:
        raise FetchError("request failed", f"{url}: {exc}") from None
    with response:
        status = response.status_code
        if status in RETRY_STATUSES:
            error = FetchError(f"HTTP {status}", f"{url} answered {status}", status=status)
            wait = retry_after(response.headers.get("Retry-After"))
            if wait is not None and wait > policy.max_retry_after:
                # Asked to come back later than we would wait: the next cron run will.
                raise error
            raise Retry(error, wait)
        if 300 <= status < 400:
            where = response.headers.get("Location", "nowhere")
            raise FetchError(
                f"HTTP {status} redirect",
                f"{url} redirects to {where}; not followed",
                status=status,
            )
        if status != 200:
            raise FetchError(f"HTTP {status}", f"{url} answered {status}", status=status)
        content_type = response.headers.get("Content-Type", "")
        if not is_json(content_type):
            raise FetchError(
                "wrong content type", f"{url} sent Content-Type {content_type!r}", status=status
            )
        body = read_body(response, url, policy.max_bytes, deadline)
        return Fetched(body=body, status=status, signature=signature(response.headers))


def read_body(response: requests.Response, url: str, limit: int, deadline: float) -> bytes:
    """The body, read as it arrives, given up past `limit` bytes or the deadline."""
    status = response.status_code
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        raise FetchError("too large", f"{url} declares {declared} bytes", status=status)
    chunks: list[bytes] = []
    size = 0
    while True:
        if time.monotonic() > deadline:
            raise FetchError(
                "timeout",
                f"{url}: body still arriving at the deadline",
                status=status,
                bytes_read=size,
            )
        try:
            # read1 returns what one read of the socket gives, so a slow drip cannot hold us
            # inside one call for longer than the read timeout.
            chunk = response.raw.read1(64 * 1024, decode_content=True)
        except ReadTimeoutError as exc:
            raise FetchError("timeout", f"{url}: {exc}", status=status, bytes_read=size) from None
        except TransportError as exc:
            raise FetchError(
                "connection failed", f"{url}: {exc}", status=status, bytes_read=size
            ) from None
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > limit:
            raise FetchError(
                "too large", f"{url}: more than {limit} bytes", status=status, bytes_read=size
            )
        chunks.append(chunk)


def is_json(content_type: str) -> bool:
    """application/json, with at most a UTF-8 charset parameter."""
    media_type, *parameters = (part.strip().lower() for part in content_type.split(";"))
    charsets = [p.partition("=")[2].strip('"') for p in parameters if p.startswith("charset=")]
    return media_type == "application/json" and all(c in ("utf-8", "utf8") for c in charsets)


def retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    if value.strip().isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)


def signature(headers) -> str:
    """The signature the feed sent, as `signing.from_header` reads it ("" when absent)."""
    return from_header(headers.get(SIGNATURE_HEADER, "")[:200])


def connection_reason(exc: BaseException) -> str:
    """ "connection refused", "host not found", "timeout" or "connection failed"."""
    if isinstance(exc, requests.ConnectTimeout):
        return "timeout"
    seen: BaseException | None = exc
    for _ in range(10):  # the chain is short; the bound guards against a cycle
        if seen is None:
            break
        if isinstance(seen, ConnectionRefusedError):
            return "connection refused"
        if isinstance(seen, socket.gaierror):
            return "host not found"
        seen = seen.__cause__ or seen.__context__
    return "connection failed"
