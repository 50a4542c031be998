"""Staff review of the transparency log: its checks, checkpoints and witnesses, read-only."""

from __future__ import annotations

from django.contrib import admin

from tractatus_site.admin import ReadOnlyAdmin

from .models import Checkpoint, LogCheck, WitnessState


@admin.register(LogCheck)
class LogCheckAdmin(ReadOnlyAdmin):
    list_display = ["checked_at", "size", "checkpoint_size", "intact"]
    fields = ["checked_at", "size", "checkpoint_size", "problems"]

    @admin.display(boolean=True)
    def intact(self, check: LogCheck) -> bool:
        return check.intact


@admin.register(Checkpoint)
class CheckpointAdmin(ReadOnlyAdmin):
    list_display = ["size", "origin", "signed_at"]
    fields = ["origin", "size", "signed_at", "note"]


@admin.register(WitnessState)
class WitnessStateAdmin(ReadOnlyAdmin):
    list_display = ["name", "ok", "size", "detail", "attempted_at", "cosigned_at"]
    fields = [*list_display, "url"]
