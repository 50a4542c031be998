"""The log's state at a glance, for /healthz and the staff admin."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from . import log
from .models import Checkpoint, LogCheck, WitnessState
from .notes import parse_witnesses


@dataclass(frozen=True)
class LogHealth:
    size: int
    key_set: bool
    checkpoint: Checkpoint | None
    fork: str  # why nothing can be signed any more, or ""
    check: LogCheck | None  # the last run of verify_log
    witnesses: list[WitnessState]

    def lines(self) -> list[str]:
        """/healthz's lines about the log: each says what is wrong, or that it is fine."""
        if not self.key_set:
            signed = "no LOG_SIGNING_KEY: no checkpoint is signed"
        elif self.checkpoint is None:
            signed = "no checkpoint signed yet"
        else:
            at = f"{self.checkpoint.signed_at:%Y-%m-%dT%H:%M:%SZ}"
            signed = f"checkpoint {self.checkpoint.size} signed {at}"
        lines = [f"log: {self.size} entries, {signed}"]
        if self.fork:
            lines.append(f"log: FORKED, signing refused: {self.fork}")
        if self.check is None:
            lines.append("log check: never run (manage.py verify_log)")
        elif self.check.intact:
            lines.append(f"log check: intact at {self.check.checked_at:%Y-%m-%dT%H:%M:%SZ}")
        else:
            lines += [f"log check: MISMATCH {problem}" for problem in self.check.problem_list]
        for witness in self.witnesses:
            state = f"ok, cosigned {witness.size}" if witness.ok else witness.detail or "not asked"
            lines.append(f"witness {witness.name}: {state}")
        return lines


def log_health() -> LogHealth:
    key = log.signer()
    configured = [w.name for w in parse_witnesses(settings.WITNESSES)]
    states = {s.name: s for s in WitnessState.objects.filter(name__in=configured)}
    return LogHealth(
        size=log.log_size(),
        key_set=key is not None,
        checkpoint=Checkpoint.objects.filter(origin=key.name).first() if key else None,
        fork=log.fork_problem(),
        check=LogCheck.objects.first(),
        witnesses=[states.get(name) or WitnessState(name=name) for name in configured],
    )
