"""The editors' side: every piece of copy, with ordering, drafts, preview and history."""

from __future__ import annotations

from adminsortable2.admin import SortableAdminBase, SortableAdminMixin, SortableStackedInline
from django.contrib import admin
from django.db import transaction
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Citation,
    ComparisonCell,
    Criterion,
    EnforcementExample,
    EvidenceItem,
    Framework,
    Highlight,
    NavLink,
    Page,
    Section,
    SiteSettings,
    Video,
)

admin.site.site_header = "Tractatus site administration"
admin.site.site_title = "Tractatus admin"


class KeyboardReorder:
    """Move up/down buttons beside every drag handle: the keyboard's way to reorder."""

    class Media:
        js = ["showcase/admin/reorder.js"]
        css = {"all": ["showcase/admin/editing.css"]}


class SortableList(KeyboardReorder, SortableAdminMixin):
    """A list reordered by dragging its rows (django-admin-sortable2) or by its buttons."""

    def _update_order(self, updated_items, extra_model_filters):
        # The library bulk-updates, which sends no signal: each moved row is saved instead, so
        # that it gets a version in its history and visitors see the new order at once; all
        # or none, so that a move naming a row that is gone leaves the order as it was.
        rows = self.model.objects.filter(**extra_model_filters)
        with transaction.atomic():
            for pk, order in updated_items:
                row = rows.get(pk=pk)
                row.order = order
                row.save(update_fields=["order"])
        return len(updated_items)


class PreviewOnSite:
    """"View on site" opens the staff preview, so drafts show too."""

    def view_on_site(self, obj):
        page = obj.page if isinstance(obj, Section) else obj
        return f"{page.get_absolute_url()}?preview=1"


@admin.register(SiteSettings)
class SiteSettingsAdmin(SimpleHistoryAdmin):
    fieldsets = [
        (None, {"fields": ["site_name"]}),
        ("Live banner", {"fields": ["banner_label", "banner_text", "banner_link_label",
                                    "banner_link_url"]}),
        ("Hero badge", {"fields": ["badge_text"]}),
        ("Footer", {"fields": ["footer_text"]}),
    ]

    def has_add_permission(self, request):
        return not SiteSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(NavLink)
class NavLinkAdmin(SortableList, SimpleHistoryAdmin):
    list_display = ["order", "label", "url", "placement", "live", "published"]
    list_editable = ["published"]


class SectionInline(KeyboardReorder, SortableStackedInline):
    model = Section
    extra = 0
    fields = [("kind", "published"), "heading", "subheading", "body", "secondary_heading"]
    show_change_link = True


@admin.register(Page)
class PageAdmin(SortableAdminBase, PreviewOnSite, SimpleHistoryAdmin):
    list_display = ["title", "slug", "published", "updated_at"]
    list_filter = ["published"]
    search_fields = ["title", "slug", "intro"]
    fields = ["title", "slug", "meta_description", "intro", "show_badge", "published"]
    inlines = [SectionInline]


class HighlightInline(KeyboardReorder, SortableStackedInline):
    model = Highlight
    extra = 0
    fields = [("label", "published"), ("source", "service", "window"),
              ("fixed_value", "suffix"), ("detail", "since_deployment"), "note"]


class VideoInline(admin.StackedInline):
    model = Video
    extra = 0
    max_num = 1
    fields = ["title", "file", "captions", "captions_language", "poster"]


@admin.register(Section)
class SectionAdmin(SortableAdminBase, PreviewOnSite, SimpleHistoryAdmin):
    list_display = ["__str__", "kind", "order", "published"]
    list_filter = ["page", "kind", "published"]
    list_select_related = ["page"]
    fields = ["page", ("kind", "order", "published"), "heading", "subheading", "body",
              "secondary_heading"]
    inlines = [HighlightInline, VideoInline]


@admin.register(EnforcementExample)
class EnforcementExampleAdmin(SortableList, SimpleHistoryAdmin):
    list_display = ["order", "title", "language", "published"]
    list_editable = ["published"]


@admin.register(EvidenceItem)
class EvidenceItemAdmin(SortableList, SimpleHistoryAdmin):
    # Steps and "why" lines are two lists on the page, each in its own order; here they are one
    # list ordered by number (steps numbered first), which keeps each kind's order as it is.
    ordering = ["order"]
    list_display = ["order", "__str__", "kind", "published"]
    list_editable = ["published"]
    list_filter = ["kind"]


@admin.register(Framework)
class FrameworkAdmin(SortableList, SimpleHistoryAdmin):
    list_display = ["order", "name", "is_tractatus", "published"]
    list_editable = ["published"]


class ComparisonCellInline(admin.TabularInline):
    model = ComparisonCell
    extra = 0
    fields = ["framework", "value", "text", "note"]


@admin.register(Criterion)
class CriterionAdmin(SortableList, SimpleHistoryAdmin):
    list_display = ["order", "label", "published"]
    list_editable = ["published"]
    inlines = [ComparisonCellInline]


@admin.register(Citation)
class CitationAdmin(SortableList, SimpleHistoryAdmin):
    """Citations are listed newest year first, as a bibliography is: the year is a fact of the
    work, not an editor's choice. Dragging orders the works of one year among themselves, so it
    is offered once the list is narrowed to a year (where it cannot contradict the page)."""

    ordering = ["order"]  # the field django-admin-sortable2 reorders
    list_display = ["order", "title", "authors", "year", "kind", "published"]
    list_filter = ["year", "kind", "published"]
    search_fields = ["title", "authors", "venue", "doi"]

    def get_ordering(self, request):
        return ["order"] if "year__exact" in request.GET else ["-year", "order"]

    def changelist_view(self, request, extra_context=None):
        if "year__exact" not in request.GET:
            extra_context = {
                "subtitle": "Newest year first. To reorder the works of one year, choose the "
                "year under “By year”, then drag them or use their ↑ ↓ buttons.",
                **(extra_context or {}),
            }
        return super().changelist_view(request, extra_context)
