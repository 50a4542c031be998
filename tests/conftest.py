import os
import shutil
import uuid

import pytest
from django.core.cache import cache
from django.core.management import call_command

from tests.client import PageCacheClient
from tests.services import redis_server
from tests.signin import signed_in
from tractatus_site import pagecache

# Set by the first session of a process; `make mutate` forks a session per mutant from one
# that already collected them.
_static_collected: list[bool] = []


@pytest.fixture(scope="session", autouse=True)
def _collected_static(django_db_blocker):
    """Pages use hashed static names, as in production, so collect them once."""
    if not _static_collected:
        call_command("collectstatic", "--noinput", verbosity=0)
        _static_collected.append(True)


# `make mutate` runs each mutant against the tests written for its module, not every test that
# happens to pass through it (most pages reach the page cache): docs/testing.md.
MUTATION_SCOPE = {
    "metrics.validation": ["tests/metrics/test_contract_rules.py",
                           "tests/metrics/test_audit_event_rules.py",
                           "tests/metrics/test_contract_schema.py",
                           "tests/metrics/test_dry_run.py"],
    "metrics.feed": ["tests/metrics/test_contract_rules.py",
                     "tests/metrics/test_audit_event_rules.py",
                     "tests/metrics/test_contract_schema.py"],
    "metrics.ingest": ["tests/metrics/test_ingest_command.py",
                       "tests/metrics/test_ingest_errors.py",
                       "tests/metrics/test_dry_run.py", "tests/metrics/test_signatures.py",
                       "tests/metrics/test_audit_event_storage.py",
                       "tests/metrics/test_fetch_http.py", "tests/metrics/test_writer_lock.py"],
    "audit.events": ["tests/audit/test_viewer.py"],
    "tractatus_site.state": ["tests/site/test_pagecache.py", "tests/site/test_restore.py",
                             "tests/site/test_cache_outage.py"],
    "tractatus_site.pagecache": ["tests/site/test_pagecache.py", "tests/site/test_page_version.py",
                                 "tests/site/test_page_layer.py",
                                 "tests/site/test_conditional.py",
                                 "tests/site/test_cache_outage.py", "tests/site/test_restore.py"],
    "transparency.log": ["tests/transparency/test_appending.py",
                         "tests/transparency/test_backfill.py",
                         "tests/transparency/test_serving.py",
                         "tests/transparency/test_signing.py"],
    "transparency.merkle": ["tests/transparency/test_merkle.py",
                            "tests/transparency/test_independent.py"],
}


def pytest_collection_modifyitems(config, items):
    """Under `make mutate`, only the tests in the mutated module's scope run; in mutmut's own
    runs (which tests reach which function, the clean run), those of every module's scope."""
    if "MUTANT_UNDER_TEST" in os.environ:  # set by mutmut only
        module = os.environ["MUTANT_UNDER_TEST"].partition(".x")[0]
        scope = MUTATION_SCOPE.get(module) or {f for fs in MUTATION_SCOPE.values() for f in fs}
        kept = [item for item in items if item.nodeid.split("::")[0] in scope]
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        items[:] = kept


if MIGRATED := os.environ.get("TESTS_MIGRATED_DATABASE"):

    @pytest.fixture(scope="session")
    def django_db_setup(django_db_blocker, tmp_path_factory):
        """`make mutate`: each session works on a copy of a database migrated once.

        Migrating takes seconds, and mutation testing runs a session for every mutant.
        """
        from django.db import connections

        copy = tmp_path_factory.mktemp("database") / "db.sqlite3"
        shutil.copyfile(MIGRATED, copy)
        connection = connections["default"]
        connection.close()
        connection.settings_dict["NAME"] = str(copy)
        yield
        connection.close()


@pytest.fixture(autouse=True)
def _isolated_cache(settings, tmp_path):
    """Each test gets its own empty shared cache, as a fresh deployment would.

    The durable cache is a table of the test database, emptied with it after each test.
    """
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
        },
        "durable": settings.CACHES["durable"],
    }
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _own_checkpoint_directory(settings, tmp_path):
    """Published checkpoints go to this test's own directory, never to the repository's var/."""
    settings.LOG_CHECKPOINT_DIR = tmp_path / "log-checkpoints"


@pytest.fixture(autouse=True)
def _site_url(settings):
    """The site's address in tests is the test client's, so the links it writes can be followed
    (tests/site/test_addresses.py sets another one, and a Host that differs from it)."""
    settings.SITE_URL = "http://testserver"


@pytest.fixture
def client():
    """A visitor's browser, answered as gunicorn answers it: the page cache's layer first."""
    return PageCacheClient()


@pytest.fixture
def staff_client(django_user_model):
    """A signed-in superuser, past the second factor (its own browser, beside `client`)."""
    editor = django_user_model.objects.create_superuser("editor", "editor@example.org", "pw")
    return signed_in(editor)


@pytest.fixture(scope="session")
def redis(tmp_path_factory):
    """A real Redis on 127.0.0.1, for the whole session."""
    with redis_server(tmp_path_factory.mktemp("redis")) as server:
        yield server


def redis_cache(settings, url: str) -> None:
    """The shared cache on Redis, configured as production configures it, with its own keys."""
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": uuid.uuid4().hex,
            "OPTIONS": settings.REDIS_CACHE_OPTIONS,
        },
    }


@pytest.fixture
def own_redis(settings, tmp_path):
    """A Redis of this test's own for the shared cache, so that stopping it stops no other's."""
    with redis_server(tmp_path) as server:
        redis_cache(settings, server.url)
        yield server
        pagecache.stop_listeners()


@pytest.fixture(params=["file", "redis"])
def shared_cache(request, settings):
    """Each cache test runs on the default file cache and again on a real Redis."""
    if request.param == "redis":
        redis_cache(settings, request.getfixturevalue("redis").url)
    yield request.param
    pagecache.stop_listeners()
