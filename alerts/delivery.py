"""Sending incident messages by email and webhook, retrying what failed on later calls."""

from __future__ import annotations

import logging
from datetime import timedelta

import requests
from django.conf import settings
from django.core.mail import send_mail
from django.db import DatabaseError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from .models import Delivery, Incident

logger = logging.getLogger(__name__)

# A message that failed this many times is given up on (and logged as such); with the ingest
# every 5 minutes that is about 25 minutes of retries.
MAX_ATTEMPTS = 5
# A failed message waits this long before it is tried again.
RETRY_AFTER = timedelta(minutes=1)
WEBHOOK_TIMEOUT_SECONDS = 10


def subject(incident: Incident, event: str) -> str:
    if event == Delivery.Event.OPENED:
        word = "Incident"
    else:
        word = "Closed" if incident.closed_by_id else "Recovered"
    return f"[Tractatus] {word}: {incident.summary}"


def body(incident: Incident, event: str) -> str:
    """The message: what, since when, until when, and where staff see it."""
    lines = [incident.summary, ""]
    if incident.detail:
        lines += [incident.detail, ""]
    lines.append(f"Opened {incident.opened_at:%Y-%m-%d %H:%M} UTC.")
    if event == Delivery.Event.RESOLVED and incident.resolved_at:
        how = f"Closed by {incident.closed_by}" if incident.closed_by_id else "Recovered"
        lines.append(f"{how} {incident.resolved_at:%Y-%m-%d %H:%M} UTC.")
        if incident.resolution:
            lines.append(incident.resolution)
    admin = reverse("admin:alerts_incident_change", args=[incident.pk])
    lines += ["", f"{settings.SITE_URL.rstrip('/')}{admin}"]
    return "\n".join(lines)


def send(delivery: Delivery) -> None:
    """Send one message now; raises whatever the channel raised."""
    incident, event = delivery.incident, delivery.event
    if delivery.channel == Delivery.Channel.EMAIL:
        send_mail(
            subject(incident, event),
            body(incident, event),
            settings.DEFAULT_FROM_EMAIL,
            settings.ALERT_EMAILS,
        )
    else:
        # Slack's incoming-webhook shape, which Mattermost, Rocket.Chat and others accept too.
        text = f"*{subject(incident, event)}*\n{body(incident, event)}"
        response = requests.post(
            settings.ALERT_WEBHOOK_URL,
            json={"text": text},
            timeout=WEBHOOK_TIMEOUT_SECONDS,
            allow_redirects=False,
        )
        response.raise_for_status()


def deliver_pending() -> int:
    """Try every unsent message once (oldest first); how many were sent. Never raises."""
    sent = 0
    try:
        pending = list(
            Delivery.objects.filter(sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS)
            .filter(
                Q(last_attempt_at__isnull=True)
                | Q(last_attempt_at__lte=timezone.now() - RETRY_AFTER)
            )
            .select_related("incident", "incident__closed_by")
        )
    except DatabaseError:
        logger.exception("alerts: could not read the messages to send")
        return 0
    for delivery in pending:
        delivery.last_attempt_at = timezone.now()
        try:
            send(delivery)
        except Exception as exc:  # any failure of a channel is logged and retried, never raised
            delivery.attempts += 1
            delivery.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            final = delivery.attempts >= MAX_ATTEMPTS
            log = logger.error if final else logger.warning
            log("alerts: %s message about %r failed (attempt %d%s): %s", delivery.channel,
                delivery.incident.summary, delivery.attempts, ", giving up" if final else "",
                delivery.last_error)
        else:
            delivery.attempts += 1
            delivery.sent_at = timezone.now()
            sent += 1
        try:
            with transaction.atomic():
                delivery.save(
                    update_fields=["attempts", "last_attempt_at", "sent_at", "last_error"]
                )
        except DatabaseError:
            logger.exception("alerts: could not record the message's outcome")
    return sent
