"""What opens and resolves incidents: the conditions staff are told about, checked by cron.

Each check is called after the job that can change its answer (the ingest, the chain check,
the probe) and never raises: a failure to alert is logged, and the job carries on.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings

from evidence.grading import HEADERS
from evidence.models import Check
from metrics.health import consecutive_failures, ingest_health
from metrics.models import ChainCheck

from . import incidents
from .delivery import deliver_pending

logger = logging.getLogger(__name__)


def never_raises(check: Callable) -> Callable:
    @functools.wraps(check)
    def guarded(*args, **kwargs):
        try:
            return check(*args, **kwargs)
        except Exception:  # alerting must never break the job that called it
            logger.exception("alerts: %s failed", check.__name__)
            return None

    return guarded


@never_raises
def check_feed() -> None:
    """The ingest failing ALERT_AFTER_FAILURES times in a row; the data going Delayed."""
    failures = consecutive_failures()
    if failures and len(failures) >= settings.ALERT_AFTER_FAILURES:
        latest = failures[0]
        incidents.open(
            "ingest-failing",
            f"The metrics feed's ingest has failed {len(failures)} times in a row",
            f"Latest: {latest.get_outcome_display().lower()} at"
            f" {latest.started_at:%Y-%m-%d %H:%M} UTC: {latest.reason or latest.error[:200]}",
        )
    elif not failures:
        incidents.resolve("ingest-failing", "The ingest succeeded again.")
    health = ingest_health()
    if health.stale and health.latest is not None:
        incidents.open(
            "data-delayed",
            "The metrics are Delayed: the latest snapshot is older than"
            f" {settings.METRICS_STALE_AFTER_MINUTES} minutes",
            f"Latest snapshot generated {health.latest.generated_at:%Y-%m-%d %H:%M} UTC;"
            " pages label its figures Delayed.",
        )
    elif not health.stale:
        incidents.resolve("data-delayed", "A fresh snapshot was accepted.")
    deliver_pending()  # what failed to send before


@never_raises
def check_chain(check: ChainCheck) -> None:
    """The snapshots' hash chain failing its verification."""
    if check.intact:
        incidents.resolve("hash-chain", "The hash chain verified intact again.")
    else:
        incidents.open(
            "hash-chain",
            "The snapshots' hash chain is broken",
            f"At snapshot {check.broken_at[:12]}: {check.problem}",
        )
    deliver_pending()  # what failed to send before


# A configured target failing this many checks in a row (hourly) is an incident.
PROBE_FAILURES = 2


def restored(check: Check, baseline: Check) -> bool:
    """Whether every header is at least as strong as before the weakening, and present again."""
    now, then = check.graded().verdicts, baseline.graded().verdicts
    return all(
        now[name].penalty <= then[name].penalty
        and (name not in baseline.headers or name in check.headers)
        for name in HEADERS
    )


@never_raises
def check_evidence(check: Check) -> None:
    """A configured target's headers weakening, its certificate near expiry, or it failing."""
    if check.target_id is None:  # ad-hoc checks (--url) are shown, not alerted on
        return
    url, host = check.url, urlsplit(check.url).hostname
    if not check.ok:
        recent = list(Check.objects.filter(url=url).order_by("-checked_at", "-pk")[:PROBE_FAILURES])
        if len(recent) == PROBE_FAILURES and not any(c.ok for c in recent):
            incidents.open(
                f"evidence-failing:{url}",
                f"The partner's live evidence at {url} could not be checked",
                f"{PROBE_FAILURES} checks in a row failed; the latest:"
                f" {check.get_failure_display()}: {check.error}",
            )
        deliver_pending()
        return
    incidents.resolve(f"evidence-failing:{url}", f"Checked again at {check.checked_at:%H:%M} UTC.")
    weakened = check.weakenings()
    key = f"evidence-weakened:{url}"
    if weakened:
        incidents.open(
            key,
            f"The partner's security headers weakened at {url}",
            "\n".join(
                f"{c.header} {c.get_kind_display().lower()}: was {c.before or '(absent)'},"
                f" now {c.after or '(absent)'}" for c in weakened
            ),
            context={"baseline": weakened[0].previous_id},
        )
    elif (open_incident := incidents.current(key)) is not None:
        baseline = Check.objects.filter(pk=open_incident.context.get("baseline")).first()
        if baseline is None or restored(check, baseline):
            incidents.resolve(key, "Every header is back to its strength before the weakening.")
    days = check.certificate_days_left
    if check.certificate_expiring:
        incidents.open(
            f"certificate:{host}",
            f"The certificate of {host} expires in {days} days",
            f"It expires {check.certificate_expires_at:%Y-%m-%d %H:%M} UTC.",
        )
    elif days is not None:
        incidents.resolve(f"certificate:{host}", f"The certificate now has {days} days left.")
    deliver_pending()


@never_raises
def check_log(check) -> None:
    """The transparency log failing `verify_log` (a transparency.LogCheck)."""
    if check.intact:
        incidents.resolve("transparency-log", "The transparency log verified intact again.")
    else:
        incidents.open(
            "transparency-log", "The transparency log failed its check", check.problems[:4000]
        )
    deliver_pending()


@never_raises
def check_witness(state) -> None:
    """A witness refusing (or failing) to cosign the log's checkpoint (a WitnessState)."""
    key = f"witness:{state.name}"
    if state.ok:
        incidents.resolve(key, "It cosigned the log's checkpoint again.")
    else:
        incidents.open(
            key, f"The witness {state.name} did not cosign the log's checkpoint", state.detail
        )
    deliver_pending()
