"""/log/ tells a visitor what is logged, what it proves and can't, and how to check it."""

from __future__ import annotations

import pytest

from showcase.models import Section
from transparency import log

from .conftest import events, feed

pytestmark = pytest.mark.django_db


def test_the_page_shows_the_size_the_checkpoint_the_key_and_three_ways_to_verify(
    client, ingest_feed, log_key
):
    carried = events(3)
    ingest_feed(feed(20, carried))
    page = client.get("/log/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<dt>Entries</dt><dd>4</dd>" in html
    assert str(log_key.verifier) in html
    assert "tests.example/log\n4\n" in html  # the checkpoint itself
    assert "what it cannot prove" in html.lower()
    assert "partner&#x27;s own signature" in html or "partner's own signature" in html
    # The commands name this site, its key and a real event, so they work as pasted.
    assert "curl -sO http://testserver/log/verify.py" in html
    assert (
        f"python3 verify.py http://testserver --key '{log_key.verifier}' --event {carried[2]['id']}"
        in html
    )
    assert "--state tractatus-log.state" in html
    assert "/api/log/proof/inclusion?index=0&amp;size=4" in html


def test_without_a_key_the_page_says_no_checkpoint_is_signed(client, settings):
    settings.LOG_SIGNING_KEY = ""
    log.append({"kind": "evidence"})
    html = client.get("/log/").content.decode()
    assert "no checkpoint: the site has no LOG_SIGNING_KEY set" in html


def test_the_dashboard_each_event_and_the_enforcement_page_link_to_it(client, ingest_feed):
    carried = events(1)
    ingest_feed(feed(20, carried))
    assert 'href="/log/"' in client.get("/metrics/").content.decode()
    assert 'href="/log/"' in client.get(f"/audit/events/{carried[0]['id']}/").content.decode()
    impossible = Section.objects.get(body__contains="**Impossible to fake:**")
    assert "[public transparency log](/log/)" in impossible.body
    assert 'href="/log/"' in client.get(impossible.page.get_absolute_url()).content.decode()


def test_healthz_reports_a_site_without_a_key_and_still_answers_200(client, settings):
    settings.LOG_SIGNING_KEY = ""
    response = client.get("/healthz")
    assert response.status_code == 200
    expected = "log: 0 entries, no LOG_SIGNING_KEY: no checkpoint is signed"
    assert expected in response.content.decode()
