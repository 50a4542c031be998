"""The probe's targets: the partner's home page and feed by default, changed in the admin."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from evidence.models import Check, ProbeTarget
from tests.staff.test_groups import member

pytestmark = pytest.mark.django_db


def test_the_default_targets_are_the_partners_home_page_and_its_feed(settings):
    assert list(ProbeTarget.objects.filter(enabled=True).values_list("url", flat=True)) == [
        "https://mysovereignty.digital/", settings.METRICS_SOURCE_URL,
    ]


def test_a_reviewer_adds_a_target_in_the_admin_and_the_hourly_run_checks_it(
    partner, django_user_model
):
    ProbeTarget.objects.update(enabled=False)  # nothing here may reach the internet
    reviewer = member(django_user_model, "rev", "Metrics reviewers")
    response = reviewer.post(
        "/admin/evidence/probetarget/add/", {"url": partner.url, "enabled": "on", "order": 9}
    )
    assert response.status_code == 302
    call_command("probe_partner")  # as cron runs it: every check passed, exit status 0
    assert list(Check.objects.values_list("url", "target__url", "grade")) == [
        (partner.url, partner.url, "A+")
    ]
