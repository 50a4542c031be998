"""A local server playing the partner: HTTPS with a throwaway CA, headers chosen per test."""

from __future__ import annotations

import contextlib
import datetime as dt
import http.server
import ipaddress
import ssl
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

# What MySovereignty.digital is said to send: graded A+.
STRONG_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; object-src 'none';"
    " frame-ancestors 'none'",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=()",
}


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


@dataclass
class Certificates:
    """A CA and a certificate it signed for localhost and 127.0.0.1, written to `directory`."""

    directory: Path
    days: int = 60

    def __post_init__(self):
        now = dt.datetime.now(dt.UTC)
        ca_key = ec.generate_private_key(ec.SECP256R1())
        # A name of its own, so that a client trusting two of these CAs finds the right one.
        ca_name = _name(f"Test partner CA {x509.random_serial_number():x}"[:64])
        ca = (
            x509.CertificateBuilder().subject_name(ca_name)
            .issuer_name(ca_name).public_key(ca_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(ca_key, hashes.SHA256())
        )
        key = ec.generate_private_key(ec.SECP256R1())
        self.expires = now + dt.timedelta(days=self.days, hours=1)
        leaf = (
            x509.CertificateBuilder().subject_name(_name("localhost")).issuer_name(ca.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(self.expires)
            .add_extension(x509.SubjectAlternativeName([
                x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
            ]), critical=False)
            .sign(ca_key, hashes.SHA256())
        )
        self.ca_file = self.directory / "ca.pem"
        self.ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
        self.chain_file = self.directory / "server.pem"
        self.chain_file.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
        self.key_file = self.directory / "server.key"
        self.key_file.write_bytes(key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ))


@dataclass
class Reply:
    """What the partner answers next: status, headers, and how long it waits first."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=lambda: dict(STRONG_HEADERS))
    delay: float = 0.0


class PartnerHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        reply: Reply = self.server.replies.get(self.path, self.server.reply)
        time.sleep(reply.delay)
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


class Partner(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, certificates: Certificates | None):
        super().__init__(("127.0.0.1", 0), PartnerHandler)
        self.reply = Reply()
        self.replies: dict[str, Reply] = {}  # by path
        if certificates is not None:
            self.tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            self.renew(certificates)
            self.socket = self.tls.wrap_socket(self.socket, server_side=True)
        scheme = "https" if certificates else "http"
        self.url = f"{scheme}://localhost:{self.server_address[1]}/"

    def renew(self, certificates: Certificates) -> None:
        """Serve `certificates` from the next connection on, at the same address."""
        self.tls.load_cert_chain(certificates.chain_file, certificates.key_file)


@contextlib.contextmanager
def partner_server(certificates: Certificates | None) -> Iterator[Partner]:
    server = Partner(certificates)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
