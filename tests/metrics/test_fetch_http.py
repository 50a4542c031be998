"""`ingest_metrics --url` against a real HTTP server on 127.0.0.1, misbehaving on purpose."""

from __future__ import annotations

import base64
import email.utils
import shutil
import ssl
import subprocess
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from metrics import fetch
from metrics.feed import MAX_PAYLOAD_BYTES
from metrics.fetch import USER_AGENT
from metrics.ingest import ingest_url
from metrics.models import IngestRun, Snapshot
from tests.ports import free_port

from .conftest import (
    cut_reply,
    dripping_reply,
    encode,
    endless_reply,
    hanging_reply,
    json_reply,
    status_reply,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def feed(example) -> bytes:
    return encode(example)


def the_run() -> IngestRun:
    return IngestRun.objects.get()


def test_a_valid_feed_over_http_is_accepted(feed_server, feed, ingest_command, sleeps):
    feed_server.will(
        json_reply(feed, content_type="application/json; charset=utf-8"),
    )
    status, out = ingest_command("--url", feed_server.url)
    assert status == 0 and out.startswith("accepted: ")
    assert Snapshot.objects.get().raw_bytes() == feed
    run = the_run()
    assert (run.outcome, run.http_status, run.bytes_read) == ("accepted", 200, len(feed))
    assert run.source_url == feed_server.url
    request = feed_server.requests[0]
    assert request["headers"]["User-Agent"] == USER_AGENT
    assert request["headers"]["Accept-Encoding"] == "identity"


def test_a_fetched_feed_is_stored_unless_a_dry_run_is_asked_for(feed_server, feed, sleeps):
    feed_server.will(json_reply(feed), json_reply(feed))
    assert ingest_url(feed_server.url, dry_run=True).snapshot is None
    assert not Snapshot.objects.exists()
    result = ingest_url(feed_server.url)
    assert (result.outcome, result.snapshot) == ("accepted", Snapshot.objects.get())


def test_the_url_comes_from_settings_by_default(
    feed_server, feed, ingest_command, sleeps, settings
):
    settings.METRICS_SOURCE_URL = feed_server.url
    feed_server.will(json_reply(feed))
    assert ingest_command()[0] == 0
    assert len(feed_server.requests) == 1
    assert the_run().source_url == feed_server.url


def test_a_server_error_is_retried_after_a_backoff(feed_server, feed, ingest_command, sleeps):
    feed_server.will(status_reply(500), status_reply(503), json_reply(feed))
    status, _ = ingest_command("--url", feed_server.url)
    assert status == 0
    assert len(feed_server.requests) == 3
    assert sleeps == [0.01, 0.02]


def test_retries_are_bounded_and_the_last_status_is_the_reason(
    feed_server, ingest_command, sleeps
):
    feed_server.will(*[status_reply(502)] * 5)
    status, out = ingest_command("--url", feed_server.url)
    assert (status, out.strip()) == (3, "failed: HTTP 502")
    assert len(feed_server.requests) == 3
    run = the_run()
    assert (run.outcome, run.reason, run.http_status) == ("failed", "HTTP 502", 502)


def test_too_many_requests_waits_as_long_as_retry_after_says(
    feed_server, feed, ingest_command, sleeps
):
    feed_server.will(status_reply(429, Retry_After="1"), json_reply(feed))
    assert ingest_command("--url", feed_server.url)[0] == 0
    assert sleeps == [1.0]


def http_date(moment: datetime) -> str:
    return email.utils.format_datetime(moment, usegmt=True)


def test_retry_after_as_an_http_date_waits_until_then(
    feed_server, feed, ingest_command, sleeps, time_machine, monkeypatch
):
    # Waits are recorded, not slept; a deadline that leaves room for them all.
    monkeypatch.setattr(fetch, "DEFAULT_POLICY", replace(fetch.DEFAULT_POLICY, deadline=60))
    now = datetime.now(UTC).replace(microsecond=0)
    time_machine.move_to(now, tick=False)
    feed_server.will(
        status_reply(429, Retry_After=http_date(now + timedelta(seconds=3))),
        status_reply(503, Retry_After=http_date(now - timedelta(seconds=30))),  # past: at once
        json_reply(feed),
    )
    assert ingest_command("--url", feed_server.url)[0] == 0
    assert sleeps == [3.0, 0.0]


def test_retry_after_as_a_later_http_date_is_not_waited_for(
    feed_server, feed, ingest_command, sleeps, time_machine
):
    now = datetime.now(UTC).replace(microsecond=0)
    time_machine.move_to(now, tick=False)
    feed_server.will(
        status_reply(503, Retry_After=http_date(now + timedelta(hours=1))), json_reply(feed)
    )
    assert ingest_command("--url", feed_server.url) == (3, "failed: HTTP 503\n")
    assert sleeps == [] and len(feed_server.requests) == 1


def test_an_unreadable_retry_after_falls_back_to_the_backoff(
    feed_server, feed, ingest_command, sleeps
):
    feed_server.will(status_reply(503, Retry_After="soon"), json_reply(feed))
    assert ingest_command("--url", feed_server.url)[0] == 0
    assert sleeps == [0.01]


def test_a_long_retry_after_is_not_waited_for(feed_server, feed, ingest_command, sleeps):
    feed_server.will(status_reply(429, Retry_After="3600"), json_reply(feed))
    status, out = ingest_command("--url", feed_server.url)
    assert (status, out.strip()) == (3, "failed: HTTP 429")
    assert sleeps == [] and len(feed_server.requests) == 1


def test_a_client_error_is_not_retried(feed_server, ingest_command, sleeps):
    feed_server.will(status_reply(404))
    assert ingest_command("--url", feed_server.url) == (3, "failed: HTTP 404\n")
    assert len(feed_server.requests) == 1


def test_a_refused_connection_fails_with_status_3_and_no_address_in_the_reason(
    ingest_command, sleeps
):
    port = free_port()
    url = f"http://127.0.0.1:{port}/feed"
    status, out = ingest_command("--url", url)
    assert (status, out.strip()) == (3, "failed: connection refused")
    run = the_run()
    assert run.reason == "connection refused"
    assert str(port) in run.error and str(port) not in run.reason
    assert len(sleeps) == 2  # retried, then gave up


def test_an_unknown_host_fails_with_status_3(ingest_command, sleeps):
    # .invalid never resolves (RFC 6761): the resolver answers no, and no server is contacted.
    status, out = ingest_command("--url", "http://feed.invalid/api/public/framework-metrics")
    assert (status, out.strip()) == (3, "failed: host not found")
    assert "feed.invalid" in the_run().error


def test_a_connection_never_made_times_out_and_is_retried_within_the_deadline(
    unanswering_port, ingest_command, sleeps
):
    url = f"http://127.0.0.1:{unanswering_port}/feed"
    status, out = ingest_command("--url", url)
    assert (status, out.strip()) == (3, "failed: timeout")
    assert "ConnectTimeout" in the_run().error or "connect timeout" in the_run().error
    # Connect timeouts are retried (read timeouts are not), until the 1.5 s deadline.
    assert sleeps == [0.01]


def test_a_connection_cut_mid_body_fails_and_stores_nothing(
    feed_server, feed, ingest_command, sleeps
):
    feed_server.will(cut_reply(feed, after=1000))
    status, out = ingest_command("--url", feed_server.url)
    assert (status, out.strip()) == (3, "failed: connection failed")
    run = the_run()
    assert (run.http_status, run.bytes_read) == (200, 1000)
    assert not Snapshot.objects.exists()


def test_a_slowly_dripping_body_is_given_up_at_the_deadline(
    feed_server, ingest_command, sleeps
):
    # Each byte arrives well within the read timeout; only the overall deadline stops it.
    # The body would take 5000 s; a timeout with a few bytes read can only be the deadline.
    feed_server.will(dripping_reply(every=0.05))
    status, out = ingest_command("--url", feed_server.url)
    assert (status, out.strip()) == (3, "failed: timeout")
    assert 0 < the_run().bytes_read < 100
    assert not Snapshot.objects.exists()


def test_a_server_that_never_answers_times_out(feed_server, ingest_command, sleeps):
    # It answers nothing until the test is over: only the client's read timeout ends the wait.
    feed_server.will(hanging_reply())
    assert ingest_command("--url", feed_server.url) == (3, "failed: timeout\n")
    assert "Read timed out" in the_run().error
    assert len(feed_server.requests) == 1 and sleeps == []  # a read timeout is not retried


def test_a_redirect_is_not_followed(feed_server, feed, ingest_command, sleeps):
    feed_server.will(
        status_reply(302, Location="http://127.0.0.1:9/elsewhere"), json_reply(feed)
    )
    status, out = ingest_command("--url", feed_server.url)
    assert (status, out.strip()) == (3, "failed: HTTP 302 redirect")
    assert len(feed_server.requests) == 1
    assert "elsewhere" in the_run().error


@pytest.mark.parametrize(
    "content_type", ["text/html", "application/json-seq", "application/json; charset=latin-1", ""]
)
def test_a_body_that_is_not_json_by_its_content_type_is_refused(
    feed_server, feed, ingest_command, sleeps, content_type
):
    feed_server.will(json_reply(feed, content_type=content_type))
    assert ingest_command("--url", feed_server.url) == (3, "failed: wrong content type\n")
    assert not Snapshot.objects.exists()


def test_a_declared_oversize_body_is_refused_without_reading_it(
    feed_server, ingest_command, sleeps
):
    feed_server.will(json_reply(b" " * (MAX_PAYLOAD_BYTES + 1)))
    assert ingest_command("--url", feed_server.url) == (3, "failed: too large\n")
    assert the_run().bytes_read == 0


def test_an_endless_body_is_cut_off_past_the_contracts_limit(feed_server, ingest_command, sleeps):
    feed_server.will(endless_reply())
    status, out = ingest_command("--url", feed_server.url)
    assert (status, out.strip()) == (3, "failed: too large")
    run = the_run()
    assert MAX_PAYLOAD_BYTES < run.bytes_read < MAX_PAYLOAD_BYTES + 64 * 1024 + 1
    # What the server managed to push is what fits in socket buffers, not the 30 s of body
    # it would have sent to a reader that kept going.
    time.sleep(0.2)
    assert feed_server.body_bytes_sent < 64 * 1024 * 1024


def test_invalid_json_over_http_is_rejected_with_status_4(feed_server, ingest_command, sleeps):
    feed_server.will(json_reply(b'{"schema_version": 1,'))
    status, out = ingest_command("--url", feed_server.url)
    assert status == 4 and out.startswith("rejected: invalid JSON")
    run = the_run()
    assert (run.outcome, run.http_status) == ("rejected", 200)


def test_without_a_key_a_signature_is_kept_but_never_claimed(
    feed_server, feed, ingest_command, sleeps
):
    unverified = base64.b64encode(bytes(64)).decode()
    feed_server.will(json_reply(feed, X_Metrics_Signature=f"ed25519={unverified}"))
    assert ingest_command("--url", feed_server.url)[0] == 0
    snapshot = Snapshot.objects.get()
    assert (snapshot.signature, snapshot.signature_verified) == (unverified, False)


@pytest.fixture
def self_signed_server(feed_server, tmp_path):
    """The feed server behind TLS with a certificate no authority vouches for."""
    if not shutil.which("openssl"):
        pytest.skip("openssl is needed to make a certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    feed_server.socket = context.wrap_socket(feed_server.socket, server_side=True)
    return feed_server


def test_a_certificate_that_does_not_verify_is_refused(
    self_signed_server, feed, ingest_command, sleeps
):
    self_signed_server.will(json_reply(feed))
    url = self_signed_server.url.replace("http://", "https://")
    assert ingest_command("--url", url) == (3, "failed: TLS error\n")
    assert "CERTIFICATE_VERIFY_FAILED" in the_run().error
    assert self_signed_server.requests == [] and sleeps == []
