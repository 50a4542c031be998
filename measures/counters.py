"""Adding to the day's counters: one row per (day, path) and per (day, link), updated in place.

Every change is a single UPDATE with F() expressions, so concurrent workers never lose an
increment; the first event of a day inserts the row, and when two workers race to insert it
the loser's IntegrityError turns into the same UPDATE.
"""

from __future__ import annotations

from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone

from .beacon import Report
from .models import DailyClick, DailyCount, OutboundLink


def _add(model: type[models.Model], key: dict, **increments: int) -> None:
    """Add `increments` to today's row of `model` for `key`, creating the row if need be."""
    increments = {field: amount for field, amount in increments.items() if amount}
    if not increments:
        return
    key = {"date": timezone.localdate(), **key}
    changes = {field: F(field) + amount for field, amount in increments.items()}
    rows = model.objects.filter(**key)
    if rows.update(**changes):
        return
    try:
        # A savepoint: a lost insert race must not poison a surrounding transaction.
        with transaction.atomic():
            model.objects.create(**key, **increments)
    except IntegrityError:
        rows.update(**changes)


def record_view(path: str, *, entry: bool, continues: str | None) -> None:
    """A page was shown; `continues` names the entry page of a tab that reached its second page."""
    # Both rows or neither: a continuation without its view would skew the bounce rate.
    with transaction.atomic():
        _add(DailyCount, {"path": path}, views=1, entry_views=int(entry))
        if continues is not None:
            _add(DailyCount, {"path": continues}, continued_entries=1)


def record_leave(path: str, *, seconds: float, resumed: bool) -> None:
    """A page was hidden after `seconds` visible; `resumed` reports more time of a counted view."""
    _add(DailyCount, {"path": path}, leaves=int(not resumed), visible_tenths=round(seconds * 10))


def record_click(link: OutboundLink) -> None:
    """A visitor followed an outbound link."""
    _add(DailyClick, {"link": link}, clicks=1)


def record_report(report: Report) -> None:
    """Count one valid beacon report."""
    if report.event == "view":
        record_view(report.path, entry=report.entry, continues=report.continues)
    else:
        record_leave(report.path, seconds=report.seconds, resumed=report.resumed)
