"""The five measures: the arithmetic on known days, the staff page and its CSV."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.utils import timezone

from measures.models import DailyClick, DailyCount, OutboundLink
from measures.reports import average_seconds, bounce_rate, period_tallies
from tests.signin import signed_in

pytestmark = pytest.mark.django_db

KNOWN_DAY = "2026-03-10 12:00:00+00:00"


def a_known_day(send, client):
    """On 10 March: ten visits enter at home and four go on; the other measures' events.

    Each visit is a visitor of its own (a user agent of its own): one visitor's repeated
    reports count only a few times an hour (measures/visitors.py).
    """
    for n in range(10):
        report = {"path": "/", "event": "view", "entry": True}
        assert send(report, User_Agent=f"visitor {n}").status_code == 204
    for n in range(4):
        report = {"path": "/about/", "event": "view", "continues": "/"}
        assert send(report, User_Agent=f"visitor {n}").status_code == 204
    # A later page of a visit is no entry: it changes neither side of the bounce rate.
    assert send({"path": "/", "event": "view", "entry": False}).status_code == 204
    for seconds, resumed in ((10.0, False), (20.5, False), (4.5, True)):
        report = {"path": "/enforcement/", "event": "leave", "seconds": seconds}
        assert send(report | {"resumed": resumed}).status_code == 204
    for n in range(3):
        report = {"path": "/metrics/", "event": "view"}
        assert send(report, User_Agent=f"visitor {n}").status_code == 204
    for slug, times in (("mysovereignty", 2), ("share-bluesky", 2), ("share-linkedin", 1)):
        for n in range(times):
            assert client.get(f"/out/{slug}/", HTTP_USER_AGENT=f"visitor {n}").status_code == 302


@time_machine.travel(KNOWN_DAY, tick=False)
def test_the_five_measures_of_a_known_day(send, client):
    a_known_day(send, client)
    period = period_tallies(timezone.localdate())
    day, tally = period.days[-1]
    assert str(day) == "2026-03-10"
    assert (tally.home_entries, tally.home_bounces) == (10, 6)
    assert tally.home_bounce_rate == pytest.approx(0.6)
    assert tally.enforcement_seconds == pytest.approx(17.5)  # 35 s over two views
    assert tally.mysovereignty_clicks == 2
    assert tally.dashboard_views == 3
    assert tally.shares == 3
    assert period.total == tally


def test_the_ratios_have_no_value_without_a_denominator():
    assert bounce_rate(0, 0) is None
    assert average_seconds(0, 0) is None
    assert bounce_rate(4, 1) == 0.75
    # A visit crossing midnight credits its second page to the next day: never below zero.
    assert bounce_rate(2, 3) == 0
    assert average_seconds(125, 2) == 6.25


@time_machine.travel(KNOWN_DAY, tick=False)
def test_the_period_is_the_last_30_days_and_sums_them():
    today = timezone.localdate()
    mysovereignty = OutboundLink.objects.get(slug="mysovereignty")
    for days_ago, entries, continued in ((0, 4, 1), (29, 6, 1), (30, 100, 0)):
        day = today - timedelta(days=days_ago)
        DailyCount.objects.create(
            date=day, path="/", views=entries, entry_views=entries, continued_entries=continued
        )
        DailyClick.objects.create(date=day, link=mysovereignty, clicks=days_ago + 1)
    period = period_tallies(today)
    assert len(period.days) == 30
    assert period.start == today - timedelta(days=29)
    assert [t.home_entries for _, t in period.days if t.home_entries] == [6, 4]
    assert period.total.home_bounce_rate == pytest.approx(8 / 10)
    assert period.total.mysovereignty_clicks == 1 + 30
    assert period.days[5][1].home_bounce_rate is None


@time_machine.travel(KNOWN_DAY, tick=False)
def test_staff_see_the_five_measures_with_charts(send, client, staff_client):
    a_known_day(send, client)
    response = staff_client.get("/admin/measures/dailycount/")
    assert response.status_code == 200
    page = response.content.decode()
    for title in (
        "Home page bounce rate",
        "Time on the enforcement page",
        "Click-throughs to MySovereignty",
        "Metrics dashboard visits",
        "Social shares",
    ):
        assert title in page
    assert "60.0%" in page and "17.5 s" in page
    assert "6 of 10 visits entering at home" in page
    main = page.split('id="content-main"')[1].split("<!-- END Content -->")[0]
    assert main.count("<svg") == 5
    assert "<title>10 Mar: 60.0%</title>" in main
    assert "style=" not in main and "<script" not in main
    assert "/admin/measures/dailycount/csv/" in page


def test_the_admin_index_links_the_report(staff_client):
    page = staff_client.get("/admin/").content.decode()
    assert "/admin/measures/dailycount/" in page
    assert "/admin/measures/outboundlink/" in page


def test_the_report_is_for_staff_only(client, django_user_model):
    for url in ("/admin/measures/dailycount/", "/admin/measures/dailycount/csv/"):
        response = client.get(url)
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]
    visitor = django_user_model.objects.create_user("visitor", password="pw")
    client.force_login(visitor)
    assert "/admin/login/" in client.get("/admin/measures/dailycount/")["Location"]


def test_staff_without_the_view_permission_are_refused(django_user_model):
    clerk = django_user_model.objects.create_user("clerk", password="pw", is_staff=True)
    client = signed_in(clerk)
    assert client.get("/admin/measures/dailycount/").status_code == 403
    assert client.get("/admin/measures/dailycount/csv/").status_code == 403
    clerk.user_permissions.add(Permission.objects.get(codename="view_dailycount"))
    assert client.get("/admin/measures/dailycount/").status_code == 200


def test_counters_cannot_be_edited_by_hand(staff_client):
    row = DailyCount.objects.create(date=timezone.localdate(), path="/", views=1)
    assert staff_client.get("/admin/measures/dailycount/add/").status_code == 403
    url = f"/admin/measures/dailycount/{row.pk}/delete/"
    assert staff_client.post(url, {"post": "yes"}).status_code == 403
    assert DailyCount.objects.filter(pk=row.pk).exists()


@time_machine.travel(KNOWN_DAY, tick=False)
def test_the_csv_has_a_row_per_day_and_the_total(send, client, staff_client):
    a_known_day(send, client)
    response = staff_client.get("/admin/measures/dailycount/csv/")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="measures-2026-02-09-to-2026-03-10.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [
        "date", "home_entries", "home_bounces", "home_bounce_rate", "enforcement_leaves",
        "enforcement_seconds", "mysovereignty_clicks", "dashboard_views", "shares",
    ]
    assert len(rows) == 1 + 30 + 1
    assert rows[1] == ["2026-02-09", "0", "0", "", "0", "", "0", "0", "0"]
    assert rows[30] == ["2026-03-10", "10", "6", "0.6", "2", "17.5", "2", "3", "3"]
    assert rows[31] == ["total", *rows[30][1:]]
