"""verify.py, run as a visitor runs it, against small logs whose every byte the test wrote."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.transparency.notes import NoteKey, b64, checkpoint_text, signed_note
from tests.transparency.staticlog import ORIGIN, canonical, tile_path
from transparency import verify

VERIFY = Path(verify.__file__)
SNAPSHOT_RAW = b'{"generated_at": "2026-11-29T16:50:00Z", "services": []}\n'
SNAPSHOT_SHA = hashlib.sha256(SNAPSHOT_RAW).hexdigest()


def event(number: int) -> dict:
    return {
        "id": f"evt-{number:05d}", "at": "2026-11-29T16:50:00+00:00", "service": "gateway",
        "decision": "blocked", "rule": "tenant-isolation", "tenant": "t_0123456789abcdef",
        "detail": f"request {number} — refusé", "snapshot_sha256": SNAPSHOT_SHA, "demo": False,
    }


def entries(count: int) -> list[bytes]:
    """A snapshot's entry, then its events, as the site logs them."""
    snapshot = {"kind": "snapshot", "sha256": SNAPSHOT_SHA, "previous_sha256": "",
                "generated_at": "2026-11-29T16:50:00+00:00",
                "ingested_at": "2026-11-29T16:51:00+00:00", "source": "demo",
                "signature_verified": False}
    return [canonical(snapshot)] + [
        canonical({**event(i), "kind": "audit_event"}) for i in range(1, count)
    ]


def run(site, key: NoteKey, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(VERIFY), site.url, "--key", key.vkey, *args],
        capture_output=True, text=True, timeout=120,
    )


