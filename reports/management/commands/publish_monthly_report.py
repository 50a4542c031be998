"""Generate (and optionally publish) a month's enforcement report; cron runs it on the 1st."""

from __future__ import annotations

import re
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from reports.models import MonthlyReport
from reports.monthly import previous_month

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def parse_month(text: str, today: date) -> date:
    """YYYY-MM to the month's first day; a malformed or future month is an error."""
    match = MONTH.match(text)
    if not match:
        raise CommandError(f"--month must look like YYYY-MM, got {text!r}")
    month = date(int(match[1]), int(match[2]), 1)
    if month > today.replace(day=1):
        raise CommandError(f"{text} is in the future")
    return month


class Command(BaseCommand):
    help = "Generate the monthly enforcement report (default: the month just ended)."

    def add_arguments(self, parser):
        parser.add_argument("--month", help="YYYY-MM; the current month is 'month to date'")
        parser.add_argument("--publish", action="store_true", help="publish, not just draft")

    def handle(self, *args, month=None, publish=False, **options):
        today = timezone.now().date()
        chosen = parse_month(month, today) if month else previous_month(today)
        report = MonthlyReport.generate(chosen, publish=publish)
        if report is None:
            self.stdout.write(f"no data for {chosen:%Y-%m}")
            return
        state = "published" if report.published else "draft"
        self.stdout.write(f"{report.title}: {state}, {report.get_absolute_url()}")
