"""A real SMTP server (aiosmtpd) and a webhook receiver on 127.0.0.1, playing staff's inboxes."""

from __future__ import annotations

import email
import email.policy
import http.server
import json
import threading
from email.message import Message

import pytest
from aiosmtpd.controller import Controller

from tests.ports import free_port


class Inbox:
    """Every message the SMTP server accepted."""

    def __init__(self):
        self.messages: list[Message] = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 Message accepted for delivery"

    @property
    def subjects(self) -> list[str]:
        return [str(message["Subject"]) for message in self.messages]

    @property
    def bodies(self) -> list[str]:
        return [message.get_content() for message in self.messages]


@pytest.fixture
def smtp_port():
    return free_port()


@pytest.fixture
def inbox(settings, smtp_port):
    """Alerts by email through a real SMTP server, to two staff addresses."""
    received = Inbox()
    controller = Controller(received, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp_port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.ALERT_EMAILS = ["ops@example.org", "lead@example.org"]
    settings.ALERT_WEBHOOK_URL = ""
    yield received
    controller.stop()


class Receiver(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), Hook)
        self.posts: list[dict] = []
        self.status = 200
        self.url = f"http://127.0.0.1:{self.server_address[1]}/hooks/alerts"


class Hook(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        assert self.headers["Content-Type"] == "application/json"
        self.server.posts.append(json.loads(body))
        self.send_response(self.server.status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


@pytest.fixture
def webhook(settings):
    """A Slack-style incoming webhook on 127.0.0.1."""
    receiver = Receiver()
    thread = threading.Thread(target=receiver.serve_forever, daemon=True)
    thread.start()
    settings.ALERT_WEBHOOK_URL = receiver.url
    yield receiver
    receiver.shutdown()
    receiver.server_close()


# The partner playing its part in the probe's incidents.
from tests.evidence.conftest import certificates, partner  # noqa: E402, F401
