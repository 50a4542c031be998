"""A tiny tiled log served from memory on 127.0.0.1, built by the tests' own RFC 9162 code.

It serves what the site serves (c2sp.org/tlog-tiles under /log/, the JSON an entry stands for),
so verify.py can be run against a log whose every byte the test chose, good or bad.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.transparency import independent as rfc
from tests.transparency.notes import NoteKey, checkpoint_text, signed_note

WIDTH = 256
ORIGIN = "tractatus.test/log"  # the static logs' origin and key name


def tile_name(index: int) -> str:
    """N written as zero-padded 3-digit path elements, all but the last prefixed with x."""
    parts = [f"{index % 1000:03d}"]
    while index >= 1000:
        index //= 1000
        parts.insert(0, f"x{index % 1000:03d}")
    return "/".join(parts)


def tile_path(level: int | str, index: int, width: int) -> str:
    return f"/log/tile/{level}/{tile_name(index)}" + (f".p/{width}" if width < WIDTH else "")


def tiles(D: Sequence[bytes]) -> dict[str, bytes]:
    """Every tile and entry bundle of the tree of D, straight from tlog-tiles' definition:

    tile n at level l holds MTH(D[(n * 256 + i) * 256**l : (n * 256 + i + 1) * 256**l]).
    """
    files = {}
    level = 0
    while count := len(D) // WIDTH**level:
        span = WIDTH**level
        for start in range(0, count, WIDTH):
            width = min(WIDTH, count - start)
            files[tile_path(level, start // WIDTH, width)] = b"".join(
                rfc.mth(D[i * span : (i + 1) * span]) for i in range(start, start + width)
            )
            if level == 0:
                files[tile_path("entries", start // WIDTH, width)] = b"".join(
                    len(entry).to_bytes(2, "big") + entry for entry in D[start : start + width]
                )
        level += 1
    return files


def served_tiles(D: Sequence[bytes], sizes: Sequence[int]) -> dict[str, bytes]:
    """The tiles of every signed size, less the partial ones a full tile has replaced."""
    files = {}
    for size in sizes:
        files |= tiles(D[:size])
    return {
        path: data for path, data in files.items()
        if ".p/" not in path or path.split(".p/")[0] not in files
    }


def canonical(value: dict) -> bytes:
    """RFC 8785 for the tests' entries: ASCII keys, strings, integers and booleans."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


class StaticLog:
    """A log on 127.0.0.1 serving `files` (path with query → bytes); anything else is a 404."""

    def __init__(self, key: NoteKey):
        self.key = key
        self.files: dict[str, bytes] = {}
        self.gzipped: set[str] = set()  # paths whose files are sent as Content-Encoding: gzip
        self.requests: list[str] = []
        log = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                log.requests.append(self.path)
                body = log.files.get(self.path)
                self.send_response(200 if body is not None else 404)
                if self.path in log.gzipped:
                    self.send_header("Content-Encoding", "gzip")
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def publish(self, D: Sequence[bytes], size: int | None = None,
                signed_sizes: Sequence[int] = ()) -> bytes:
        """Serves the tiles of D and a checkpoint of `size` (all of D by default)."""
        size = len(D) if size is None else size
        self.files = {path: data for path, data in self.files.items()
                      if not path.startswith("/log/")}
        self.files |= served_tiles(D, [*signed_sizes, size])
        self.files["/log/checkpoint"] = signed_note(
            checkpoint_text(self.key.name, size, rfc.mth(D[:size])), self.key
        )
        return self.files["/log/checkpoint"]

    def serve_event(self, event: dict, index: int) -> None:
        self.files[f"/api/metrics/audit/{event['id']}.json"] = json.dumps(
            {**event, "log_index": index}).encode()

    def serve_snapshot(self, raw: bytes, sha256: str, index: int, latest: bool = True) -> None:
        self.files[f"/api/metrics/snapshots/{sha256}.json"] = raw
        self.files[f"/api/log/lookup?snapshot={sha256}"] = json.dumps(
            {"log_index": index, "kind": "snapshot"}).encode()
        if latest:
            self.files["/api/metrics/latest.json"] = json.dumps(
                {"sha256": sha256, "log_index": index}).encode()


@contextlib.contextmanager
def static_log(key: NoteKey) -> Iterator[StaticLog]:
    log = StaticLog(key)
    thread = threading.Thread(target=log.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield log
    finally:
        log.server.shutdown()
        log.server.server_close()
        thread.join()
