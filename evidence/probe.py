"""One look at an address as a visitor's browser gets it: status, headers and certificate.

Requests fetches it with a 10 s timeout and the certificate verified; redirects are followed by
hand, only while they stay on the target's host (and never down to plain HTTP). Every way it
can fail is an `Observation` with a failure kind, never an exception.
"""

from __future__ import annotations

import http.client
import socket
import ssl
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

import requests
import requests.adapters
import urllib3
import urllib3.connection
import urllib3.exceptions

from .grading import HEADERS
from .models import Check

TIMEOUT_SECONDS = 10
MAX_REDIRECTS = 5
# The status line and headers together; browsers and servers cap theirs near here (nginx's
# default large buffers are 4 × 8 KiB), so a bigger block is a fault, not evidence.
MAX_HEADER_BYTES = 32 * 1024
USER_AGENT = "Tractatus-evidence-probe/1 (checks the security headers the site quotes)"

Failure = Check.Failure


@dataclass
class Observation:
    url: str
    final_url: str = ""
    status: int | None = None
    raw_headers: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    certificate_expires_at: datetime | None = None
    failure: str = ""
    error: str = ""


def header_block(response: requests.Response) -> str:
    """The status line and headers as received: names, values and order kept, CRLF line ends."""
    original = response.raw._original_response  # http.client's, which keeps every header line
    version = {10: "1.0", 11: "1.1"}.get(original.version, "1.1")
    lines = [f"HTTP/{version} {original.status} {original.reason}"]
    lines += [f"{name}: {value}" for name, value in original.msg.items()]
    return "\r\n".join(lines) + "\r\n"


def security_headers(response: requests.Response) -> dict[str, str]:
    """The graded headers present, names lower-case; repeated headers joined by ", "."""
    message = response.raw._original_response.msg
    found = {}
    for name in HEADERS:
        values = message.get_all(name)
        if values:
            found[name] = ", ".join(v.strip() for v in values)
    return found


class RecordingConnection(urllib3.connection.HTTPSConnection):
    """Keeps the verified certificate the server presented, which outlives the socket.

    http.client closes a connection the server will close before the response is read, so the
    certificate is taken at the handshake.
    """

    peer_certificate: dict | None = None

    def connect(self):
        super().connect()
        if isinstance(self.sock, ssl.SSLSocket):
            self.peer_certificate = self.sock.getpeercert()


class RecordingPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = RecordingConnection


class ProbeAdapter(requests.adapters.HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": urllib3.HTTPConnectionPool, "https": RecordingPool,
        }


def certificate_expiry(response: requests.Response) -> datetime | None:
    """When the certificate the server presented expires (None over plain HTTP)."""
    certificate = getattr(response.raw.connection, "peer_certificate", None)
    if not certificate or "notAfter" not in certificate:
        return None
    return datetime.fromtimestamp(ssl.cert_time_to_seconds(certificate["notAfter"]), tz=UTC)


def causes(exc: BaseException):
    """The exception and everything it wraps: requests and urllib3 nest the real cause."""
    seen: list[BaseException] = []
    pending: list[object] = [exc]
    while pending:
        current = pending.pop()
        if not isinstance(current, BaseException) or any(current is s for s in seen):
            continue
        seen.append(current)
        pending += [current.__cause__, current.__context__, getattr(current, "reason", None)]
        pending += current.args
    return seen


def failure_of(exc: requests.RequestException) -> str:
    """Which kind of failure a requests exception is."""
    chain = causes(exc)
    if any(isinstance(e, urllib3.exceptions.NameResolutionError | socket.gaierror) for e in chain):
        return Failure.DNS
    if isinstance(exc, requests.exceptions.SSLError):
        return Failure.TLS
    if isinstance(exc, requests.exceptions.Timeout):
        return Failure.TIMEOUT
    if any(
        isinstance(e, http.client.LineTooLong)
        or (isinstance(e, http.client.HTTPException) and "got more than" in str(e))
        for e in chain
    ):
        return Failure.OVERSIZED
    return Failure.CONNECTION


def same_site(target: str, location: str) -> bool:
    """Whether a redirect stays on the target's host, and on HTTPS if the target was."""
    before, after = urlsplit(target), urlsplit(location)
    downgraded = before.scheme == "https" and after.scheme != "https"
    return (
        after.scheme in ("http", "https")
        and after.hostname == before.hostname
        and not downgraded
    )


def observe(url: str, *, timeout: float = TIMEOUT_SECONDS) -> Observation:
    """Fetch `url` once (with its redirects on the same host) and say what came back."""
    seen = Observation(url=url)
    if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
        seen.failure, seen.error = Failure.INVALID, "only http:// and https:// addresses"
        return seen
    current = url
    with requests.Session() as session:
        session.mount("https://", ProbeAdapter())
        for _hop in range(MAX_REDIRECTS + 1):
            seen.final_url = current
            try:
                response = session.get(
                    current, timeout=timeout, allow_redirects=False, stream=True,
                    headers={"User-Agent": USER_AGENT},
                )
            except requests.RequestException as exc:
                seen.failure, seen.error = failure_of(exc), f"{type(exc).__name__}: {exc}"[:2000]
                return seen
            with response:
                seen.status = response.status_code
                seen.raw_headers = header_block(response)
                seen.headers = security_headers(response)
                seen.certificate_expires_at = certificate_expiry(response)
            if len(seen.raw_headers.encode("latin-1", "replace")) > MAX_HEADER_BYTES:
                size = len(seen.raw_headers.encode("latin-1", "replace"))
                seen.failure = Failure.OVERSIZED
                seen.error = f"header block of {size} bytes, over {MAX_HEADER_BYTES}"
                return seen
            if not response.is_redirect:
                if response.status_code >= 500:
                    seen.failure, seen.error = Failure.SERVER_ERROR, f"HTTP {seen.status}"
                return seen
            location = urljoin(current, response.headers["location"])
            if not same_site(url, location):
                seen.failure = Failure.REDIRECT_OFF_HOST
                seen.error = f"HTTP {seen.status} to {location[:500]}"
                return seen
            current = location
    seen.failure, seen.error = Failure.TOO_MANY_REDIRECTS, f"more than {MAX_REDIRECTS}"
    return seen
