"""The probe against a local partner: what it records, and every way a check can fail."""

from __future__ import annotations

import hashlib
import socket

import pytest
from django.core.management import call_command

from evidence.models import Check, HeaderChange
from evidence.probe import MAX_HEADER_BYTES, observe
from evidence.record import run_check
from tests.partner import STRONG_HEADERS, Reply, partner_server

pytestmark = pytest.mark.django_db


def test_a_check_records_status_headers_hash_and_certificate(partner, certificates):
    check = run_check(partner.url)
    assert check.ok and check.status == 200 and check.final_url == partner.url
    assert check.headers["cross-origin-opener-policy"] == "same-origin"
    assert set(check.headers) == {name.lower() for name in STRONG_HEADERS}
    assert check.raw_headers.startswith("HTTP/1.0 200 OK\r\n")
    assert "Content-Security-Policy: default-src 'self';" in check.raw_headers
    assert check.sha256 == hashlib.sha256(check.raw_headers.encode("latin-1")).hexdigest()
    assert (check.grade, check.score) == ("A+", 100)
    assert check.certificate_days_left == 60
    assert abs((check.certificate_expires_at - certificates.expires).total_seconds()) < 1


def test_redirects_on_the_same_host_are_followed(partner):
    partner.replies["/"] = Reply(status=301, headers={"Location": "/home"})
    check = run_check(partner.url)
    assert check.ok and check.final_url == partner.url + "home" and check.grade == "A+"


def failed(url: str, failure: str) -> Check:
    check = run_check(url)
    assert (check.failure, check.ok, check.grade, check.score) == (failure, False, "", None)
    assert Check.objects.get(pk=check.pk).failure == failure
    return check


def test_a_redirect_off_the_host_is_a_failure(partner):
    elsewhere = partner.url.replace("localhost", "127.0.0.1")
    partner.replies["/"] = Reply(status=302, headers={"Location": elsewhere})
    check = failed(partner.url, Check.Failure.REDIRECT_OFF_HOST)
    assert elsewhere in check.error


def test_a_redirect_down_to_plain_http_is_a_failure(partner):
    plain = partner.url.replace("https", "http")
    partner.replies["/"] = Reply(status=302, headers={"Location": plain})
    failed(partner.url, Check.Failure.REDIRECT_OFF_HOST)


def test_endless_redirects_are_a_failure(partner):
    partner.replies["/"] = Reply(status=302, headers={"Location": "/"})
    failed(partner.url, Check.Failure.TOO_MANY_REDIRECTS)


@pytest.mark.parametrize("status", [500, 503, 599])
def test_a_server_error_is_a_failure_with_its_headers_kept(partner, status):
    partner.reply = Reply(status=status)
    check = failed(partner.url, Check.Failure.SERVER_ERROR)
    assert check.status == status and check.sha256


def test_a_client_error_is_a_check_not_a_failure(partner):
    partner.reply = Reply(status=499)  # the headers were served: they are the evidence
    check = run_check(partner.url)
    assert check.ok and check.status == 499 and check.grade == "A+"


def test_an_oversized_header_block_is_a_failure(partner):
    partner.reply = Reply(headers={**STRONG_HEADERS, "X-Padding": "a" * MAX_HEADER_BYTES})
    failed(partner.url, Check.Failure.OVERSIZED)


def test_too_many_header_lines_is_an_oversized_failure(partner):
    partner.reply = Reply(headers={f"X-Line-{n}": "x" for n in range(150)})
    failed(partner.url, Check.Failure.OVERSIZED)


def test_an_untrusted_certificate_is_a_tls_failure(partner, monkeypatch):
    monkeypatch.delenv("REQUESTS_CA_BUNDLE")  # the system's CAs never signed the test's
    failed(partner.url, Check.Failure.TLS)


