"""Staff manage the probe's targets; its checks and their changes are evidence, read-only."""

from __future__ import annotations

from django.contrib import admin

from tractatus_site.admin import ReadOnlyAdmin

from .models import Check, HeaderChange, ProbeTarget


@admin.register(ProbeTarget)
class ProbeTargetAdmin(admin.ModelAdmin):
    list_display = ["url", "enabled", "order"]
    list_editable = ["enabled", "order"]


class HeaderChangeInline(admin.TabularInline):
    model = HeaderChange
    fk_name = "found_in"
    fields = ["header", "kind", "before", "after"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Check)
class CheckAdmin(ReadOnlyAdmin):
    list_display = ["checked_at", "url", "status", "grade", "failure", "certificate_days_left"]
    list_filter = ["failure", "grade"]
    search_fields = ["=url"]
    fields = ["url", "target", "checked_at", "status", "final_url", "grade", "score", "failure",
              "error", "certificate_expires_at", "certificate_days_left", "headers",
              "raw_headers", "sha256"]
    inlines = [HeaderChangeInline]
