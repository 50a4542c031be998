import pytest

from tests.partner import Certificates, partner_server


@pytest.fixture
def certificates(tmp_path, monkeypatch):
    """A throwaway CA that requests trusts for this test, as the system's CAs are trusted."""
    made = Certificates(tmp_path)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(made.ca_file))
    return made


@pytest.fixture
def partner(certificates):
    """The partner over HTTPS, its certificate signed by the test's CA (60 days left)."""
    with partner_server(certificates) as server:
        yield server
