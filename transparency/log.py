"""The log itself: append entries, sign checkpoints, and refuse to fork what was published.

Other apps call `append(entry)` inside their own transaction whenever they store evidence, so
the evidence and its entry commit together or not at all. Each append locks the log's head row
(`SELECT … FOR UPDATE` on PostgreSQL; SQLite's write lock is taken at BEGIN), so concurrent
writers on any number of machines make one linear log. After the entries and tiles are written
the new size is signed as a checkpoint in the same transaction; once committed, the checkpoint
is also written to LOG_CHECKPOINT_DIR and sent to the witnesses.
"""

from __future__ import annotations

import base64
import fcntl
import functools
import logging
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.dispatch import Signal

from . import entries as entry_formats
from .merkle import TILE_WIDTH, TileBuilder, TileFinder, Tree, leaf_hash
from .models import Checkpoint, Cosignature, LogEntry, LogHead, Tile
from .notes import Signer, verify_note

logger = logging.getLogger(__name__)


class LogForked(Exception):
    """The log no longer extends a checkpoint it already published: nothing may be signed."""


@dataclass(frozen=True)
class Item:
    """An entry about to be appended, and the row it stands for."""

    data: bytes
    snapshot_id: int | None = None
    audit_event_id: int | None = None


def append(entry: dict) -> int:
    """Append one entry (a JSON object with a "kind") and return its log index.

    Call it inside the transaction that stores what the entry is about: both commit together.
    """
    if not isinstance(entry.get("kind"), str):
        raise ValueError('a log entry is a JSON object with a "kind"')
    return append_items([Item(entry_formats.canonical(entry))])[0]


def append_snapshot(snapshot, events: Sequence) -> int:
    """Log an accepted snapshot, then its new audit events in feed order; its index is returned."""
    items = [Item(entry_formats.canonical(entry_formats.snapshot_entry(snapshot)), snapshot.pk)]
    items += [
        Item(entry_formats.canonical(entry_formats.event_entry(e, snapshot)), None, e.pk)
        for e in events
    ]
    return append_items(items)[0]


def append_items(items: Sequence[Item], *, sign: bool = True) -> list[int]:
    with transaction.atomic():
        head = LogHead.objects.select_for_update().get_or_create(pk=1)[0]
        start = head.size
        insert_entries(start, items)
        builder = TileBuilder(start, edge_tiles(start))
        builder.add(leaf_hash(item.data) for item in items)
        Tile.objects.bulk_create(
            [Tile(level=lv, index=ix, hashes=data) for (lv, ix), data in builder.changed.items()],
            update_conflicts=True,
            unique_fields=["level", "index"],
            update_fields=["hashes"],
        )
        head.size = builder.size
        head.save(update_fields=["size"])
        if sign:
            publish(head.size)
    return list(range(start, start + len(items)))


def insert_entries(start: int, items: Sequence[Item]) -> None:
    """The entries' rows, without building a model instance each: 5,000 at once in an ingest."""
    quote = connection.ops.quote_name
    table = quote(LogEntry._meta.db_table)
    columns = ", ".join(quote(c) for c in ("index", "data", "snapshot_id", "audit_event_id"))
    rows = [(start + n, i.data, i.snapshot_id, i.audit_event_id) for n, i in enumerate(items)]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY: one INSERT a row, even pipelined, made the log most of an ingest's time.
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s)",  # noqa: S608 - names
                rows,
            )


