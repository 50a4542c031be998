"""The page cache and the caches beside it follow editors' saves, once per save."""

import pytest

from showcase.models import EnforcementExample
from tractatus_site import pagecache

pytestmark = pytest.mark.django_db


def test_one_editor_save_invalidates_the_cache_once(monkeypatch):
    example = EnforcementExample.objects.first()
    calls = []
    monkeypatch.setattr(pagecache, "invalidate", lambda: calls.append(1))
    example.title = "Edited"
    example.save()  # also writes its revision-history row
    assert len(calls) == 1
    example.delete()
    assert len(calls) == 2


def test_until_edit_keeps_a_result_until_the_next_edit():
    assert pagecache.until_edit("answer", lambda: 1) == 1
    assert pagecache.until_edit("answer", lambda: 2) == 1
    pagecache.invalidate()
    assert pagecache.until_edit("answer", lambda: 2) == 2


def test_until_edit_does_not_remember_that_nothing_was_found():
    assert pagecache.until_edit("missing", lambda: None) is None
    assert pagecache.until_edit("missing", lambda: "found") == "found"
