"""The log as c2sp.org/tlog-tiles serves it, and its proofs as JSON, checked independently."""

from __future__ import annotations

import base64

import pytest

from tests.transparency import independent
from transparency import log
from transparency.entries import canonical
from transparency.models import LogEntry
from transparency.notes import split_note, verify_note

pytestmark = pytest.mark.django_db


def grow(count: int, *, start: int = 0) -> list[bytes]:
    """Appends `count` evidence entries one append at a time; every entry's bytes in order."""
    for n in range(start, start + count):
        log.append({"kind": "evidence", "n": n})
    return [bytes(e.data) for e in LogEntry.objects.order_by("index")]


def bundle(data: bytes) -> list[bytes]:
    entries = []
    while data:
        length = int.from_bytes(data[:2], "big")
        entries.append(data[2 : 2 + length])
        data = data[2 + length :]
    return entries


def test_the_checkpoint_is_a_signed_note_naming_origin_size_and_root(client, log_key):
    leaves = grow(5)
    response = client.get("/log/checkpoint")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "max-age=10" in response["Cache-Control"]
    note = response.content.decode()
    body = verify_note(note, log_key.verifier)
    root = base64.b64encode(independent.mth(leaves)).decode()
    assert body == f"tests.example/log\n5\n{root}\n"
    assert split_note(note)[1][0].startswith("— tests.example/log ")


def test_without_a_key_the_checkpoint_is_a_503_naming_the_setting(client, settings):
    settings.LOG_SIGNING_KEY = ""
    grow(1)
    response = client.get("/log/checkpoint")
    assert response.status_code == 503
    assert "LOG_SIGNING_KEY" in response.content.decode()
    assert client.get("/log/key").status_code == 503


def test_the_key_is_the_verifier_go_reads(client, log_key):
    response = client.get("/log/key")
    assert response.content.decode() == f"{log_key.verifier}\n"
    name, key_hash, encoded = str(log_key.verifier).split("+", 2)
    assert name == "tests.example/log"
    assert len(bytes.fromhex(key_hash)) == 4
    assert base64.b64decode(encoded)[0] == 0x01


def test_full_tiles_are_immutable_and_partial_ones_stay_for_every_signed_size(client, log_key):
    grow(3)
    client.get("/log/checkpoint")  # published at 3
    leaves = grow(300, start=3)  # each append signs: 4, 5, ... 303
    hashes = [independent.leaf_hash(leaf) for leaf in leaves]
    full = client.get("/log/tile/0/000")
    assert full.status_code == 200
    assert full["Content-Type"] == "application/octet-stream"
    assert "immutable" in full["Cache-Control"] and "max-age=31536000" in full["Cache-Control"]
    assert full.content == b"".join(hashes[:256])
    # The tile as it was at size 3 is still served, and says what it said then.
    assert client.get("/log/tile/0/000.p/3").content == b"".join(hashes[:3])
    assert client.get("/log/tile/0/001.p/47").content == b"".join(hashes[256:303])
    # The level-1 tile holds the root of each complete level-0 tile.
    assert client.get("/log/tile/1/000.p/1").content == independent.mth(leaves[:256])
    assert client.get("/log/tile/0/001.p/48").status_code == 404  # beyond the log
    assert client.get("/log/tile/0/001").status_code == 404  # not full yet


@pytest.mark.parametrize("path", ["/log/tile/0/001.p/1", "/log/tile/1/000.p/1", "/log/tile/9/000"])
def test_a_tile_the_log_does_not_hold_yet_is_a_404_saying_so(client, path):
    grow(3)  # one partial tile, 0/000: a client polling ahead asks for the next ones
    response = client.get(path)
    assert (response.status_code, response.content) == (404, b"no such tile yet\n")


