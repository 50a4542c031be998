"""Versions of editors' rows, as django-simple-history records them.

A version of a page is the page as one save left it together with its sections (and their
highlights) as they stood at that moment: one admin save records them all at one moment
(`one_version`), so `as of` that moment finds them together. Comparing shows what changed
field by field; restoring saves an old version again, which records a new version, so history
is never rewritten.
"""

from __future__ import annotations

import contextvars
import difflib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.core.exceptions import ObjectDoesNotExist
from django.db import models, transaction
from django.db.models import Exists, OuterRef
from django.dispatch import receiver
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import Truncator, capfirst
from simple_history.models import HistoricalChanges
from simple_history.signals import pre_create_historical_record

from .models import Highlight, Page, Section

FIRST_VERSION = "First version, recorded when history began"


@dataclass(frozen=True)
class _Moment:
    date: object
    user: object
    reason: str


_moment: contextvars.ContextVar[_Moment | None] = contextvars.ContextVar("moment", default=None)


@contextmanager
def one_version(user=None, reason: str = "") -> Iterator[None]:
    """Record every row saved or deleted inside at one moment, by `user`, for `reason`."""
    token = _moment.set(_Moment(timezone.now(), user, reason))
    try:
        yield
    finally:
        _moment.reset(token)


@receiver(pre_create_historical_record)
def _record_at_the_moment(sender, history_instance, **kwargs):
    moment = _moment.get()
    if moment is None:
        return
    history_instance.history_date = moment.date
    if moment.user is not None:
        history_instance.history_user = moment.user
    if moment.reason and not history_instance.history_change_reason:
        history_instance.history_change_reason = reason_to_keep(moment.reason)


def reason_to_keep(reason: str) -> str:
    """The reason as the history tables can keep it: at most 100 characters."""
    return Truncator(reason).chars(100)


def explain_latest_version(row: models.Model, reason: str) -> None:
    """Say why the row's latest version was recorded, unless it says so already."""
    latest = row.history.first()
    if reason and latest and not latest.history_change_reason:
        latest.history_change_reason = reason_to_keep(reason)
        latest.save(update_fields=["history_change_reason"])


def record_first_versions(apps) -> None:
    """Give every history-tracked row without a version its first one.

    For migrations: rows a migration creates are not saved through the models, so no version
    is recorded for them. Works with a migration's `apps`, whose historical models are plain.
    """
    now = timezone.now()
    for history_model in apps.get_models():
        if not issubclass(history_model, HistoricalChanges):
            continue
        opts = history_model._meta
        model = apps.get_model(opts.app_label, opts.model_name.removeprefix("historical"))
        pk = model._meta.pk.attname
        versioned = history_model.objects.filter(**{pk: OuterRef("pk")})
        history_model.objects.bulk_create(
            history_model(
                **{f.attname: getattr(row, f.attname) for f in model._meta.concrete_fields},
                history_date=now,
                history_type="+",
                history_change_reason=FIRST_VERSION,
            )
            for row in model.objects.exclude(Exists(versioned))
        )


def forget_first_versions(apps) -> None:
    """Undo `record_first_versions`: remove the versions it recorded."""
    for history_model in apps.get_models():
        if issubclass(history_model, HistoricalChanges):
            history_model.objects.filter(history_change_reason=FIRST_VERSION).delete()


# --- Comparing -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    text: str
    changed: bool


@dataclass(frozen=True)
class FieldChange:
    label: str
    before: list[Segment]
    after: list[Segment]


@dataclass(frozen=True)
class PartChange:
    """A section (or a section's highlight) between two versions of its page."""

    name: str
    status: str  # "added", "removed", "changed" or "moved"
    moved: tuple[int, int] | None = None  # its (old, new) position when its place changed
    fields: list[FieldChange] = field(default_factory=list)
    parts: list[PartChange] = field(default_factory=list)


@dataclass(frozen=True)
class Comparison:
    older: HistoricalChanges
    newer: HistoricalChanges
    fields: list[FieldChange]
    sections: list[PartChange] | None  # None: not a page


def _joined(segments: list[Segment]) -> list[Segment]:
    """Changed runs separated only by a space read as one change ("This Means", not two)."""
    joined: list[Segment] = []
    for segment in segments:
        if joined and joined[-1].changed == segment.changed:
            joined[-1] = Segment(joined[-1].text + segment.text, segment.changed)
        elif (len(joined) >= 2 and segment.changed and joined[-2].changed
              and not joined[-1].text.strip()):
            space = joined.pop()
            joined[-1] = Segment(joined[-1].text + space.text + segment.text, True)
        else:
            joined.append(segment)
    return joined


def word_diff(old: str, new: str) -> tuple[list[Segment], list[Segment]]:
    """Both texts cut into runs of words, each marked changed or not."""
    a, b = re.split(r"(\s+)", old), re.split(r"(\s+)", new)
    before, after = [], []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        for side, words, changed in ((before, a[i1:i2], op != "equal"),
                                     (after, b[j1:j2], op != "equal")):
            if words:
                side.append(Segment("".join(words), changed))
    return _joined(before), _joined(after)


def _display(record: HistoricalChanges, name: str) -> str:
    model_field = record.instance_type._meta.get_field(name)
    value = getattr(record, model_field.attname)
    if value is None or value == "":
        return ""
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if model_field.is_relation:
        try:
            return str(getattr(record, name))
        except ObjectDoesNotExist:
            return f"#{value} (deleted)"
    return str(value)


def _label(record: HistoricalChanges, name: str) -> str:
    return capfirst(record.instance_type._meta.get_field(name).verbose_name)


def _change(record_before, record_after, name: str) -> FieldChange:
    old = _display(record_before, name) if record_before else ""
    new = _display(record_after, name) if record_after else ""
    return FieldChange(_label(record_before or record_after, name), *word_diff(old, new))


