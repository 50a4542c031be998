"""Incidents staff are told about, and each message sent (or still to send) about them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class IncidentQuerySet(models.QuerySet):
    def open(self):
        return self.filter(resolved_at__isnull=True)


class Incident(models.Model):
    """Something that needs a person, from when it was noticed until it recovered.

    One incident per key is open at a time, so a condition that persists is one incident and
    one message, however often it is seen again.
    """

    key = models.CharField(
        max_length=200, help_text="What is wrong, e.g. ingest-failing or certificate:host."
    )
    summary = models.CharField(max_length=300)
    detail = models.TextField(blank=True)
    context = models.JSONField(default=dict, blank=True)
    opened_at = models.DateTimeField(auto_now_add=True, db_index=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.TextField(blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", help_text="Who closed it by hand; empty when it recovered on its own.",
    )

    objects = IncidentQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at"]
        # What cron can no longer see (a target removed, a witness retired, a weakening the
        # partner meant) would otherwise stay open for ever.
        permissions = [("close_incident", "Can close an incident by hand")]
        constraints = [
            models.UniqueConstraint(
                fields=["key"], condition=Q(resolved_at__isnull=True), name="one_open_incident"
            )
        ]

    def __str__(self):
        return self.summary

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class Delivery(models.Model):
    """One message about an incident on one channel: sent, or retried until it is."""

    class Event(models.TextChoices):
        OPENED = "opened", "Opened"
        RESOLVED = "resolved", "Recovered"

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        WEBHOOK = "webhook", "Webhook"

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=8, choices=Event.choices)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "event", "channel"], name="one_message_per_event"
            )
        ]

    def __str__(self):
        return f"{self.get_event_display()} by {self.get_channel_display()}: {self.incident}"
