"""Staff told once when something needs a person, once when it recovers, through real servers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from alerts import incidents
from alerts.delivery import MAX_ATTEMPTS, deliver_pending
from alerts.models import Delivery, Incident
from metrics.models import ChainCheck, IngestRun, Snapshot
from tests.factories import make_snapshot
from tests.staff.test_groups import member

pytestmark = pytest.mark.django_db


@pytest.fixture
def bad_payload(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"not": "the contract"}')
    return str(path)


def ingest(*args: str) -> int:
    """`manage.py ingest_metrics ARGS` as cron runs it; its exit status."""
    try:
        call_command("ingest_metrics", *args)
    except SystemExit as exit_:
        return exit_.code
    return 0


def test_three_failed_ingests_send_one_message_and_a_success_one_more(inbox, bad_payload):
    make_snapshot()  # fresh data: only the failures are news
    assert [ingest("--file", bad_payload) for _ in range(2)] == [4, 4]
    assert inbox.messages == []
    for _ in range(3):  # the third opens the incident; the ones after it send nothing
        assert ingest("--file", bad_payload) == 4
    assert inbox.subjects == [
        "[Tractatus] Incident: The metrics feed's ingest has failed 3 times in a row"
    ]
    assert inbox.messages[0]["X-Envelope-To"] == "ops@example.org, lead@example.org"
    assert "Latest: rejected at" in inbox.bodies[0]
    assert "/admin/alerts/incident/" in inbox.bodies[0]
    assert ingest("--demo") == 0
    assert inbox.subjects[1:] == [
        "[Tractatus] Recovered: The metrics feed's ingest has failed 3 times in a row"
    ]
    assert "The ingest succeeded again." in inbox.bodies[1]
    assert Incident.objects.open().count() == 0


def test_the_threshold_is_a_setting(inbox, bad_payload, settings):
    settings.ALERT_AFTER_FAILURES = 1
    make_snapshot()
    ingest("--file", bad_payload)
    assert len(inbox.messages) == 1


def test_data_going_delayed_is_an_incident_until_a_fresh_snapshot(inbox):
    make_snapshot(age=timedelta(minutes=90))
    call_command("verify_metrics_chain")
    call_command("verify_metrics_chain")
    assert inbox.subjects == [
        "[Tractatus] Incident: The metrics are Delayed:"
        " the latest snapshot is older than 60 minutes"
    ]
    ingest("--demo")
    assert inbox.subjects[1].startswith("[Tractatus] Recovered: The metrics are Delayed")


def test_a_broken_hash_chain_is_an_incident(inbox):
    make_snapshot()
    Snapshot.objects.update(raw=b"tampered")
    with pytest.raises(SystemExit):
        call_command("verify_metrics_chain")
    assert inbox.subjects == ["[Tractatus] Incident: The snapshots' hash chain is broken"]
    assert "no longer hash to its SHA-256" in inbox.bodies[0]


def test_the_webhook_gets_one_slack_style_post_per_message(
    webhook, settings, django_capture_on_commit_callbacks
):
    settings.ALERT_EMAILS = []
    with django_capture_on_commit_callbacks(execute=True):  # sent once the incident commits
        incidents.open("witness:example", "The witness example refused the checkpoint")
        incidents.open("witness:example", "The witness example refused the checkpoint")
        incidents.resolve("witness:example", "It cosigned again.")
    assert [post["text"].splitlines()[0] for post in webhook.posts] == [
        "*[Tractatus] Incident: The witness example refused the checkpoint*",
        "*[Tractatus] Recovered: The witness example refused the checkpoint*",
    ]


def test_a_mail_server_that_is_down_never_breaks_the_ingest_and_is_retried(
    inbox, bad_payload, settings, smtp_port, caplog, webhook
):
    settings.ALERT_AFTER_FAILURES = 1
    settings.EMAIL_PORT = smtp_port + 1 if smtp_port < 65535 else smtp_port - 1  # nobody there
    webhook.status = 500
    make_snapshot()
    assert ingest("--file", bad_payload) == 4  # the ingest's own outcome, nothing else
    assert IngestRun.objects.count() == 1
    email, hook = Delivery.objects.order_by("channel")
    assert (email.attempts, email.sent_at, hook.attempts) == (1, None, 1)
    assert "ConnectionRefusedError" in email.last_error and "500" in hook.last_error
    assert "alerts: email message about" in caplog.text
    # Both servers are back; a later run retries what failed, once its wait is over.
    settings.EMAIL_PORT = smtp_port
    webhook.status = 200
    Delivery.objects.update(last_attempt_at=timezone.now() - timedelta(minutes=2))
    assert deliver_pending() == 2
    assert len(inbox.messages) == 1 and len(webhook.posts) == 2  # one refused, one taken
    assert deliver_pending() == 0


def test_a_message_is_given_up_after_its_last_attempt(settings, caplog):
    settings.ALERT_EMAILS = ["ops@example.org"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # discard: nothing listens
    incidents.open("x", "Something")
    for _ in range(MAX_ATTEMPTS):
        Delivery.objects.update(last_attempt_at=timezone.now() - timedelta(minutes=2))
        deliver_pending()
    assert Delivery.objects.get().attempts == MAX_ATTEMPTS
    assert "giving up" in caplog.text


def test_one_incident_per_key_is_open_at_a_time():
    assert incidents.open("k", "First") is not None
    assert incidents.open("k", "Again") is None
    assert incidents.resolve("k") is not None
    assert incidents.resolve("k") is None
    assert incidents.open("k", "Later") is not None
    assert Incident.objects.filter(key="k").count() == 2


def test_the_admin_home_lists_open_incidents(staff_client):
    incidents.open("hash-chain", "The snapshots' hash chain is broken")
    incidents.open("old", "Recovered already")
    incidents.resolve("old")
    page = staff_client.get("/admin/").content.decode()
    assert "Open incidents" in page
    assert "hash chain is broken" in page and "Recovered already" not in page
    assert "/admin/alerts/incident/?resolved_at__isempty=1" in page


def close_by_hand(browser, *incidents_to_close: Incident):
    return browser.post("/admin/alerts/incident/", {
        "action": "close", "_selected_action": [i.pk for i in incidents_to_close],
    }, follow=True)


def test_a_reviewer_closes_what_no_check_will_see_again_with_one_closed_message(
    inbox, django_user_model, django_capture_on_commit_callbacks
):
    # The weakening of a target since removed: no check will ever resolve it.
    with django_capture_on_commit_callbacks(execute=True):
        stale = incidents.open("evidence-weakened:https://old.example/", "Headers weakened")
        other = incidents.open("hash-chain", "The snapshots' hash chain is broken")
    reviewer = member(django_user_model, "rev", "Metrics reviewers")
    assert 'value="close"' in reviewer.get("/admin/alerts/incident/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        page = close_by_hand(reviewer, stale).content.decode()
    assert "1 incident(s) closed" in page
    stale.refresh_from_db()
    assert stale.resolved_at is not None and stale.closed_by.username == "rev"
    assert list(Incident.objects.open()) == [other]
    assert inbox.subjects[2:] == ["[Tractatus] Closed: Headers weakened"]
    assert "Closed by rev" in inbox.bodies[2]
    # Closing it again sends nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        close_by_hand(reviewer, stale)
    assert len(inbox.messages) == 3


def test_an_editor_sees_incidents_but_cannot_close_them(inbox, django_user_model):
    incident = incidents.open("hash-chain", "The snapshots' hash chain is broken")
    editor = member(django_user_model, "ed", "Editors")
    listing = editor.get("/admin/alerts/incident/").content.decode()
    assert "hash chain is broken" in listing and 'value="close"' not in listing
    close_by_hand(editor, incident)
    assert Incident.objects.open().count() == 1


def test_a_condition_that_still_holds_opens_again_after_closing(inbox, staff_client):
    make_snapshot(age=timedelta(minutes=90))
    call_command("verify_metrics_chain")
    close_by_hand(staff_client, Incident.objects.get())
    call_command("verify_metrics_chain")
    assert [s.split(":")[0] for s in inbox.subjects] == [
        "[Tractatus] Incident", "[Tractatus] Closed", "[Tractatus] Incident"
    ]


def test_a_chain_check_that_passes_resolves_its_incident(inbox):
    incidents.open("hash-chain", "The snapshots' hash chain is broken")
    make_snapshot()
    call_command("verify_metrics_chain")
    assert ChainCheck.objects.get().intact
    assert Incident.objects.open().count() == 0


def test_the_transparency_log_failing_its_check_is_an_incident(inbox):
    from transparency.integrity import Report, record

    record(Report(size=3, problems=["MISMATCH snapshot 1 no longer matches its log entry 0"]))
    record(Report(size=3, problems=["MISMATCH snapshot 1 no longer matches its log entry 0"]))
    assert inbox.subjects == ["[Tractatus] Incident: The transparency log failed its check"]
    assert "MISMATCH snapshot 1" in inbox.bodies[0]
    record(Report(size=3))
    assert inbox.subjects[1] == "[Tractatus] Recovered: The transparency log failed its check"


def test_a_witness_refusing_is_an_incident_until_it_cosigns(inbox):
    from transparency.models import WitnessState
    from transparency.witnesses import record

    state = WitnessState.objects.create(name="w1.example", url="https://w1.example/")
    record(state, False, "refused: HTTP 409 Conflict")
    record(state, False, "refused: HTTP 409 Conflict")
    assert inbox.subjects == [
        "[Tractatus] Incident: The witness w1.example did not cosign the log's checkpoint"
    ]
    assert "refused: HTTP 409 Conflict" in inbox.bodies[0]
    record(state, True, "")
    assert inbox.subjects[1].startswith("[Tractatus] Recovered: The witness w1.example")


def test_email_url_and_alert_emails_configure_the_real_mail_path(inbox, smtp_port):
    from tests.site.test_security import run_django

    environment = {"DEBUG": "1", "SECRET_KEY": "k" * 50,
                   "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
                   "ALERT_EMAILS": "ops@example.org, lead@example.org"}
    result = run_django(["sendtestemail", "ops@example.org"], **environment)
    assert result.returncode == 0, result.stderr
    assert inbox.messages[0]["X-Envelope-To"] == "ops@example.org"
    listed = run_django(["diffsettings"], **environment).stdout
    assert "ALERT_EMAILS = ['ops@example.org', 'lead@example.org']" in listed
