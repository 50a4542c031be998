"""What happened to staff accounts' second factors, kept for staff to review."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class SecurityEvent(models.Model):
    """One enrolment, reset or recovery-code event; evidence, never edited."""

    class Kind(models.TextChoices):
        ENROLLED = "enrolled", "Second factor enrolled"
        RECOVERY_CODES_ISSUED = "codes-issued", "Recovery codes issued"
        RECOVERY_CODE_USED = "code-used", "Recovery code used to sign in"
        RESET = "reset", "Second factor reset"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # Usernames rather than only keys: the record outlives a deleted account.
    username = models.CharField(max_length=150)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor = models.CharField(
        max_length=150, blank=True, help_text="Who did it, when not the account's owner."
    )
    detail = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.username}"

    @classmethod
    def record(cls, kind: str, user, actor=None, detail: str = "") -> SecurityEvent:
        return cls.objects.create(
            kind=kind,
            user=user,
            username=user.get_username(),
            actor=actor.get_username() if actor and actor != user else "",
            detail=detail,
        )
