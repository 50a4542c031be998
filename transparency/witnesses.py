"""Witnesses (c2sp.org/tlog-witness): each new checkpoint is sent for cosigning after commit.

A witness cosigns a checkpoint only if it is consistent with the last one it saw of this log,
so a log that showed two histories would be caught by any of them. Sending never holds up an
ingest: it runs after the commit, in a thread of its own per witness, with short timeouts; a
witness that is down or refuses is recorded in `WitnessState` and shown on /healthz and in the
admin, and the checkpoint is served without its cosignature.
"""

from __future__ import annotations

import base64
import logging
import threading

import requests
from django.conf import settings
from django.db import connection, transaction
from django.dispatch import receiver
from django.utils import timezone

from alerts.watch import check_witness

from .log import checkpoint_published, tree
from .models import Checkpoint, Cosignature, WitnessState
from .notes import Witness, parse_witnesses, split_note

logger = logging.getLogger(__name__)
SIZE_TYPE = "text/x.tlog.size"
_pending: list[threading.Thread] = []


def configured() -> list[Witness]:
    return parse_witnesses(settings.WITNESSES)


@receiver(checkpoint_published)
def send_later(sender, checkpoint: Checkpoint, **kwargs) -> None:
    """Ask every witness to cosign a newly published checkpoint, each in its own thread."""
    for witness in configured():
        thread = threading.Thread(
            target=cosign_in_thread, args=(witness, checkpoint.pk), name=f"witness {witness.name}"
        )
        thread.start()
        _pending.append(thread)


def wait() -> None:
    """Wait for the witnesses asked so far (commands and tests, before they end)."""
    while _pending:
        _pending.pop().join()


def cosign_in_thread(witness: Witness, checkpoint_pk: int) -> None:
    try:
        cosign(witness, Checkpoint.objects.get(pk=checkpoint_pk))
    except Exception:
        logger.exception("witness %s: cosigning failed", witness.name)
    finally:
        connection.close()


def request_body(old: int, checkpoint: Checkpoint) -> bytes:
    """old <size>, the consistency proof from it, a blank line, then the signed checkpoint."""
    proof = tree(checkpoint.size).consistency_proof(old, checkpoint.size)
    lines = [f"old {old}\n", *(base64.b64encode(h).decode() + "\n" for h in proof), "\n"]
    return ("".join(lines) + checkpoint.note).encode()


def cosign(witness: Witness, checkpoint: Checkpoint) -> WitnessState:
    """One add-checkpoint exchange (retried once from the size a 409 names); state recorded."""
    state, _ = WitnessState.objects.get_or_create(name=witness.name, defaults={"url": witness.url})
    state.url, state.attempted_at = witness.url, timezone.now()
    old = state.size if state.size <= checkpoint.size else 0
    try:
        response = post(witness, old, checkpoint)
        if response.status_code == 409 and response.headers.get("Content-Type") == SIZE_TYPE:
            known = int(response.text.strip())
            if known > checkpoint.size:
                return record(state, False, f"has seen a larger checkpoint ({known} entries)")
            response = post(witness, known, checkpoint)
    except requests.Timeout:
        return record(state, False, f"no answer within {settings.LOG_WITNESS_TIMEOUT:g} s")
    except (requests.RequestException, ValueError) as exc:
        return record(state, False, f"unreachable: {type(exc).__name__}")
    if response.status_code != 200:
        reason = response.text.strip().splitlines()[0][:200] if response.text.strip() else ""
        return record(state, False, f"refused: HTTP {response.status_code} {reason}".strip())
    body, _ = split_note(checkpoint.note)
    for line in response.text.splitlines(keepends=True):
        if witness.verifier.verify_cosignature(body, line) is not None:
            with transaction.atomic():
                Cosignature.objects.get_or_create(
                    checkpoint=checkpoint, witness=witness.name, defaults={"line": line}
                )
            state.size, state.cosigned_at = checkpoint.size, timezone.now()
            return record(state, True, "")
    return record(state, False, "answered without a valid cosignature by its key")


def post(witness: Witness, old: int, checkpoint: Checkpoint) -> requests.Response:
    timeout = settings.LOG_WITNESS_TIMEOUT
    return requests.post(
        witness.endpoint,
        data=request_body(old, checkpoint),
        headers={"Content-Type": "text/plain; charset=utf-8"},
        timeout=(timeout, timeout),
        allow_redirects=False,
    )


def record(state: WitnessState, ok: bool, detail: str) -> WitnessState:
    state.ok, state.detail = ok, detail
    state.save()
    check_witness(state)  # staff told when it refuses, and when it cosigns again
    return state