def test_entry_bundles_hold_uint16_length_prefixed_entries(client, log_key):
    leaves = grow(260)
    full = client.get("/log/tile/entries/000")
    assert full["Content-Type"] == "application/octet-stream"
    assert bundle(full.content) == leaves[:256]
    assert bundle(client.get("/log/tile/entries/001.p/4").content) == leaves[256:260]
    assert client.get("/log/tile/entries/001.p/5").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/log/tile/0/0", "/log/tile/0/000.p/0", "/log/tile/0/000.p/256", "/log/tile/0/000.p/01",
        "/log/tile/00/000", "/log/tile/64/000", "/log/tile/0/x000/001", "/log/tile/entries/1",
        "/log/tile/0/000.p/", "/log/tile/0/000.p/3/",
    ],
)
def test_anything_but_an_exact_tile_path_is_a_404(client, log_key, path):
    grow(3)
    assert client.get(path).status_code == 404


def test_inclusion_proofs_verify_with_an_independent_implementation(client):
    leaves = grow(20)
    for index, size in [(0, 1), (3, 7), (19, 20), (8, 16)]:
        answer = client.get(f"/api/log/proof/inclusion?index={index}&size={size}").json()
        proof = [base64.b64decode(h) for h in answer["proof"]]
        leaf = independent.leaf_hash(leaves[index])
        assert answer["leaf_hash"] == base64.b64encode(leaf).decode()
        assert (answer["index"], answer["size"]) == (index, size)
        assert independent.verify_inclusion(
            index, size, independent.leaf_hash(leaves[index]), proof,
            independent.mth(leaves[:size]),
        )


def test_consistency_proofs_verify_with_an_independent_implementation(client):
    leaves = grow(20)
    for old, new in [(1, 2), (3, 7), (4, 20), (13, 20)]:
        answer = client.get(f"/api/log/proof/consistency?from={old}&to={new}").json()
        assert (answer["from"], answer["to"]) == (old, new)
        assert independent.verify_consistency(
            old, new, independent.mth(leaves[:old]), independent.mth(leaves[:new]),
            [base64.b64decode(h) for h in answer["proof"]],
        )
    assert client.get("/api/log/proof/consistency?from=20&to=20").json()["proof"] == []


def test_proofs_past_one_tile_read_every_tile_they_need(client):
    # 557 entries in two appends, the second finishing level 0's second tile onto level 1's
    # partial first one: level 0's three tiles and level 1's first hold these proofs' hashes.
    for start, stop in ((0, 257), (257, 557)):
        log.append_items(
            [log.Item(canonical({"kind": "evidence", "n": n})) for n in range(start, stop)]
        )
    leaves = [bytes(e.data) for e in LogEntry.objects.order_by("index")]
    for index, size in [(0, 300), (299, 300), (255, 257), (256, 300), (0, 557), (556, 557)]:
        answer = client.get(f"/api/log/proof/inclusion?index={index}&size={size}").json()
        assert independent.verify_inclusion(
            index, size, independent.leaf_hash(leaves[index]),
            [base64.b64decode(h) for h in answer["proof"]], independent.mth(leaves[:size]),
        ), (index, size)
    for old, new in [(256, 300), (100, 300), (255, 256), (300, 557), (512, 557)]:
        answer = client.get(f"/api/log/proof/consistency?from={old}&to={new}").json()
        assert independent.verify_consistency(
            old, new, independent.mth(leaves[:old]), independent.mth(leaves[:new]),
            [base64.b64decode(h) for h in answer["proof"]],
        ), (old, new)


@pytest.mark.parametrize(
    "query",
    [
        "inclusion", "inclusion?index=0", "inclusion?index=-1&size=3", "inclusion?index=3&size=3",
        "inclusion?index=0&size=21", "inclusion?index=a&size=3", "inclusion?index=01&size=3",
        "inclusion?index=0&size=1e3", "consistency?from=4&to=3", "consistency?from=1&to=21",
        "consistency?to=3", "consistency?from=1&to=99999999999999999999999",
    ],
)
def test_a_bad_or_out_of_range_parameter_is_a_400_with_json(client, query):
    grow(20)
    response = client.get(f"/api/log/proof/{query}")
    assert response.status_code == 400
    assert set(response.json()) == {"error"}
