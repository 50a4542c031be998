import pytest
from django.db import OperationalError


@pytest.mark.django_db
def test_healthz_is_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_does_not(client, monkeypatch):
    from tractatus_site import views

    class DeadConnection:
        def cursor(self):
            raise OperationalError("unable to open database file")

    monkeypatch.setattr(views, "connection", DeadConnection())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert b"unable to open" not in response.content
