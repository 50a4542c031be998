"""`manage.py probe_partner`: check the partner's live evidence, for cron (hourly).

Checks every enabled target (admin → Live evidence → Probe targets), or the `--url` addresses
given instead. Every check is recorded, failures included; one line each on stdout. Exit
status 0 when every check succeeded, 3 when any failed (each failure is recorded, never raised).
"""

from __future__ import annotations

import logging
import sys

from django.core.management.base import BaseCommand

from evidence.models import ProbeTarget
from evidence.record import run_check

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Fetch the partner's pages and record their security headers and certificate."

    def add_arguments(self, parser):
        parser.add_argument(
            "--url", action="append", default=[],
            help="Check this address instead of the targets (repeatable); shown, not alerted.",
        )

    def handle(self, *args, url, **options):
        if url:
            jobs = [(address, None) for address in url]
        else:
            jobs = [(target.url, target) for target in ProbeTarget.objects.filter(enabled=True)]
        failed = 0
        for address, target in jobs:
            try:
                check = run_check(address, target)
            except Exception as exc:  # e.g. the log refusing to append: nothing was stored
                logger.exception("probe of %s could not be recorded", address)
                self.stdout.write(f"{address}: not recorded: {type(exc).__name__}: {exc}")
                failed += 1
                continue
            if check.ok:
                line = f"{check.grade} ({check.score}) HTTP {check.status}"
                if check.certificate_days_left is not None:
                    line += f", certificate {check.certificate_days_left} days left"
                weakened = ", ".join(f"{c.header} {c.kind}" for c in check.weakenings())
                line += f"; weakened: {weakened}" if weakened else ""
            else:
                failed += 1
                line = f"failed: {check.get_failure_display()}: {check.error}"
            self.stdout.write(f"{address}: {line}")
        if failed:
            sys.exit(3)