def edge_tiles(size: int) -> dict[int, bytes]:
    """The rightmost, incomplete tile of every level of a log of `size` leaves."""
    wanted, level = {}, 0
    while (hashes := size // TILE_WIDTH**level) > 0:
        if hashes % TILE_WIDTH:
            wanted[level] = hashes // TILE_WIDTH
        level += 1
    if not wanted:
        return {}
    query = Q()
    for lv, ix in wanted.items():
        query |= Q(level=lv, index=ix)
    return {t.level: bytes(t.hashes) for t in Tile.objects.filter(query)}


def read_tile(level: int, index: int) -> bytes:
    found = Tile.objects.filter(level=level, index=index).values_list("hashes", flat=True).first()
    return bytes(found) if found is not None else b""


def tree(size: int | None = None) -> Tree:
    """The stored tree, at the head's size unless told otherwise."""
    if size is None:
        size = log_size()
    return Tree(size, read_tile)


def tree_for(size: int, compute: Callable[[Tree], object]) -> Tree:
    """A tree whose tiles for `compute` are read in one query, not one query a tile."""
    finder = TileFinder(size)
    compute(finder)
    query = Q(pk__in=[])
    for level, index in finder.wanted:
        query |= Q(level=level, index=index)
    tiles = {(t.level, t.index): bytes(t.hashes) for t in Tile.objects.filter(query)}
    return Tree(size, lambda level, index: tiles.get((level, index), b""))


def log_size() -> int:
    return LogHead.objects.values_list("size", flat=True).first() or 0


@functools.lru_cache(maxsize=4)
def parse_signer(text: str) -> Signer:
    return Signer.parse(text)


def signer() -> Signer | None:
    """The log's signing key (LOG_SIGNING_KEY), or None when the site has none."""
    return parse_signer(settings.LOG_SIGNING_KEY) if settings.LOG_SIGNING_KEY else None


def checkpoint_body(origin: str, size: int, root: bytes) -> str:
    """A tlog-checkpoint's text: origin, size and root hash lines, no extensions."""
    return f"{origin}\n{size}\n{base64.b64encode(root).decode()}\n"


def parse_checkpoint(body: str) -> tuple[str, int, bytes]:
    lines = body.split("\n")
    return lines[0], int(lines[1]), base64.b64decode(lines[2])


def publish(size: int) -> Checkpoint | None:
    """Sign the log at `size` (inside the appending transaction), unless it would fork.

    Returns None when there is no signing key: entries are still appended, and the first
    checkpoint is signed once a key is set.
    """
    key = signer()
    if key is None:
        return None
    stored = tree(size)
    check_extends_published(key, stored)
    existing = Checkpoint.objects.filter(origin=key.name, size=size).first()
    if existing is not None:
        return existing
    root = stored.root()
    checkpoint = Checkpoint.objects.create(
        origin=key.name, size=size, root=root, note=key.sign(checkpoint_body(key.name, size, root))
    )
    transaction.on_commit(functools.partial(after_commit, checkpoint.pk))
    return checkpoint


@dataclass(frozen=True)
class Served:
    """The checkpoint /log/checkpoint serves: the log's signed note, then its cosignatures."""

    size: int
    note: str
    cosignatures: tuple[str, ...]

    @property
    def text(self) -> str:
        return self.note + "".join(self.cosignatures)


# Monitors and witnesses poll the checkpoint, so its one query is written out: built by the
# ORM, a join and a subquery cost several times what the database takes to answer them.
SERVED_QUERY = (
    "SELECT c.size, c.note, s.line FROM {checkpoint} c"
    " LEFT JOIN {cosignature} s ON s.checkpoint_id = c.id"
    " WHERE c.origin = %s AND c.size = (SELECT h.size FROM {head} h WHERE h.id = 1)"
    " ORDER BY s.witness"
)


def latest_checkpoint() -> Served | None:
    """The checkpoint of the head's size, signed now if it is not yet (e.g. a key just set)."""
    key = signer()
    if key is None:
        return None
    tables = {
        name: connection.ops.quote_name(model._meta.db_table)
        for name, model in (("checkpoint", Checkpoint), ("cosignature", Cosignature),
                            ("head", LogHead))
    }
    with connection.cursor() as cursor:
        cursor.execute(SERVED_QUERY.format(**tables), [key.name])
        rows = cursor.fetchall()
    if rows:
        size, note = rows[0][:2]
        # A restored database would serve an older head: the copy on disk says so cheaply.
        on_disk = published_size(origin_directory(key.name) / "latest")
        if on_disk is not None and on_disk > size:
            raise LogForked(
                f"a checkpoint of {on_disk} was published, the database's latest is"
                f" {size}: it was restored from before it (see docs/transparency.md)"
            )
        return Served(size, note, tuple(line for *_, line in rows if line is not None))
    with transaction.atomic():
        head = LogHead.objects.select_for_update().get_or_create(pk=1)[0]
        checkpoint = publish(head.size)
    lines = checkpoint.cosignatures.values_list("line", flat=True)
    return Served(checkpoint.size, checkpoint.note, tuple(lines))


# Published checkpoints, also kept outside the database ----------------------------------------


def origin_directory(origin: str) -> Path:
    return Path(settings.LOG_CHECKPOINT_DIR) / quote(origin, safe="")


def save_published(checkpoint: Checkpoint) -> None:
    """Write the checkpoint as `<size>` and, if it is the largest yet, as `latest`."""
    directory = origin_directory(checkpoint.origin)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / str(checkpoint.size)).write_text(checkpoint.note)
    with (directory / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two machines' writers never move `latest` back
        current = published_size(directory / "latest")
        if current is None or checkpoint.size > current:
            spare = directory / f".latest.{os.getpid()}.{threading.get_ident()}"
            spare.write_text(checkpoint.note)
            spare.replace(directory / "latest")


def published_size(path: Path) -> int | None:
    try:
        return parse_checkpoint(path.read_text())[1]
    except (OSError, ValueError, IndexError):
        return None


def last_published(key: Signer) -> tuple[str, int, bytes] | None:
    """The largest checkpoint ever written outside the database for this key's origin."""
    path = origin_directory(key.name) / "latest"
    try:
        note = path.read_text()
    except FileNotFoundError:
        return None
    body = verify_note(note, key.verifier)
    if body is None:
        raise LogForked(f"{path} is not a checkpoint signed by this log's key")
    return parse_checkpoint(body)


def check_extends_published(key: Signer, stored: Tree) -> None:
    """Raise LogForked unless the tree extends every checkpoint this origin has published."""
    published = [last_published(key)]
    in_database = Checkpoint.objects.filter(origin=key.name).order_by("-size").first()
    if in_database is not None:
        published.append((in_database.origin, in_database.size, bytes(in_database.root)))
    for _origin, size, root in filter(None, published):
        if size > stored.size:
            raise LogForked(
                f"the log holds {stored.size} entries but a checkpoint of {size} was published:"
                " the database was restored from before it (see docs/transparency.md, Recovery)"
            )
        if stored.root(size) != root:
            raise LogForked(
                f"the log's first {size} entries no longer hash to the root published for"
                " them (see docs/transparency.md, Recovery)"
            )


def fork_problem() -> str:
    """Why the log can no longer be signed, or "" when it still extends what was published."""
    key = signer()
    if key is None:
        return ""
    try:
        check_extends_published(key, tree())
    except LogForked as exc:
        return str(exc)
    return ""


# Sent once a new checkpoint is committed and copied to disk. The witnesses' client
# (witnesses.py) receives it: it reads the log for its proofs, so the log does not import it.
checkpoint_published = Signal()


def after_commit(checkpoint_pk: int) -> None:
    """Once a checkpoint is committed: its copy on disk, then the witnesses, off the request."""
    checkpoint = Checkpoint.objects.get(pk=checkpoint_pk)
    try:
        save_published(checkpoint)
    except OSError:
        logger.exception("could not write checkpoint %s to LOG_CHECKPOINT_DIR", checkpoint)
    checkpoint_published.send(sender=Checkpoint, checkpoint=checkpoint)