def passes(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return result.stdout


def fails(result: subprocess.CompletedProcess, *phrases: str) -> str:
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stderr.startswith("FAILED: ")
    for phrase in phrases:
        assert phrase in result.stderr
    return result.stderr


def test_a_log_of_several_levels_is_rebuilt_from_its_tiles(site, key):
    log = entries(600)  # two full level-0 tiles, a partial one, a partial level-1 tile
    site.publish(log)
    out = passes(run(site, key))
    assert f"{ORIGIN}, 600 entries" in out
    assert "all 600 entries and 7 tiles and bundles hash to the checkpoint's root" in out
    fetched = set(site.requests)
    assert {"/log/checkpoint", tile_path(0, 2, 88), tile_path("entries", 2, 88),
            tile_path(1, 0, 2), tile_path(0, 0, 256)} <= fetched


def test_a_log_past_65536_entries_is_checked_up_to_its_level_two_tile(site, key):
    log = entries(65_536 + 300)
    site.publish(log)
    assert "all 65836 entries and 519 tiles and bundles" in passes(run(site, key))
    path = tile_path(2, 0, 1)
    site.files[path] = bytes(32)
    fails(run(site, key), "tile/2/000.p/1: hash 0 does not match the level-1 tiles below it")


def test_gzipped_answers_are_read_and_a_gzip_bomb_is_not(site, key):
    site.publish(entries(300))
    for path in (tile_path("entries", 0, 256), tile_path(0, 1, 44), "/log/checkpoint"):
        site.files[path] = gzip.compress(site.files[path])
        site.gzipped.add(path)
    passes(run(site, key))

    bomb = tile_path("entries", 1, 44)
    site.files[bomb] = gzip.compress(bytes(40 * 2**20))
    site.gzipped.add(bomb)
    fails(run(site, key), f"{site.url}/log/{bomb[5:]} answered more than 33,554,432 bytes")


def test_an_empty_log_verifies(site, key):
    site.publish([])
    assert "0 entries" in passes(run(site, key))


def test_an_event_is_proven_logged_exactly_as_the_site_serves_it(site, key):
    log = entries(300)
    site.publish(log)
    site.serve_event(event(270), 270)
    assert "event 'evt-00270' is entry 270, exactly as" in passes(run(site, key, "--event",
                                                                       "evt-00270"))


def test_a_snapshot_is_proven_logged_and_its_bytes_are_the_ones_served(site, key):
    site.publish(entries(10))
    site.serve_snapshot(SNAPSHOT_RAW, SNAPSHOT_SHA, 0)
    out = passes(run(site, key, "--snapshot", SNAPSHOT_SHA))
    assert f"snapshot {SNAPSHOT_SHA} is entry 0" in out


def test_a_checkpoint_altered_after_signing_is_refused(site, key):
    note = site.publish(entries(20))
    site.files["/log/checkpoint"] = note.replace(b"\n20\n", b"\n19\n")
    fails(run(site, key), f"signature by {ORIGIN}+{key.id.hex()} does not verify")


def test_a_checkpoint_signed_by_another_key_of_the_same_name_is_refused(site, key):
    site.publish(entries(20))
    impostor = NoteKey(ORIGIN)
    site.files["/log/checkpoint"] = signed_note(
        checkpoint_text(ORIGIN, 20, b"\0" * 32), impostor
    )
    fails(run(site, key), "carries no signature by")


def cosigned(site, witness: NoteKey, timestamp: int = 1_790_000_000) -> bytes:
    """The served checkpoint with `witness`'s cosignature line added after the log's."""
    note = site.files["/log/checkpoint"]
    text = note.decode().split("\n\n")[0] + "\n"
    return note + witness.cosign(text, timestamp).encode()


def test_witness_cosignatures_are_ignored_unless_asked_for(site, key):
    site.publish(entries(20))
    site.files["/log/checkpoint"] = cosigned(site, NoteKey("witness.test/w1", kind=0x04))
    passes(run(site, key))


def test_a_witness_asked_for_must_have_cosigned_the_checkpoint(site, key):
    site.publish(entries(20))
    w1, w2 = NoteKey("witness.test/w1", kind=0x04), NoteKey("witness.test/w2", kind=0x04)
    good = cosigned(site, w1)
    site.files["/log/checkpoint"] = good
    out = passes(run(site, key, "--witness", w1.vkey))
    assert f"cosigned by witness witness.test/w1+{w1.id.hex()} at 2026-09-21 14:13:20 UTC" in out

    fails(run(site, key, "--witness", w1.vkey, "--witness", w2.vkey),
          f"the checkpoint carries no cosignature by witness witness.test/w2+{w2.id.hex()}")

    name, encoded = good.decode().splitlines()[-1][2:].split(" ")
    raw = bytearray(base64.b64decode(encoded))
    raw[11] ^= 1  # the timestamp, one second off
    site.files["/log/checkpoint"] = good.rsplit(b"\n", 2)[0] + f"\n— {name} {b64(raw)}\n".encode()
    fails(run(site, key, "--witness", w1.vkey),
          f"the cosignature by witness witness.test/w1+{w1.id.hex()} does not verify")


@pytest.mark.parametrize("vkey", ["log", "witness"])
def test_a_key_of_the_wrong_kind_is_a_command_line_mistake(site, key, vkey):
    wrong = {"log": ["--key", NoteKey(ORIGIN, kind=0x04).vkey],
             "witness": ["--key", key.vkey, "--witness", key.vkey]}[vkey]
    result = subprocess.run([sys.executable, str(VERIFY), site.url, *wrong],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "is not an Ed25519" in result.stderr


def test_a_level_one_tile_that_does_not_match_the_entries_is_named(site, key):
    site.publish(entries(600))
    path = tile_path(1, 0, 2)
    tile = bytearray(site.files[path])
    tile[40] ^= 1
    site.files[path] = bytes(tile)
    fails(run(site, key), "tile/1/000.p/2: hash 1 does not match the level-0 tiles below it")


def test_an_entry_rewritten_under_its_tile_is_named(site, key):
    log = entries(300)
    site.publish(log)
    forged = list(log)
    forged[260] = forged[260].replace(b"blocked", b"allowed")
    bundle = site.files[tile_path("entries", 1, 44)]
    site.files[tile_path("entries", 1, 44)] = bundle.replace(log[260], forged[260])
    fails(run(site, key), "tile/0/001.p/44: hash 4 does not match the hashes of its entries")


def test_a_bundle_missing_an_entry_is_named(site, key):
    log = entries(30)
    site.publish(log)
    path = tile_path("entries", 0, 30)
    site.files[path] = site.files[path][: -len(log[-1]) - 2]
    fails(run(site, key), "tile/entries/000.p/30 holds 29 entries; the checkpoint needs 30")


def test_an_entry_not_in_canonical_form_is_named(site, key):
    log = entries(5)
    log[3] = json.dumps(json.loads(log[3])).encode()  # spaces after the separators
    site.publish(log)
    fails(run(site, key), "entry 3 (in tile/entries/000.p/5) is not in RFC 8785 canonical form")


def test_an_event_served_differently_from_its_entry_is_named(site, key):
    site.publish(entries(40))
    site.serve_event({**event(7), "detail": "rewritten after the fact"}, 7)
    fails(run(site, key, "--event", "evt-00007"),
          "event 'evt-00007': what", "does not match log entry 7 (fields differ: detail)")


def test_an_event_placed_at_another_entry_is_named(site, key):
    site.publish(entries(40))
    site.serve_event(event(7), 8)
    fails(run(site, key, "--event", "evt-00007"), "does not match log entry 8")


def test_an_event_beyond_the_checkpoint_is_named(site, key):
    site.publish(entries(40))
    site.serve_event(event(45), 45)
    fails(run(site, key, "--event", "evt-00045"),
          "places event 'evt-00045' at log index 45, but the checkpoint's tree has 40 entries")


def test_snapshot_bytes_that_are_not_the_logged_ones_are_named(site, key):
    site.publish(entries(10))
    site.serve_snapshot(SNAPSHOT_RAW, SNAPSHOT_SHA, 0)
    site.files[f"/api/metrics/snapshots/{SNAPSHOT_SHA}.json"] = SNAPSHOT_RAW + b" "
    fails(run(site, key, "--snapshot", SNAPSHOT_SHA), f"snapshot {SNAPSHOT_SHA}: the bytes")


def test_a_snapshot_the_log_does_not_hold_at_its_index_is_named(site, key):
    site.publish(entries(10))
    site.serve_snapshot(SNAPSHOT_RAW, SNAPSHOT_SHA, 3)
    fails(run(site, key, "--snapshot", SNAPSHOT_SHA),
          "log entry 3 is not this snapshot's (its kind is audit_event)")


def test_the_full_tile_stands_in_for_a_partial_one_the_log_has_replaced(site, key):
    log = entries(600)
    site.publish(log, size=300, signed_sizes=[600])
    assert tile_path(0, 1, 44) not in site.files
    assert "300 entries" in passes(run(site, key))
    assert tile_path(0, 1, 256) in site.requests


def test_the_state_file_proves_the_log_only_grew(site, key, tmp_path):
    state = tmp_path / "state.json"
    log = entries(700)
    site.publish(log[:300])
    assert "now holds this checkpoint" in passes(run(site, key, "--state", str(state)))
    assert json.loads(state.read_text())["size"] == 300

    site.publish(log)
    out = passes(run(site, key, "--state", str(state)))
    assert "consistent with the checkpoint seen before (size 300" in out
    assert json.loads(state.read_text())["size"] == 700


def test_a_rewritten_history_is_refused_and_the_state_kept_as_evidence(site, key, tmp_path):
    state = tmp_path / "state.json"
    log = entries(300)
    site.publish(log[:290])
    passes(run(site, key, "--state", str(state)))
    before = state.read_bytes()

    forked = list(log)
    forked[100] = forked[100].replace(b"blocked", b"allowed")
    site.publish(forked)  # signed and internally consistent, but not an extension
    fails(run(site, key, "--state", str(state)),
          "the log was rewritten: its first 290 entries no longer hash to the root",
          f"Evidence: the new checkpoint is saved in {state}.fork, the old one stays in {state}")
    assert state.read_bytes() == before
    assert (tmp_path / "state.json.fork").read_bytes() == site.files["/log/checkpoint"]


def test_a_shrunk_log_is_refused(site, key, tmp_path):
    state = tmp_path / "state.json"
    log = entries(50)
    site.publish(log)
    passes(run(site, key, "--state", str(state)))
    site.publish(log[:49])
    fails(run(site, key, "--state", str(state)), "the log shrank: it has 49 entries")


def test_an_unreachable_site_is_named(key):
    result = subprocess.run(
        [sys.executable, str(VERIFY), "http://127.0.0.1:9", "--key", key.vkey],
        capture_output=True, text=True, timeout=60,
    )
    fails(result, "could not fetch http://127.0.0.1:9/log/checkpoint")


@pytest.mark.parametrize(("args", "message"), [
    (["--key", "tractatus.test/log+00000000+AAAA"], "--key: the key is not an Ed25519"),
    (["--key", "no-plus-signs"], "--key: a verifier key is"),
    (["--snapshot", "ABC"], "--snapshot: name a snapshot by"),
])
def test_command_line_mistakes_exit_2_with_a_reason(key, args, message):
    command = [sys.executable, str(VERIFY), "https://tractatus.test"]
    if args[0] != "--key":
        command += ["--key", key.vkey]
    result = subprocess.run([*command, *args], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert message in result.stderr


def test_a_key_id_that_does_not_match_the_key_is_refused(key):
    name, _, material = key.vkey.split("+", 2)
    with pytest.raises(ValueError, match="does not match"):
        verify.VerifierKey(f"{name}+00000000+{material}")


def test_tile_paths_are_written_as_tlog_tiles_says():
    assert verify.tile_path(0, 1234067, 256) == "tile/0/x001/x234/067"
    assert verify.tile_path(2, 0, 1) == "tile/2/000.p/1"
    assert verify.tile_path("entries", 1000, 17) == "tile/entries/x001/000.p/17"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_canonical_json_is_rfc8785_as_the_rfc8785_package_writes_it(value):
    rfc8785 = pytest.importorskip("rfc8785", reason="the site's RFC 8785 library")
    try:
        expected = rfc8785.dumps(value)
    except rfc8785.CanonicalizationError:
        with pytest.raises(verify.Failure):
            verify.canonical(value)
        return
    assert verify.canonical(value).encode() == expected


@pytest.mark.parametrize(("number", "text"), [  # RFC 8785 Appendix B
    (0.0, "0"), (-0.0, "0"), (5e-324, "5e-324"),
    (1.7976931348623157e308, "1.7976931348623157e+308"),
    (9007199254740992.0, "9007199254740992"), (295147905179352830000.0, "295147905179352830000"),
    (1e21, "1e+21"), (0.000001, "0.000001"), (1e-7, "1e-7"),
    (333333333.3333333, "333333333.3333333"), (-1.5, "-1.5"), (123.0, "123"),
])
def test_numbers_are_written_as_ecmascript_writes_them(number, text):
    assert verify.es_number(number) == text
