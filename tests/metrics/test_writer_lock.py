"""The writer lock on PostgreSQL, taken in this process: one ingest writes at a time.

`test_concurrent_runs.py` proves the lock with two cron runs in child processes, on the
database the suite runs on. This test holds it from two connections of this process to a
throwaway PostgreSQL, whatever the suite's own database is, so mutation testing (which runs on
SQLite, in one process) reaches the PostgreSQL branch too.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import environ
import psycopg
import pytest
from django.db import OperationalError, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.utils import load_backend

from metrics import ingest
from tests.services import postgres_url

# Ordered with the database tests: the browser tests, which pytest-django runs before the tests
# marked with no database, leave an event loop running in which Django refuses to connect.
pytestmark = pytest.mark.django_db


@pytest.fixture
def postgresql(django_db_blocker) -> Iterator[Callable[[], BaseDatabaseWrapper]]:
    """Opens connections to a fresh PostgreSQL database, as the site's settings would."""
    # A database of this process's own: other test runs on the machine may run this test too.
    name = f"tractatus_writer_lock_{os.getpid()}"
    url = postgres_url(name)
    opened = []

    def connect() -> BaseDatabaseWrapper:
        config = environ.Env.db_url_config(url)
        # A writer that waits longer for a lock than this is one the lock keeps out.
        config["OPTIONS"] = {"options": "-c lock_timeout=500"}
        config = connections.configure_settings({"default": config})["default"]
        opened.append(load_backend(config["ENGINE"]).DatabaseWrapper(config, "writer"))
        return opened[-1]

    with django_db_blocker.unblock():
        yield connect
        for wrapper in opened:
            wrapper.close()
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as server:
        server.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def test_on_postgresql_a_second_writer_waits_until_the_first_ones_transaction_ends(
    postgresql, monkeypatch
):
    first, second = postgresql(), postgresql()
    for writer in (first, second):
        writer.set_autocommit(False)  # each in a transaction, as `_ingest`'s atomic block
    monkeypatch.setattr(ingest, "connection", first)
    ingest.lock_out_other_writers()

    monkeypatch.setattr(ingest, "connection", second)
    with pytest.raises(OperationalError, match="lock timeout"):
        ingest.lock_out_other_writers()
    second.rollback()

    first.commit()  # the first writer is done: the second takes the lock at once
    ingest.lock_out_other_writers()
    second.rollback()
