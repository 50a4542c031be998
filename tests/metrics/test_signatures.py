"""Signed feeds: with the partner's key configured, only a verifying signature is accepted."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from metrics.ingest import ingest, ingest_demo, ingest_file
from metrics.models import IngestRun, Snapshot

from .conftest import dated, encode, json_reply, minutes_ago, sign

pytestmark = pytest.mark.django_db


def test_a_good_signature_is_accepted_stored_and_claimed(
    partner_key, feed_server, example, ingest_command, sleeps, client
):
    body = encode(example)
    signature = sign(partner_key, body)
    feed_server.will(json_reply(body, X_Metrics_Signature=f"ed25519={signature}"))
    status, out = ingest_command("--url", feed_server.url)
    assert status == 0, out
    snapshot = Snapshot.objects.get()
    assert (snapshot.signature, snapshot.signature_verified) == (signature, True)
    sig = client.get(f"/api/metrics/snapshots/{snapshot.sha256}.sig")
    assert sig.status_code == 200 and sig.content.decode().strip() == signature
    assert client.get("/api/metrics/log.json").json()["entries"][0]["snapshot"]["signed"] is True
    assert "verified with its Ed25519 public key" in client.get("/metrics/").content.decode()


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        (None, "signature missing"),
        ("ed25519=not base64!", "signature invalid"),
        ("rsa=AAAA", "signature invalid"),
        ("wrong-key", "signature invalid"),
    ],
)
def test_a_missing_malformed_or_wrong_signature_is_rejected_and_changes_nothing(
    partner_key, feed_server, example, ingest_command, sleeps, client, header, reason
):
    body = encode(example)
    if header == "wrong-key":
        header = f"ed25519={sign(Ed25519PrivateKey.generate(), body)}"
    headers = {} if header is None else {"X_Metrics_Signature": header}
    before = client.get("/metrics/").content
    feed_server.will(json_reply(body, **headers))
    status, out = ingest_command("--url", feed_server.url)
    assert status == 4
    assert out.startswith(f"rejected: {reason}")
    assert not Snapshot.objects.exists()
    run = IngestRun.objects.get()
    assert run.outcome == "rejected" and run.reason.startswith(reason)
    assert run.error == run.reason  # the whole reason, for staff
    assert reason in client.get("/audit/feed/").content.decode()
    assert client.get("/metrics/").content == before


def test_a_file_needs_its_signature_when_a_key_is_set(partner_key, example, feed_file,
                                                      ingest_command):
    path = feed_file(example)
    status, out = ingest_command("--file", path)
    assert (status, out.split(":")[0]) == (4, "rejected")
    assert "signature missing" in out
    body = encode(example)
    status, out = ingest_command("--file", path, "--signature", sign(partner_key, body))
    assert status == 0, out
    assert Snapshot.objects.get().signature_verified is True


def test_where_a_key_is_set_a_payload_handed_over_without_a_signature_is_refused_as_unsigned(
    partner_key, example, feed_file
):
    payload = encode(example)
    for result in (ingest(payload, "test"), ingest_file(feed_file(payload)), ingest_demo()):
        assert (result.outcome, result.reason) == ("rejected", "signature missing")
    assert not Snapshot.objects.exists()


def test_without_a_key_nothing_is_required_and_nothing_is_claimed(example, feed_file,
                                                                  ingest_command, client):
    assert ingest_command("--file", feed_file(example))[0] == 0
    assert Snapshot.objects.get().signature_verified is False
    assert "not signed" in client.get("/audit/feed/").content.decode()
    assert "Ed25519" not in client.get("/metrics/").content.decode()


def test_without_a_key_only_a_well_formed_signature_is_kept(example, feed_file, ingest_command):
    unverified = sign(Ed25519PrivateKey.generate(), encode(example))
    assert ingest_command("--file", feed_file(example), "--signature", unverified)[0] == 0
    assert Snapshot.objects.get().signature == unverified
    later = dated(example, minutes_ago(5))
    assert ingest_command("--file", feed_file(later), "--signature", "not base64!")[0] == 0
    assert Snapshot.objects.latest().signature == ""


@pytest.mark.parametrize("key", ["short", base64.b64encode(bytes(31)).decode()])
def test_a_malformed_public_key_stops_start_up(key):
    env = {**os.environ, "SECRET_KEY": "tests-only", "METRICS_PUBLIC_KEY": key}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=Path(__file__).resolve().parents[2],
        env=env, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode != 0
    assert "METRICS_PUBLIC_KEY must be an Ed25519 public key" in result.stderr
