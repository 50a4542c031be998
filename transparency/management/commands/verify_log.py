"""`manage.py verify_log`: recompute the transparency log and re-derive every entry from its row.

Exit status 0 when intact, 1 when anything differs; every problem is named on stdout and the
result is kept (LogCheck) for /healthz and the admin.
"""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand

from transparency.integrity import record, verify


class Command(BaseCommand):
    help = "Recompute the transparency log from its entries and its entries from their rows."

    def handle(self, *args, **options):
        report = verify()
        record(report)
        for problem in report.problems:
            self.stdout.write(f"MISMATCH {problem}")
        signed = f", checkpoint {report.checkpoint.size}" if report.checkpoint else ""
        verdict = "intact" if report.intact else f"{len(report.problems)} problem(s)"
        self.stdout.write(f"log of {report.size} entries{signed}: {verdict}")
        if not report.intact:
            sys.exit(1)