def test_a_name_that_does_not_resolve_is_a_dns_failure(monkeypatch):
    def no_such_name(host, *args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    # The resolver answers "no such name" without asking any DNS server.
    monkeypatch.setattr(socket, "getaddrinfo", no_such_name)
    failed("https://partner.invalid/", Check.Failure.DNS)


def test_a_refused_connection_is_a_failure(partner):
    url = partner.url
    partner.shutdown()
    partner.server_close()
    failed(url, Check.Failure.CONNECTION)


def test_a_slow_server_times_out(partner):
    partner.reply = Reply(delay=2)
    seen = observe(partner.url, timeout=0.3)
    assert seen.failure == Check.Failure.TIMEOUT


def test_a_weakening_is_recorded_as_a_change(partner):
    first = run_check(partner.url)
    weaker = dict(STRONG_HEADERS)
    weaker["Content-Security-Policy"] = "default-src 'self'; script-src 'self' 'unsafe-inline'"
    del weaker["Cross-Origin-Opener-Policy"]
    weaker["Permissions-Policy"] = "camera=(self)"
    partner.reply = Reply(headers=weaker)
    second = run_check(partner.url)
    changes = {c.header: c for c in HeaderChange.objects.filter(found_in=second)}
    assert {h: c.kind for h, c in changes.items()} == {
        "content-security-policy": "weakened",
        "cross-origin-opener-policy": "vanished",
        "permissions-policy": "changed",
    }
    assert changes["cross-origin-opener-policy"].before == "same-origin"
    assert changes["cross-origin-opener-policy"].after == ""
    assert all(c.previous == first for c in changes.values())
    assert [c.header for c in second.weakenings()] == [
        "content-security-policy", "cross-origin-opener-policy"
    ]
    assert second.score < first.score


def test_a_failed_check_is_never_compared_or_graded(partner):
    run_check(partner.url)
    partner.reply = Reply(status=500, headers={})
    run_check(partner.url)
    assert HeaderChange.objects.count() == 0


def test_checks_are_append_only(partner):
    check = run_check(partner.url)
    with pytest.raises(ValueError, match="append-only"):
        check.save()
    with pytest.raises(ValueError, match="append-only"):
        check.delete()


def test_the_command_checks_each_url_and_says_so(partner, capsys):
    call_command("probe_partner", "--url", partner.url, "--url", partner.url + "feed")
    out = capsys.readouterr().out
    assert f"{partner.url}: A+ (100) HTTP 200, certificate 60 days left" in out
    assert Check.objects.filter(target=None).count() == 2


def test_the_command_records_failures_and_exits_3_without_crashing(partner, capsys):
    partner.reply = Reply(status=502)
    with pytest.raises(SystemExit) as exit_status:
        call_command("probe_partner", "--url", partner.url, "--url", "ftp://example.org/")
    assert exit_status.value.code == 3
    assert sorted(Check.objects.values_list("failure", flat=True)) == ["invalid", "server_error"]
    assert "failed: Server error (5xx): HTTP 502" in capsys.readouterr().out


def test_without_urls_the_command_checks_the_enabled_targets(partner):
    from evidence.models import ProbeTarget

    ProbeTarget.objects.all().delete()
    ProbeTarget.objects.create(url=partner.url)
    ProbeTarget.objects.create(url=partner.url + "off", enabled=False)
    call_command("probe_partner")
    assert list(Check.objects.values_list("url", "target__url")) == [(partner.url, partner.url)]


def test_plain_http_has_no_certificate(tmp_path):
    with partner_server(None) as plain:
        check = run_check(plain.url)
    assert check.ok and check.certificate_days_left is None and check.certificate_expires_at is None


def test_each_check_is_an_evidence_entry_of_the_transparency_log(partner):
    import json

    from transparency.models import LogEntry

    partner.reply = Reply(status=500)
    failed_check = run_check(partner.url)
    partner.reply = Reply()
    check = run_check(partner.url)
    entries = [json.loads(bytes(e.data)) for e in LogEntry.objects.order_by("index")]
    assert [e["kind"] for e in entries] == ["evidence", "evidence"]
    assert entries[0] == {"kind": "evidence", **json.loads(json.dumps(failed_check.as_json()))}
    assert entries[1]["sha256"] == check.sha256 and entries[1]["grade"] == "A+"
