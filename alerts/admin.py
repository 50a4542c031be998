"""Incidents in the admin: read-only, with every message sent about each."""

from __future__ import annotations

from django.contrib import admin

from tractatus_site.admin import ReadOnlyAdmin

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
    list_display = ["summary", "key", "opened_at", "resolved_at"]
    list_filter = [("resolved_at", admin.EmptyFieldListFilter)]
    search_fields = ["=key"]
    fields = ["summary", "key", "detail", "opened_at", "resolved_at", "resolution"]
    inlines = [DeliveryInline]