def field_changes(older, newer, excluded=()) -> list[FieldChange]:
    """What an editor changed between two versions of one row, in the form's field order."""
    delta = newer.diff_against(older, excluded_fields=excluded)
    order = [f.name for f in newer.instance_type._meta.fields]
    names = sorted(delta.changed_fields, key=order.index)
    return [_change(older, newer, name) for name in names]


def _fields_of(record, excluded) -> list[str]:
    return [
        f.name for f in record.instance_type._meta.fields
        if f.editable and not f.primary_key and f.name not in excluded and _display(record, f.name)
    ]


def rows_at(model: type[models.Model], moment, **parents) -> list[HistoricalChanges]:
    """The versions of `model`'s rows that stood at `moment`, in their order then.

    `parents` (e.g. page_id__in=…) narrows them after the latest version of each row is found,
    so a row moved to another parent since is found where it was then.
    """
    records = model.history.filter(history_date__lte=moment).latest_of_each()
    return sorted(
        records.exclude(history_type="-").filter(**parents),
        key=lambda record: (record.order, record.id),
    )


def _part_name(record) -> str:
    if record.instance_type is Section:
        return record.heading or record.get_kind_display()
    return record.label


def _part_changes(before: list, after: list, excluded, children=None) -> list[PartChange]:
    old = {record.id: record for record in before}
    new = {record.id: record for record in after}
    kept_before = [record.id for record in before if record.id in new]
    kept_after = [record.id for record in after if record.id in old]
    changes = []
    for position, record in enumerate(after, start=1):
        if record.id not in old:
            fields = [_change(None, record, name) for name in _fields_of(record, excluded)]
            changes.append(PartChange(_part_name(record), "added", fields=fields))
            continue
        previous = old[record.id]
        moved = None
        if kept_before.index(record.id) != kept_after.index(record.id):
            moved = (before.index(previous) + 1, position)
        fields = field_changes(previous, record, excluded)
        parts = children(record.id) if children else []
        if fields or parts:
            changes.append(PartChange(_part_name(record), "changed", moved, fields, parts))
        elif moved:
            changes.append(PartChange(_part_name(record), "moved", moved))
    for record in before:
        if record.id not in new:
            fields = [_change(record, None, name) for name in _fields_of(record, excluded)]
            changes.append(PartChange(_part_name(record), "removed", fields=fields))
    return changes


def section_changes(page_id: int, older_date, newer_date) -> list[PartChange]:
    """How a page's sections, and their highlights, changed between two moments."""

    def highlights(section_id: int) -> list[PartChange]:
        return _part_changes(
            rows_at(Highlight, older_date, section_id=section_id),
            rows_at(Highlight, newer_date, section_id=section_id),
            excluded=("order", "section"),
        )

    return _part_changes(
        rows_at(Section, older_date, page_id=page_id),
        rows_at(Section, newer_date, page_id=page_id),
        excluded=("order", "page"),
        children=highlights,
    )


def compare(older: HistoricalChanges, newer: HistoricalChanges) -> Comparison:
    """What changed from one version of a row to another; for a page, its sections too."""
    if older.history_date > newer.history_date:
        older, newer = newer, older
    sections = None
    if isinstance(newer.instance, Page):
        sections = section_changes(newer.id, older.history_date, newer.history_date)
    return Comparison(older, newer, field_changes(older, newer), sections)


def restoring(record: HistoricalChanges) -> Comparison:
    """What restoring `record` would change: from the current version to it."""
    pk = record.instance_type._meta.pk.attname
    current = type(record).objects.filter(**{pk: getattr(record, pk)}).first()
    sections = None
    if record.instance_type is Page:
        sections = section_changes(record.id, current.history_date, record.history_date)
    return Comparison(current, record, field_changes(current, record), sections)


# --- Restoring and recording ---------------------------------------------------------------


def describe(record: HistoricalChanges) -> str:
    when = date_format(timezone.localtime(record.history_date), r"Y-m-d H:i:s \U\T\C")
    who = f" by {record.history_user}" if record.history_user else ""
    return f"{when}{who}"


def _restore_rows(model, moment, parent: str, parent_ids) -> set[int]:
    """Bring `model`'s rows under these parents back to how they stood at `moment`."""
    wanted = {r.id: r for r in rows_at(model, moment, **{f"{parent}__in": parent_ids})}
    for row in model.objects.filter(**{f"{parent}__in": parent_ids}).exclude(pk__in=wanted):
        row.delete()
    for record in wanted.values():
        record.instance.save()  # an update, or an insert under its old id when it was deleted
    return set(wanted)


def restore(record: HistoricalChanges, user) -> models.Model:
    """Make an old version the current one again, recorded as a new version by `user`.

    A page brings back its sections, and their highlights, as they stood at that version.
    Raises ValidationError when the row cannot take those values now (a slug taken since).
    """
    instance = record.instance
    instance._state.adding = False  # it is the row as it stands, not a new one with its id
    instance.full_clean()
    with transaction.atomic(), one_version(user, f"Restored the version of {describe(record)}"):
        instance.save()
        if isinstance(instance, Page):
            sections = _restore_rows(Section, record.history_date, "page_id", [instance.pk])
            _restore_rows(Highlight, record.history_date, "section_id", sections)
    return instance


def previous_version(row: models.Model) -> HistoricalChanges | None:
    """The version before the current one, which "Restore previous version" brings back."""
    return row.history.all()[1:2].first()


def record_page_change(page: Page, reason: str) -> None:
    """A version of the page for a change made to one of its sections in the section's form."""
    page._change_reason = reason_to_keep(reason)
    page.save(update_fields=["updated_at"])
