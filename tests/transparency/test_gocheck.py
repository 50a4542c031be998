"""Go's sumdb/note and sumdb/tlog read the logs the tests build as the site's own: the tests'
RFC 9162 code, tile layout and note signing agree with clients nobody here wrote."""

from __future__ import annotations

from tests.transparency.staticlog import ORIGIN, tile_path

LOG = [b'{"kind":"test","n":%d}' % i for i in range(70_000 // 100)]


def test_go_verifies_the_signature_every_tile_and_every_entry(site, key, gocheck):
    site.publish(LOG)
    result = gocheck(site.url, key.vkey)
    assert result.returncode == 0, result.stderr
    assert f"checkpoint {ORIGIN}: 700 entries" in result.stdout
    assert "every entry proven" in result.stdout


def test_go_proves_a_grown_log_consistent_with_an_earlier_checkpoint(site, key, gocheck, tmp_path):
    old = tmp_path / "old-checkpoint"
    old.write_bytes(site.publish(LOG[:300]))
    site.publish(LOG, signed_sizes=[300])
    result = gocheck(site.url, key.vkey, "-old", str(old), "-entries=false")
    assert result.returncode == 0, result.stderr
    assert "consistent with the checkpoint of 300 entries" in result.stdout


def test_go_refuses_a_fork(site, key, gocheck, tmp_path):
    old = tmp_path / "old-checkpoint"
    old.write_bytes(site.publish(LOG[:300]))
    site.publish([*LOG[:100], b"rewritten", *LOG[101:]])
    result = gocheck(site.url, key.vkey, "-old", str(old), "-entries=false")
    assert result.returncode == 1
    assert "not consistent with" in result.stderr


def test_go_refuses_a_bad_signature_a_bad_tile_and_a_bad_entry(site, key, gocheck):
    note = site.publish(LOG)
    site.files["/log/checkpoint"] = note.replace(b"\n700\n", b"\n699\n")
    assert gocheck(site.url, key.vkey).returncode == 1

    for path, flags in ((tile_path(0, 2, 188), ["-entries=false"]), (tile_path(0, 1, 256), [])):
        site.publish(LOG)  # the root alone needs tile 2; tile 1 is read to prove its entries
        site.files[path] = site.files[path][:100] + b"\xff" + site.files[path][101:]
        result = gocheck(site.url, key.vkey, *flags)
        assert result.returncode == 1, result.stdout
        assert result.stderr.startswith("FAILED: ")

    site.publish(LOG)
    path = tile_path("entries", 2, 188)
    site.files[path] = site.files[path].replace(LOG[600], LOG[600].replace(b"600", b"601"))
    result = gocheck(site.url, key.vkey)
    assert result.returncode == 1
    assert "entry 600 (tile/entries/002.p/188): tlog.CheckRecord" in result.stderr


def test_go_cannot_run_without_the_site(key, gocheck):
    result = gocheck("http://127.0.0.1:9", key.vkey)
    assert result.returncode == 2
