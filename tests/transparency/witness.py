"""A C2SP tlog-witness on 127.0.0.1 for the tests: it cosigns, refuses or hangs on demand.

It follows c2sp.org/tlog-witness (POST <prefix>/add-checkpoint) and answers with Ed25519
cosignature/v1 lines (c2sp.org/tlog-cosignature). In a test, use the `witness` fixture
(tests/transparency/conftest.py); to run one by hand, or as a separate process:

    python -m tests.transparency.witness --log-key <log verifier key> [--port N]
        [--state FILE] [--mode accept|refuse|hang] [--name witness.test/w1]

which prints one JSON line, {"url": …, "vkey": …, "witnesses": "<vkey> <url>"}, once it listens.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hashlib
import json
import os
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from tests.transparency import independent as rfc
from tests.transparency.notes import COSIGNATURE_V1, NoteKey, Verifier

MAX_PROOF = 63  # consistency proof lines a client may send
DECIMAL = re.compile(r"0|[1-9][0-9]*")
EMPTY_ROOT = hashlib.sha256(b"").digest()


class Refusal(Exception):
    """An answer other than a cosignature: the status, and the body the spec asks for."""

    def __init__(self, status: int, body: str = "", content_type: str = "text/plain"):
        super().__init__(f"{status} {body}")
        self.status, self.body, self.content_type = status, body, content_type


class Witness:
    """One witness: its cosigning key, the logs it trusts, the latest size it cosigned of each.

    `mode` is "accept" (the protocol), "refuse" (every request answered `refusal`), or "hang"
    (no answer until stop() or `hang_seconds`).
    """

    def __init__(self, name: str = "witness.test/w1", port: int = 0,
                 state_path: Path | None = None):
        self.key = NoteKey(name, kind=COSIGNATURE_V1)
        self.logs: dict[str, Verifier] = {}
        self.state_path = state_path
        self.state: dict[str, tuple[int, bytes]] = self.load()
        self.mode, self.refusal, self.hang_seconds = "accept", 403, 60.0
        self.answers: list[int] = []  # the status of every request, in order
        self.lock = threading.Lock()
        self.released = threading.Event()
        self.holding = threading.Event()  # set once a request is held unanswered ("hang")
        witness = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.path != "/add-checkpoint":
                    status, content_type, answer = 404, "text/plain", b"not found\n"
                elif witness.mode == "hang":
                    witness.holding.set()
                    witness.released.wait(witness.hang_seconds)
                    self.close_connection = True
                    return
                else:
                    status, content_type, answer = witness.answer(body)
                witness.answers.append(status)
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """The URL prefix a log posts `add-checkpoint` under."""
        return f"http://127.0.0.1:{self.server.server_port}/"

    @property
    def vkey(self) -> str:
        return self.key.vkey

    @property
    def setting(self) -> str:
        """This witness as one pair of the site's WITNESSES setting."""
        return f"{self.vkey} {self.url}"

    def trust(self, log_vkey: str) -> None:
        verifier = Verifier(log_vkey)
        self.logs[verifier.name] = verifier

    def start(self) -> Witness:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.released.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()

    def answer(self, body: bytes) -> tuple[int, str, bytes]:
        if self.mode == "refuse":
            return self.refusal, "text/plain", b"refused\n"
        try:
            lines = self.add_checkpoint(body)
        except Refusal as refusal:
            return refusal.status, refusal.content_type, refusal.body.encode()
        return 200, "text/plain; charset=utf-8", lines.encode()

    def add_checkpoint(self, body: bytes) -> str:
        """The cosignature of a checkpoint consistent with what this witness saw, or Refusal."""
        old, proof, note = parse_request(body)
        origin = note.split(b"\n", 1)[0].decode(errors="replace")
        verifier = self.logs.get(origin)
        if verifier is None:
            raise Refusal(404, f"unknown log {origin}\n")
        try:
            text = verifier.open(note)
        except (ValueError, UnicodeDecodeError):
            raise Refusal(400, "malformed checkpoint\n") from None
        if text is None:
            raise Refusal(403, "no valid signature by the log's key\n")
        size, root = parse_checkpoint(text)
        if old > size:
            raise Refusal(400, "old size is larger than the checkpoint's\n")
        with self.lock:  # check and update at once: no rollback by a slower request
            known_size, known_root = self.state.get(origin, (0, EMPTY_ROOT))
            if old != known_size:
                raise Refusal(409, f"{known_size}\n", "text/x.tlog.size")
            if size == 0 and root != EMPTY_ROOT:
                raise Refusal(422, "a tree of size 0 has the empty root\n")
            if not consistent(old, size, known_root, root, proof):
                raise Refusal(422, "the consistency proof does not verify\n")
            self.state[origin] = (size, root)
            self.save()
        return self.key.cosign(text, int(time.time()))

    def load(self) -> dict[str, tuple[int, bytes]]:
        if self.state_path is None or not self.state_path.exists():
            return {}
        saved = json.loads(self.state_path.read_text())
        return {origin: (size, base64.b64decode(root)) for origin, (size, root) in saved.items()}

    def save(self) -> None:
        if self.state_path is None:
            return
        saved = {origin: [size, base64.b64encode(root).decode()]
                 for origin, (size, root) in self.state.items()}
        part = self.state_path.with_suffix(".part")
        part.write_text(json.dumps(saved))
        os.replace(part, self.state_path)


