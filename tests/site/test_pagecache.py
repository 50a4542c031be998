"""Pages and what they are built from are cached, keyed by what the database holds.

Each test runs on the default file cache and again on a real Redis (`shared_cache`).
"""

import pytest
from django.core.cache import cache
from django.utils import timezone

from showcase.models import EnforcementExample, SiteSettings
from tests.factories import make_snapshot
from tractatus_site import state
from tractatus_site.models import ContentVersion

pytestmark = pytest.mark.django_db


def test_a_cached_page_is_served_without_a_query(client, shared_cache, django_assert_num_queries):
    make_snapshot()
    first = client.get("/enforcement/")
    with django_assert_num_queries(0):
        again = client.get("/enforcement/")
    assert again.status_code == 200
    assert again.content == first.content


def test_each_encoding_is_kept_apart(client, shared_cache):
    plain = client.get("/about/")
    zipped = client.get("/about/", HTTP_ACCEPT_ENCODING="gzip")
    assert zipped["Content-Encoding"] == "gzip"
    assert "Content-Encoding" not in client.get("/about/")
    # One weak ETag stands for both: equivalent copies, not the same bytes (RFC 9110, 8.8.1).
    assert plain["ETag"] == zipped["ETag"]
    assert plain["ETag"].startswith('W/"')


def test_a_visitor_with_a_session_gets_the_page_rendered_for_them(
    client, staff_client, shared_cache
):
    section = EnforcementExample.objects.first()
    section.published = False
    section.save()
    client.get("/enforcement/")  # cached for visitors: no draft in it
    staff = staff_client.get("/enforcement/?preview=1")
    assert section.title in staff.content.decode()
    assert staff["Cache-Control"] == "private, no-store"
    mine = staff_client.get("/enforcement/")
    assert mine["Cache-Control"] == "private, no-store"


def test_an_editors_save_reaches_the_next_visitor(
    client, shared_cache, django_capture_on_commit_callbacks
):
    client.get("/")
    site = SiteSettings.load()
    site.banner_text = "Saved a moment ago."
    with django_capture_on_commit_callbacks(execute=True):  # committed
        site.save()
    assert "Saved a moment ago." in client.get("/").content.decode()


def test_a_page_rendered_while_an_edit_is_uncommitted_is_not_served_after_it_commits(
    client, shared_cache, django_capture_on_commit_callbacks
):
    before = ContentVersion.objects.get().token
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        site = SiteSettings.load()
        site.banner_text = "Saved a moment ago."
        site.save()
        after = ContentVersion.objects.get().token
        # A visitor's request on another connection still sees the rows as they were, and
        # caches that page under the page version in force until the commit.
        SiteSettings.objects.update(banner_text="As it was.")
        ContentVersion.objects.update(token=before)
        assert "As it was." in client.get("/").content.decode()
        SiteSettings.objects.update(banner_text="Saved a moment ago.")
        ContentVersion.objects.update(token=after)
    assert callbacks, "the save registers an invalidation for its commit"
    assert "Saved a moment ago." in client.get("/").content.decode()


def test_one_editor_save_replaces_the_content_version_once(
    monkeypatch, django_capture_on_commit_callbacks
):
    calls = []
    monkeypatch.setattr(ContentVersion, "replace", classmethod(lambda cls: calls.append(1)))
    example = EnforcementExample.objects.first()
    example.title = "Edited"
    with django_capture_on_commit_callbacks(execute=True):
        example.save()  # also writes its revision-history row
    assert len(calls) == 1
    with django_capture_on_commit_callbacks(execute=True):  # another transaction
        example.delete()
    assert len(calls) == 2


def test_remembered_keeps_a_result_while_the_database_holds_the_same_state(shared_cache):
    assert state.remembered("answer", lambda: 1) == 1
    assert state.remembered("answer", lambda: 2) == 1
    ContentVersion.replace()  # an editor saved
    assert state.remembered("answer", lambda: 2) == 2
    make_snapshot()  # a snapshot was accepted
    assert state.remembered("answer", lambda: 3) == 3


def test_remembered_does_not_remember_that_nothing_was_found(shared_cache):
    assert state.remembered("missing", lambda: None) is None
    assert state.remembered("missing", lambda: "found") == "found"


@pytest.mark.parametrize("using", ["default", "durable"])
def test_remembered_builds_again_after_data_seconds_whatever_the_caches_own_timeout(
    using, time_machine
):
    # Bounds how long a change made behind the site's back (plain SQL) goes unseen.
    time_machine.move_to(timezone.now(), tick=False)
    assert state.remembered("answer", lambda: 1, using=using) == 1
    time_machine.shift(state.DATA_SECONDS - 1)  # the database's cache keeps whole seconds
    assert state.remembered("answer", lambda: 2, using=using) == 1
    time_machine.shift(2)
    assert state.remembered("answer", lambda: 2, using=using) == 2


def test_a_database_without_snapshot_or_content_version_has_an_empty_state():
    ContentVersion.objects.all().delete()
    assert state.read_state() == state.SiteState(snapshot="", content="")
    assert state.read_state().key == "none:none"


def test_the_state_comes_from_the_database_not_the_cache(shared_cache):
    snapshot = make_snapshot()
    cache.clear()
    now = state.site_state()
    assert now.snapshot == snapshot.sha256
    assert now.content == ContentVersion.objects.get().token.hex


def test_a_page_is_kept_no_longer_than_page_cache_seconds(
    client, shared_cache, settings, time_machine
):
    settings.PAGE_CACHE_SECONDS = 60
    time_machine.move_to(timezone.now(), tick=False)
    client.get("/")
    # Changed behind the site's back (plain SQL, no save signal): only time tells the cache.
    SiteSettings.objects.update(banner_text="Changed by hand.")
    ContentVersion.replace()  # as a restored backup would bring another content version
    time_machine.shift(59)
    assert "Changed by hand." not in client.get("/").content.decode()
    time_machine.shift(1)
    assert "Changed by hand." in client.get("/").content.decode()


@pytest.fixture
def no_shared_cache(settings):
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
    }


def test_without_a_shared_cache_pages_come_from_the_databases_cache_table(
    client, no_shared_cache, django_assert_max_num_queries
):
    make_snapshot()
    first = client.get("/metrics/")
    with django_assert_max_num_queries(2):  # the site's state, then the page by that state
        again = client.get("/metrics/")
    assert again.content == first.content


def test_without_a_shared_cache_an_edit_and_a_snapshot_still_show_at_once(
    client, no_shared_cache, django_capture_on_commit_callbacks
):
    make_snapshot()
    client.get("/")
    site = SiteSettings.load()
    site.banner_text = "Saved a moment ago."
    with django_capture_on_commit_callbacks(execute=True):
        site.save()
    assert "Saved a moment ago." in client.get("/").content.decode()
    make_snapshot(services=(("boundary-enforcer", "BoundaryEnforcer", 3001),))
    assert "3,001" in client.get("/").content.decode()


def test_django_reads_the_sites_state_once_a_request(client, monkeypatch):
    make_snapshot()
    reads = []
    read_state = state.read_state

    def counted():
        # Django's side only: the page layer in front of it keeps its own count of queries.
        reads.append(state._request_state.get() is not None)
        return read_state()

    monkeypatch.setattr(state, "read_state", counted)
    assert client.get("/metrics/").status_code == 200  # many remembered parts, one state
    assert reads.count(True) == 1
