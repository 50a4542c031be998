"""The hash chain: intact after honest ingests, and any altered byte or link is named."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.management import call_command

from metrics.chain import verify_chain
from metrics.models import ChainCheck, Snapshot

from .conftest import dated, minutes_ago

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_snapshots(example, feed_file, ingest_command) -> list[Snapshot]:
    for age in (30, 20, 10):
        assert ingest_command("--file", feed_file(dated(example, minutes_ago(age))))[0] == 0
    return list(Snapshot.objects.order_by("generated_at"))


def test_an_honest_chain_verifies_through_the_latest_snapshot(three_snapshots):
    report = verify_chain()
    assert report.intact
    assert (report.checked, report.verified_through) == (3, three_snapshots[-1].sha256)


def test_an_empty_chain_is_intact():
    assert verify_chain().intact


def test_one_altered_stored_byte_breaks_the_chain_at_that_snapshot(three_snapshots):
    middle = three_snapshots[1]
    raw = bytearray(middle.raw_bytes())
    raw[raw.index(b"2847")] = ord("9")  # 2847 operations become 9847
    Snapshot.objects.filter(pk=middle.pk).update(raw=bytes(raw))
    report = verify_chain()
    assert not report.intact
    assert report.broken_at == middle.sha256
    assert report.verified_through == three_snapshots[0].sha256
    assert report.problem == "its stored bytes no longer hash to its SHA-256"


def test_bytes_rehashed_to_hide_an_edit_break_the_next_link(three_snapshots):
    _, middle, last = three_snapshots
    forged = middle.raw_bytes().replace(b"2847", b"9847")
    Snapshot.objects.filter(pk=middle.pk).update(
        raw=forged, sha256=hashlib.sha256(forged).hexdigest()
    )
    report = verify_chain()
    assert report.broken_at == last.sha256
    assert report.problem.startswith(f"its previous_sha256 {middle.sha256[:12]} does not point")


def test_an_altered_link_is_named(three_snapshots):
    last = three_snapshots[-1]
    Snapshot.objects.filter(pk=last.pk).update(previous_sha256="0" * 64)
    report = verify_chain()
    assert report.broken_at == last.sha256
    assert "000000000000" in report.problem


def test_staff_verify_the_chain_from_the_admin_and_the_audit_page_shows_it(
    three_snapshots, staff_client, client
):
    middle = three_snapshots[1]
    Snapshot.objects.filter(pk=middle.pk).update(raw=b"{}")
    page = staff_client.post("/admin/metrics/snapshot/chain/").content.decode()
    assert "Chain broken" in page and middle.sha256 in page
    check = ChainCheck.objects.get()
    assert (check.broken_at, check.snapshots_checked) == (middle.sha256, 2)
    audit = client.get("/audit/feed/").content.decode()
    assert f"Chain broken</strong> at <code>{middle.sha256[:12]}</code>" in audit
    assert "Chain broken" in staff_client.get("/admin/metrics/snapshot/chain/").content.decode()


def test_the_cron_command_records_the_chain_state_for_the_audit_page(
    client, ingest_command, example, feed_file
):
    assert ingest_command("--file", feed_file(example))[0] == 0
    out = io.StringIO()
    call_command("verify_metrics_chain", stdout=out)
    assert out.getvalue().startswith("chain intact: 1 snapshots")
    assert "Chain verified</strong>" in client.get("/audit/feed/").content.decode()

    snapshot = Snapshot.objects.get()
    Snapshot.objects.filter(pk=snapshot.pk).update(raw=snapshot.raw_bytes().replace(b"1", b"2", 1))
    with pytest.raises(SystemExit) as exit_:
        call_command("verify_metrics_chain", stdout=io.StringIO())
    assert exit_.value.code == 2
    assert "Chain broken" in client.get("/audit/feed/").content.decode()
