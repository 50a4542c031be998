"""The live evidence as visitors see it: the enforcement page, /evidence/ and its JSON."""

from __future__ import annotations

import hashlib

import pytest

from evidence.models import ProbeTarget
from evidence.record import run_check
from tests.partner import STRONG_HEADERS, Certificates, Reply, partner_server

pytestmark = pytest.mark.django_db


@pytest.fixture
def target(partner, django_capture_on_commit_callbacks):
    """The partner as the only configured target, committed as the admin's save would be."""
    with django_capture_on_commit_callbacks(execute=True):
        ProbeTarget.objects.all().delete()
        return ProbeTarget.objects.create(url=partner.url)


def test_the_enforcement_page_shows_a_demo_until_a_real_check_ran(client):
    page = client.get("/enforcement/").content.decode()
    assert 'Checked for you, every hour <span class="demo-tag">Demo</span></h3>' in page
    assert page.count('<span class="demo-tag">Demo</span>') >= 2
    assert "Demo data: no check of this address has run yet" in page
    assert "https://mysovereignty.digital/" in page


def test_the_enforcement_page_shows_the_latest_check_against_the_claims(client, partner, target):
    partner.reply = Reply(headers={**STRONG_HEADERS, "Cross-Origin-Resource-Policy": "same-site"})
    run_check(partner.url, target)
    page = client.get("/enforcement/").content.decode()
    assert "Demo" not in page
    assert "grade <strong>A</strong> (95/100)" in page
    assert "certificate valid for 60 more days" in page
    # COOP holds, CORP does not: each header's actual value beside the claim.
    assert page.count("claim-holds") == 2 and page.count("claim-fails") == 1
    assert '<code class="header-value">same-site</code>' in page


def test_a_weakening_is_said_plainly_while_it_lasts(
    client, partner, target, django_capture_on_commit_callbacks
):
    def check():  # committed, as cron's run is: the cached pages are replaced
        with django_capture_on_commit_callbacks(execute=True):
            return run_check(partner.url, target)

    check()
    without_coop = dict(STRONG_HEADERS)
    del without_coop["Cross-Origin-Opener-Policy"]
    partner.reply = Reply(headers=without_coop)
    weakened = check()
    for _ in range(2):  # not only the hour it was first seen
        page = client.get("/enforcement/").content.decode()
        assert "<code>cross-origin-opener-policy</code> vanished</strong> at the check of" \
            f' <time datetime="{weakened.checked_at.isoformat()}">' in page
        assert "it was <code>same-origin</code>, it is now absent" in page
        assert "The certificate expires in" not in page
        check()
    partner.reply = Reply()
    check()
    assert "vanished" not in client.get("/enforcement/").content.decode()


def test_a_checks_own_page_says_what_it_found_weakened(client, partner):
    run_check(partner.url)
    partner.reply = Reply(headers={**STRONG_HEADERS, "Referrer-Policy": "unsafe-url"})
    weakened = run_check(partner.url)
    page = client.get(f"/evidence/checks/{weakened.pk}/").content.decode()
    assert "<code>referrer-policy</code> weakened</strong>" in page


def test_a_certificate_near_expiry_is_said_plainly(client, tmp_path, monkeypatch, target):
    (tmp_path / "soon").mkdir()
    soon = Certificates(tmp_path / "soon", days=10)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(soon.ca_file))
    with partner_server(soon) as expiring:
        target.url = expiring.url
        target.save()
        run_check(expiring.url, target)
    page = client.get("/enforcement/").content.decode()
    assert "The certificate expires in 10 days" in page


def test_a_failed_latest_check_is_never_shown_as_passing(client, partner, target):
    run_check(partner.url, target)
    partner.reply = Reply(status=500)
    run_check(partner.url, target)
    page = client.get("/enforcement/").content.decode()
    assert "The latest check failed" in page and "Server error (5xx)" in page
    assert "claim-holds" not in page


def test_evidence_lists_every_check_and_each_change(client, partner, target):
    run_check(partner.url, target)
    partner.reply = Reply(headers={**STRONG_HEADERS, "Referrer-Policy": "unsafe-url"})
    run_check(partner.url + "adhoc")  # an ad-hoc check is listed too
    run_check(partner.url, target)
    page = client.get("/evidence/").content.decode()
    assert page.count("grade A") == 3
    assert "<code>referrer-policy</code> weakened</strong> (weaker)" in page
    assert '<code class="header-value">no-referrer</code>' in page
    assert '<code class="header-value">unsafe-url</code>' in page


def test_a_checks_raw_headers_hash_to_its_sha256(client, partner):
    check = run_check(partner.url)
    page = client.get(f"/evidence/checks/{check.pk}/").content.decode()
    assert check.sha256 in page
    raw = client.get(f"/evidence/checks/{check.pk}/headers.txt").content
    assert hashlib.sha256(raw).hexdigest() == check.sha256


def test_the_json_serves_every_check_newest_first_paged(client, partner, settings):
    partner.reply = Reply(status=502)
    failed = run_check(partner.url)
    partner.reply = Reply()
    checks = [run_check(partner.url) for _ in range(50)]
    first = client.get("/api/evidence.json").json()
    assert len(first["checks"]) == 50 and first["next"] == "/api/evidence.json?page=2"
    newest = first["checks"][0]
    assert set(newest) >= {"url", "checked_at", "status", "headers", "grade", "sha256"}
    assert newest["sha256"] == checks[-1].sha256 and newest["grade"] == "A+"
    assert newest["headers"]["cross-origin-opener-policy"] == "same-origin"
    second = client.get(first["next"]).json()
    assert second["next"] is None
    assert second["checks"] == [failed.as_json()]
    assert second["checks"][0]["grade"] is None and second["checks"][0]["failure"] == "server_error"


def test_the_live_evidence_costs_one_query_once_its_checks_are_cached(
    client, partner, target, settings, django_assert_num_queries
):
    from evidence.live import latest_evidence

    run_check(partner.url, target)
    assert not latest_evidence().demo  # reads the checks and caches them
    with django_assert_num_queries(1):
        assert [c.url for c in latest_evidence().checks] == [partner.url]
    run_check(partner.url, target)  # a new check is a new key: read again
    with django_assert_num_queries(3):
        latest_evidence()


def test_each_page_of_checks_is_its_own_cached_page(client, partner):
    partner.reply = Reply(status=502)
    run_check(partner.url)
    partner.reply = Reply()
    for _ in range(50):
        run_check(partner.url)
    first = client.get("/evidence/").content.decode()
    second = client.get("/evidence/?page=2").content.decode()
    assert "Page 1 of 2" in first and "Page 2 of 2" in second
    assert "Server error (5xx)" in second and "Server error (5xx)" not in first
    assert client.get("/evidence/?page=2").content.decode() == second  # from the cache


def test_a_new_check_reaches_the_cached_pages_at_once(
    client, partner, target, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # committed, as cron's run is
        run_check(partner.url, target)
    assert "HTTP 200, grade A</td>" not in client.get("/evidence/").content.decode()
    assert "grade <strong>A+</strong>" in client.get("/enforcement/").content.decode()
    partner.reply = Reply(headers={**STRONG_HEADERS, "X-Content-Type-Options": "none"})
    with django_capture_on_commit_callbacks(execute=True):
        run_check(partner.url, target)
    assert "grade <strong>A</strong> (95/100)" in client.get("/enforcement/").content.decode()
    assert "HTTP 200, grade A</td>" in client.get("/evidence/").content.decode()
