"""The measures cannot be inflated by repeating a report: a few per visitor per page per hour.

A visitor is a salted hash of address and user agent (measures/visitors.py); the salt changes
every UTC day and lives only in the shared cache, never in the database.
"""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import RequestFactory
from django.utils import timezone

from measures import visitors
from measures.beacon import MAX_SECONDS
from measures.models import DailyClick, DailyCount
from measures.visitors import REPORTS_PER_HOUR

pytestmark = pytest.mark.django_db

VIEW = {"path": "/enforcement/", "event": "view", "entry": True}
LEAVE = {"path": "/enforcement/", "event": "leave", "seconds": MAX_SECONDS}


@pytest.fixture
def send(client):
    """POST a report as beacon.js does, from the client address `address`."""

    def post(report, address="127.0.0.1", **headers):
        return client.post("/api/beacon", json.dumps(report), content_type="application/json",
                           headers=headers, REMOTE_ADDR=address)

    return post


def views(path="/enforcement/"):
    return sum(DailyCount.objects.filter(path=path).values_list("views", flat=True))


def test_200_posts_from_one_client_count_no_more_than_a_few_views(send):
    answers = {send(VIEW).status_code for _ in range(200)}
    assert answers <= {204, 429}
    assert views() == REPORTS_PER_HOUR <= 10


def test_each_visitor_counts_for_themselves(send):
    for agent in ("Firefox", "Chromium"):
        for _ in range(10):
            send(VIEW, User_Agent=agent)
    for _ in range(10):
        send(VIEW, address="192.0.2.7", User_Agent="Firefox")
    assert views() == 3 * REPORTS_PER_HOUR


def test_a_visitor_counts_again_an_hour_later(send, time_machine):
    time_machine.move_to(timezone.now().replace(minute=0, second=1))
    for _ in range(10):
        send(VIEW)
    time_machine.shift(timedelta(hours=1))
    for _ in range(10):
        send(VIEW)
    assert views() == 2 * REPORTS_PER_HOUR


def test_visible_time_is_clamped_per_visitor_and_page(send):
    for _ in range(1000):
        send(LEAVE)
    row = DailyCount.objects.get(path="/enforcement/")
    assert row.leaves == REPORTS_PER_HOUR
    assert row.visible_tenths == MAX_SECONDS * 10


def test_a_leave_within_the_clamp_counts_in_full(send):
    send({**LEAVE, "seconds": 12.5})
    send({**LEAVE, "seconds": 3})
    assert DailyCount.objects.get(path="/enforcement/").visible_tenths == 155


def test_1000_clicks_through_from_one_client_count_a_few_and_all_redirect(client):
    answers = {client.get("/out/mysovereignty/").status_code for _ in range(1000)}
    assert answers == {302}
    assert DailyClick.objects.get(link__slug="mysovereignty").clicks == REPORTS_PER_HOUR


def test_one_address_posting_too_fast_gets_429(send):
    answers = [send(VIEW).status_code for _ in range(130)]
    assert answers[:120] == [204] * 120
    response = send(VIEW)
    assert response.status_code == 429
    assert response.json() == {"error": "too many reports from this address, try later"}
    assert send(VIEW, address="192.0.2.7").status_code == 204


@pytest.mark.parametrize("trusted", [True, False])
def test_the_forwarded_address_counts_only_behind_a_trusted_proxy(send, settings, trusted):
    settings.TRUST_X_FORWARDED_FOR = trusted
    for n in range(5):
        for _ in range(5):
            send(VIEW, X_Forwarded_For=f"198.51.100.{n}")
    assert views() == (5 if trusted else 1) * REPORTS_PER_HOUR


def test_the_salt_rotates_daily_and_never_reaches_the_database(send, time_machine):
    time_machine.move_to(timezone.now())
    request = RequestFactory().get("/", HTTP_USER_AGENT="Firefox", REMOTE_ADDR="192.0.2.7")
    today = visitors.visitor(request)
    send(VIEW)
    salt = visitors.daily_salt(timezone.now().date())
    assert visitors.visitor(request) == today
    dump = io.StringIO()
    call_command("dumpdata", stdout=dump)
    assert salt not in dump.getvalue() and today not in dump.getvalue()
    time_machine.shift(timedelta(days=1))
    assert visitors.visitor(request) != today
    assert visitors.daily_salt(timezone.now().date()) != salt


def test_with_the_cache_down_reports_still_count(send, own_redis):
    own_redis.stop()
    for _ in range(5):
        assert send(VIEW).status_code == 204
    assert views() == 5
