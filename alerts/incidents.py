"""Opening and resolving incidents: one message when one opens, one when it recovers.

Any part of the site calls `open(key, summary)` each time it sees something wrong and
`resolve(key)` each time it sees it right; only the first call of each sends anything. Messages
go out after the transaction commits and are retried on later calls (`deliver_pending`), so a
mail server that is down never stops what noticed the incident.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from .delivery import deliver_pending
from .models import Delivery, Incident

logger = logging.getLogger(__name__)


def channels() -> list[str]:
    """The channels configured now: email to ALERT_EMAILS, and the webhook if one is set."""
    configured = []
    if settings.ALERT_EMAILS:
        configured.append(Delivery.Channel.EMAIL)
    if settings.ALERT_WEBHOOK_URL:
        configured.append(Delivery.Channel.WEBHOOK)
    return configured


def queue(incident: Incident, event: str) -> None:
    Delivery.objects.bulk_create(
        Delivery(incident=incident, event=event, channel=channel) for channel in channels()
    )
    transaction.on_commit(deliver_pending)


def open(key: str, summary: str, detail: str = "", context: dict | None = None) -> Incident | None:
    """Open the incident `key` unless it is open already; the new incident, or None."""
    if Incident.objects.open().filter(key=key).exists():
        return None
    try:
        with transaction.atomic():
            incident = Incident.objects.create(
                key=key, summary=summary[:300], detail=detail, context=context or {}
            )
            queue(incident, Delivery.Event.OPENED)
    except IntegrityError:  # opened by a concurrent run a moment ago
        return None
    logger.warning("incident opened: %s", summary)
    return incident


def resolve(key: str, resolution: str = "", closed_by=None) -> Incident | None:
    """Close the open incident `key`, if there is one; the incident closed, or None.

    `closed_by` is the staff member closing it by hand; the message then says Closed, not
    Recovered, and if the condition still holds the next check opens it again.
    """
    with transaction.atomic():
        incident = Incident.objects.select_for_update().open().filter(key=key).first()
        if incident is None:
            return None
        incident.resolved_at = timezone.now()
        incident.resolution = resolution
        incident.closed_by = closed_by
        incident.save(update_fields=["resolved_at", "resolution", "closed_by"])
        queue(incident, Delivery.Event.RESOLVED)
    logger.warning("incident %s: %s", "closed" if closed_by else "recovered", incident.summary)
    return incident


def current(key: str) -> Incident | None:
    """The open incident `key`, if any."""
    return Incident.objects.open().filter(key=key).first()
