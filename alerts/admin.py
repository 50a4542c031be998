"""Incidents in the admin: read-only, with every message sent about each, closed by hand."""

from __future__ import annotations

from django.contrib import admin, messages

from tractatus_site.admin import ReadOnlyAdmin

from . import incidents
from .models import Delivery, Incident


class DeliveryInline(admin.TabularInline):
    model = Delivery
    fields = ["event", "channel", "attempts", "last_attempt_at", "sent_at", "last_error"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Incident)
class IncidentAdmin(ReadOnlyAdmin):
    list_display = ["summary", "key", "opened_at", "resolved_at", "closed_by"]
    list_filter = [("resolved_at", admin.EmptyFieldListFilter)]
    search_fields = ["=key"]
    fields = ["summary", "key", "detail", "opened_at", "resolved_at", "resolution", "closed_by"]
    inlines = [DeliveryInline]
    actions = ["close"]

    def has_close_permission(self, request) -> bool:
        return request.user.has_perm("alerts.close_incident")

    @admin.action(permissions=["close"], description="Close the selected open incidents")
    def close(self, request, queryset):
        """For what no check will see again; staff are sent one Closed message for each."""
        note = f"Closed by hand by {request.user} in the admin."
        closed = [
            incident for incident in queryset.open()
            if incidents.resolve(incident.key, note, closed_by=request.user)
        ]
        self.message_user(
            request,
            f"{len(closed)} incident(s) closed; one that still holds opens again at its next"
            " check.",
            messages.SUCCESS,
        )
