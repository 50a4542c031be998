import uuid

import pytest
from django.core.cache import cache
from django.core.management import call_command

from tests.client import PageCacheClient
from tests.services import redis_server
from tests.signin import signed_in
from tractatus_site import pagecache


@pytest.fixture(scope="session", autouse=True)
def _collected_static(django_db_blocker):
    """Pages use hashed static names, as in production, so collect them once."""
    call_command("collectstatic", "--noinput", verbosity=0)


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
