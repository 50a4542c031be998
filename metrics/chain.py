"""Verification of the snapshot hash chain: every stored byte and every link, oldest first."""

from __future__ import annotations

from dataclasses import dataclass

from .models import ChainCheck, Snapshot


@dataclass(frozen=True)
class ChainReport:
    """The outcome of one walk along the chain; `broken_at` is empty when it is intact."""

    checked: int
    verified_through: str = ""
    broken_at: str = ""
    problem: str = ""

    @property
    def intact(self) -> bool:
        return not self.broken_at


def verify_chain() -> ChainReport:
    """Walk the snapshots by generated_at and name the first one that breaks the chain.

    A snapshot breaks it when its stored bytes no longer hash to its SHA-256, or when its
    previous_sha256 is not the SHA-256 of the snapshot before it (empty for the first).
    """
    snapshots = Snapshot.objects.order_by("generated_at").only(
        "raw", "sha256", "previous_sha256", "generated_at"
    )
    previous = ""
    checked = 0
    for snapshot in snapshots.iterator(chunk_size=20):
        checked += 1
        if not snapshot.hash_matches():
            problem = "its stored bytes no longer hash to its SHA-256"
        elif snapshot.previous_sha256 != previous:
            expected = previous[:12] or "nothing (it is the first)"
            problem = (
                f"its previous_sha256 {snapshot.previous_sha256[:12] or '(empty)'}"
                f" does not point to the snapshot before it, {expected}"
            )
        else:
            previous = snapshot.sha256
            continue
        return ChainReport(checked, previous, snapshot.sha256, problem)
    return ChainReport(checked, previous)


def record_chain_check() -> ChainCheck:
    """Verify the chain now and keep the result for the public audit page."""
    report = verify_chain()
    return ChainCheck.objects.create(
        snapshots_checked=report.checked,
        verified_through=report.verified_through,
        broken_at=report.broken_at,
        problem=report.problem,
    )
