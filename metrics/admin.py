"""Staff review of the ingest: runs and snapshots (read-only), the hash chain, unmapped keys.

Editors manage only the framework services; everything that came from the feed is evidence and
cannot be added, edited or deleted here.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from tractatus_site.admin import ReadOnlyAdmin

from .chain import record_chain_check
from .health import latest_snapshot_summary, unmapped_keys
from .models import AuditEvent, ChainCheck, FrameworkService, IngestRun, Snapshot


@admin.register(FrameworkService)
class FrameworkServiceAdmin(SimpleHistoryAdmin):
    """Editors change the copy (change permission); reviewers the feed mapping and status."""

    list_display = ["name", "feed_key", "status", "order", "published"]
    list_editable = ["order", "published"]

    @staticmethod
    def may_edit_copy(request) -> bool:
        return request.user.has_perm("metrics.change_frameworkservice")

    @staticmethod
    def may_edit_mapping(request) -> bool:
        return request.user.has_perm("metrics.change_feed_mapping")

    def has_change_permission(self, request, obj=None):
        return self.may_edit_copy(request) or self.may_edit_mapping(request)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:  # a new service is a new mapping, named by whoever may add one
            return ()
        return (() if self.may_edit_copy(request) else FrameworkService.COPY_FIELDS) + (
            () if self.may_edit_mapping(request) else FrameworkService.MAPPING_FIELDS
        )

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        if not self.may_edit_copy(request):
            changelist.list_editable = ()  # order and published are copy
        return changelist


def snapshot_admin_url(snapshot: Snapshot) -> str:
    return reverse("admin:metrics_snapshot_change", args=[snapshot.pk])


@admin.register(IngestRun)
class IngestRunAdmin(ReadOnlyAdmin):
    list_display = [
        "started_at",
        "outcome",
        "reason",
        "http_status",
        "bytes_read",
        "duration_ms",
        "snapshot_link",
    ]
    list_filter = ["outcome", "started_at"]
    date_hierarchy = "started_at"
    search_fields = ["reason"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("snapshot").defer("snapshot__raw")

    @admin.display(description="snapshot")
    def snapshot_link(self, run: IngestRun) -> str:
        if run.snapshot is None:
            return "-"
        return format_html(
            '<a href="{}">{}</a>', snapshot_admin_url(run.snapshot), run.snapshot.short_sha256
        )


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """The framework's decisions as the feed published them: evidence, never edited."""

    list_display = ["at", "decision", "service", "rule", "tenant", "event_id", "snapshot_link"]
    list_filter = ["decision"]
    # Exact, case-sensitive matches, so each is answered by an index however many events are
    # stored (Django's "=field" means iexact: UPPER() on both sides, a scan of every row).
    search_fields = ["event_id__exact", "tenant__exact", "service__exact", "rule__exact"]
    search_help_text = "An event's id, a tenant pseudonym, a service key or a rule, exactly."
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("snapshot").defer("snapshot__raw")

    @admin.display(description="snapshot")
    def snapshot_link(self, event: AuditEvent) -> str:
        return format_html(
            '<a href="{}">{}</a>', snapshot_admin_url(event.snapshot), event.snapshot.short_sha256
        )


@admin.register(Snapshot)
class SnapshotAdmin(ReadOnlyAdmin):
    list_display = ["generated_at", "source", "short_sha256", "ingested_at", "signature_verified"]
    list_filter = ["source", "generated_at"]
    date_hierarchy = "generated_at"
    fields = [
        "generated_at",
        "ingested_at",
        "source",
        "sha256",
        "hash_status",
        "previous_link",
        "raw_link",
        "signature",
        "signature_verified",
        "deployed_since",
        "tenant_isolation_24h",
        "tenant_isolation_7d",
        "tenant_isolation_30d",
        "uptime_percent",
        "bypasses",
        "payload",
    ]
    readonly_fields = ["hash_status", "previous_link", "raw_link", "payload"]

    def get_queryset(self, request):
        # Lists never need the bytes; the change page loads them when it shows the payload.
        return super().get_queryset(request).defer("raw")

    @admin.display(description="SHA-256 of the stored bytes")
    def hash_status(self, snapshot: Snapshot) -> str:
        return "matches" if snapshot.hash_matches() else "DOES NOT MATCH: the bytes were altered"

    @admin.display(description="previous SHA-256")
    def previous_link(self, snapshot: Snapshot) -> str:
        previous = Snapshot.objects.defer("raw").filter(sha256=snapshot.previous_sha256).first()
        if previous is None:
            return snapshot.previous_sha256 or "(none: the first snapshot)"
        return format_html('<a href="{}">{}</a>', snapshot_admin_url(previous), previous.sha256)

    @admin.display(description="public copy")
    def raw_link(self, snapshot: Snapshot) -> str:
        url = snapshot.get_absolute_url()
        return format_html('<a href="{}">{}</a>', url, url)

    @admin.display(description="payload")
    def payload(self, snapshot: Snapshot) -> str:
        raw = snapshot.raw_bytes()
        try:
            text = json.dumps(json.loads(raw), indent=2, ensure_ascii=False)
        except ValueError:
            text = raw.decode("utf-8", errors="replace")
        # format_html escapes the feed's text: a name carrying markup is shown, never run.
        return format_html('<pre class="payload">{}</pre>', text)

    def get_urls(self):
        own = [
            path("chain/", self.admin_site.admin_view(self.chain_view), name="metrics_chain"),
            path(
                "unmapped-keys/",
                self.admin_site.admin_view(self.unmapped_view),
                name="metrics_unmapped_keys",
            ),
        ]
        return own + super().get_urls()

    def review_context(self, request, title: str) -> dict:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return {**self.admin_site.each_context(request), "title": title, "opts": self.opts}

    def chain_view(self, request):
        """The last verification of the hash chain, and a button to verify it now."""
        context = self.review_context(request, "Hash chain")
        if request.method == "POST":
            context["check"] = record_chain_check()
            context["fresh"] = True
        else:
            context["check"] = ChainCheck.objects.order_by("-checked_at").first()
        context["broken_snapshot"] = (
            Snapshot.objects.defer("raw").filter(sha256=context["check"].broken_at).first()
            if context["check"] and context["check"].broken_at
            else None
        )
        return TemplateResponse(request, "admin/metrics/chain.html", context)

    def unmapped_view(self, request):
        """Feed keys of the latest snapshot that no framework service maps, to be mapped."""
        context = self.review_context(request, "Unmapped feed keys")
        snapshot = latest_snapshot_summary()
        add_url = reverse("admin:metrics_frameworkservice_add")
        context["snapshot"] = snapshot
        context["rows"] = [
            (row, f"{add_url}?{urlencode({'feed_key': row.key, 'name': row.name})}")
            for row in unmapped_keys(snapshot)
        ]
        return TemplateResponse(request, "admin/metrics/unmapped_keys.html", context)
