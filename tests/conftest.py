import pytest
from django.core.cache import cache
from django.core.management import call_command

from tests.signin import signed_in


@pytest.fixture(scope="session", autouse=True)
def _collected_static(django_db_blocker):
    """Pages use hashed static names, as in production, so collect them once."""
    call_command("collectstatic", "--noinput", verbosity=0)


@pytest.fixture(autouse=True)
def _isolated_cache(settings, tmp_path):
    """Each test gets its own empty shared cache, as a fresh deployment would."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
        }
    }
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def staff_client(django_user_model):
    """A signed-in superuser, past the second factor (its own browser, beside `client`)."""
    editor = django_user_model.objects.create_superuser("editor", "editor@example.org", "pw")
    return signed_in(editor)
