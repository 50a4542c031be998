"""The probe's news reaches staff: a weakened header, an expiring certificate, a failing target."""

from __future__ import annotations

import pytest

from alerts.models import Incident
from evidence.models import ProbeTarget
from evidence.record import run_check
from tests.partner import STRONG_HEADERS, Certificates, Reply, partner_server

pytestmark = pytest.mark.django_db


@pytest.fixture
def target(partner):
    return ProbeTarget.objects.create(url=partner.url)


def weaker() -> dict[str, str]:
    return {**STRONG_HEADERS, "Content-Security-Policy": "default-src * 'unsafe-inline'"}


def test_a_weakening_opens_one_incident_and_its_repair_closes_it(inbox, partner, target):
    run_check(partner.url, target)
    partner.reply = Reply(headers=weaker())
    run_check(partner.url, target)
    run_check(partner.url, target)  # still weak: no second message
    assert inbox.subjects == [
        f"[Tractatus] Incident: The partner's security headers weakened at {partner.url}"
    ]
    assert "content-security-policy weakened: was default-src 'self'" in inbox.bodies[0]
    partner.reply = Reply()
    run_check(partner.url, target)
    assert inbox.subjects[1] == (
        f"[Tractatus] Recovered: The partner's security headers weakened at {partner.url}"
    )
    assert Incident.objects.open().count() == 0


def test_an_ad_hoc_check_alerts_nobody(inbox, partner):
    run_check(partner.url)
    partner.reply = Reply(headers=weaker())
    run_check(partner.url)
    assert inbox.messages == []


def test_a_certificate_within_14_days_of_expiry_is_an_incident_until_it_is_renewed(
    inbox, tmp_path, monkeypatch
):
    (tmp_path / "soon").mkdir(), (tmp_path / "renewed").mkdir()
    soon, renewed = Certificates(tmp_path / "soon", days=14), Certificates(tmp_path / "renewed")
    trusted = tmp_path / "cas.pem"  # the system's CAs, as it were: both issuers trusted
    trusted.write_bytes(soon.ca_file.read_bytes() + renewed.ca_file.read_bytes())
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(trusted))
    with partner_server(soon) as expiring:
        target = ProbeTarget.objects.create(url=expiring.url)
        run_check(expiring.url, target)
        run_check(expiring.url, target)  # still expiring: no second message
        assert inbox.subjects == [
            "[Tractatus] Incident: The certificate of localhost expires in 14 days"
        ]
        expiring.renew(renewed)
        run_check(expiring.url, target)
        run_check(expiring.url, target)
    assert inbox.subjects[1:] == [
        "[Tractatus] Recovered: The certificate of localhost expires in 14 days"
    ]
    assert "The certificate now has 60 days left." in inbox.bodies[1]
    assert Incident.objects.open().count() == 0


def test_a_target_failing_twice_in_a_row_is_an_incident(inbox, partner, target):
    partner.reply = Reply(status=503)
    run_check(partner.url, target)
    assert inbox.messages == []
    run_check(partner.url, target)
    assert inbox.subjects == [
        f"[Tractatus] Incident: The partner's live evidence at {partner.url} could not be checked"
    ]
    assert "Server error (5xx): HTTP 503" in inbox.bodies[0]
    partner.reply = Reply()
    run_check(partner.url, target)
    assert inbox.subjects[1].startswith("[Tractatus] Recovered: The partner's live evidence")
