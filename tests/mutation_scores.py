"""`make mutate`'s summary: for each mutated module, how many of its mutants the tests killed.

Reads what mutmut recorded under mutants/ (one .meta file per module). A mutant counts as
killed when a test failed or timed out under it; survivors and mutants no test of the module's
scope reaches count against the score; mutants not run yet are left out and reported.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from mutmut.stats import status_by_exit_code

KILLED = {"killed", "timeout", "caught by type check"}
GOAL = 90.0


def scores(root: Path = Path("mutants")) -> dict[str, Counter]:
    """Mutant statuses per module, e.g. {"metrics/ingest.py": Counter({"killed": 412, ...})}."""
    found = {}
    for meta in sorted(root.rglob("*.py.meta")):
        codes = json.loads(meta.read_text())["exit_code_by_key"].values()
        found[str(meta.relative_to(root)).removesuffix(".meta")] = Counter(
            status_by_exit_code[code] for code in codes
        )
    return found


def main() -> int:
    below = False
    print(f"{'module':32} {'killed':>7} {'survived':>9} {'no tests':>9} {'unrun':>6} {'score':>6}")
    for module, counts in scores().items():
        killed = sum(counts[status] for status in KILLED)
        unrun = counts["not checked"]
        run = sum(counts.values()) - unrun
        score = 100 * killed / run if run else 0.0
        below |= bool(run) and score < GOAL
        print(
            f"{module:32} {killed:7} {counts['survived']:9} {counts['no tests']:9} {unrun:6}"
            f" {score:5.1f}%" if run else f"{module:32} {'':7} {'':9} {'':9} {unrun:6}  unrun"
        )
    print(f"\nGoal: {GOAL:.0f} % killed in each module. Survivors: .venv/bin/mutmut results")
    return 1 if below else 0


if __name__ == "__main__":
    sys.exit(main())