def parse_request(body: bytes) -> tuple[int, list[bytes], bytes]:
    """old size, consistency proof, checkpoint note: tlog-witness' add-checkpoint body."""
    head, separator, note = body.partition(b"\n\n")
    lines = head.split(b"\n")
    match = re.fullmatch(rb"old (0|[1-9][0-9]*)", lines[0])
    if not separator or match is None or len(lines) - 1 > MAX_PROOF:
        raise Refusal(400, "the body is not old size, proof lines, blank line, checkpoint\n")
    try:
        proof = [base64.b64decode(line, validate=True) for line in lines[1:]]
    except binascii.Error:
        raise Refusal(400, "a proof line is not base64\n") from None
    if any(len(hash_) != 32 for hash_ in proof):
        raise Refusal(400, "a proof line is not a SHA-256 hash\n")
    return int(match[1]), proof, note


def parse_checkpoint(text: str) -> tuple[int, bytes]:
    lines = text.split("\n")
    try:
        root = base64.b64decode(lines[2], validate=True)
    except (IndexError, binascii.Error):
        root = b""
    if len(lines) < 4 or not DECIMAL.fullmatch(lines[1]) or len(root) != 32:
        raise Refusal(400, "the checkpoint is not origin, size, root hash\n")
    return int(lines[1]), root


def consistent(old: int, size: int, old_root: bytes, root: bytes, proof: list[bytes]) -> bool:
    """tlog-witness: empty proof from 0; equal roots at equal sizes; else RFC 9162 §2.1.4.2."""
    if old == 0:
        return not proof
    if old == size:
        return not proof and old_root == root
    return rfc.verify_consistency(old, size, old_root, root, proof)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="A tlog-witness for tests, on 127.0.0.1.")
    parser.add_argument("--log-key", action="append", required=True,
                        help="a log verifier key to trust (repeat for several logs)")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--state", type=Path, help="file keeping the latest cosigned sizes")
    parser.add_argument("--mode", choices=["accept", "refuse", "hang"], default="accept")
    parser.add_argument("--name", default="witness.test/w1")
    args = parser.parse_args(argv)
    witness = Witness(args.name, args.port, args.state)
    for vkey in args.log_key:
        witness.trust(vkey)
    witness.mode = args.mode
    print(json.dumps({"url": witness.url, "vkey": witness.vkey, "witnesses": witness.setting}),
          flush=True)
    witness.server.serve_forever()  # until the process is stopped


if __name__ == "__main__":
    main()
