"""`manage.py ingest_metrics`: one ingest of the metrics feed, for cron.

Exit status: 0 accepted, unchanged or out of order; 3 the source could not be read, or the
snapshot could not be stored (the run records the error); 4 the payload was rejected; 1 the
database could not be used. One summary line on stdout; a dry run (`--dry-run`, with `--url`
or `--file`) then lists every violation and the signature's verdict.
"""

from __future__ import annotations

import logging
import sys

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import DatabaseError

from alerts.watch import check_feed
from metrics.ingest import Outcome, ingest_demo, ingest_file, ingest_url
from metrics.models import Snapshot
from transparency import integrity

logger = logging.getLogger(__name__)

EXIT_STATUS = {
    Outcome.ACCEPTED: 0,
    Outcome.UNCHANGED: 0,
    Outcome.OUT_OF_ORDER: 0,
    Outcome.FAILED: 3,
    Outcome.REJECTED: 4,
}


class Command(BaseCommand):
    help = "Fetch, check and store the framework-metrics feed (settings.METRICS_SOURCE_URL)."

    def add_arguments(self, parser):
        source = parser.add_mutually_exclusive_group()
        source.add_argument("--url", help="Read the feed from this URL instead.")
        source.add_argument("--file", help="Read a payload saved on disk.")
        source.add_argument("--demo", action="store_true", help="Ingest the demo feed.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and report; store nothing."
        )
        parser.add_argument(
            "--signature",
            default="",
            help="With --file: the payload's Ed25519 signature (standard base64).",
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when a snapshot is stored."
        )

    def handle(self, *args, url, file, demo, dry_run, if_empty, signature, **options):
        try:
            if if_empty and Snapshot.objects.exists():
                self.stdout.write("skipped: a snapshot is already stored")
                return
            if file:
                result = ingest_file(file, dry_run=dry_run, signature=signature)
            elif demo:
                result = ingest_demo(dry_run=dry_run)
            else:
                result = ingest_url(url or settings.METRICS_SOURCE_URL, dry_run=dry_run)
        except DatabaseError as exc:
            logger.error("ingest could not use the database: %s", exc)
            self.stdout.write("failed: database unavailable")
            sys.exit(1)
        self.stdout.write(result.report)
        if not dry_run:
            check_feed()  # staff told when it keeps failing or the data goes Delayed
        if status := EXIT_STATUS[result.outcome]:
            sys.exit(status)
        if result.outcome == Outcome.ACCEPTED and not result.dry_run:
            check = integrity.record(integrity.verify())
            for problem in check.problem_list:
                self.stdout.write(f"log check: MISMATCH {problem}")
            if not check.intact:
                sys.exit(5)
