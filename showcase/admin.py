"""The editors' side: every piece of copy, with ordering, drafts, preview and history."""

from __future__ import annotations

from django.contrib import admin
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
class NavLinkAdmin(SimpleHistoryAdmin):
    list_display = ["label", "url", "placement", "live", "order", "published"]
    list_editable = ["order", "published"]


class SectionInline(admin.StackedInline):
    model = Section
    extra = 0
    fields = [("kind", "order", "published"), "heading", "subheading", "body",
              "secondary_heading"]
    show_change_link = True


@admin.register(Page)
class PageAdmin(PreviewOnSite, SimpleHistoryAdmin):
    list_display = ["title", "slug", "published", "updated_at"]
    list_filter = ["published"]
    search_fields = ["title", "slug", "intro"]
    fields = ["title", "slug", "meta_description", "intro", "show_badge", "published"]
    inlines = [SectionInline]


class HighlightInline(admin.StackedInline):
    model = Highlight
    extra = 0
    fields = [("label", "order", "published"), ("source", "service", "window"),
              ("fixed_value", "suffix"), ("detail", "since_deployment"), "note"]


class VideoInline(admin.StackedInline):
    model = Video
    extra = 0
    max_num = 1
    fields = ["title", "file", "captions", "captions_language", "poster"]


@admin.register(Section)
class SectionAdmin(PreviewOnSite, SimpleHistoryAdmin):
    list_display = ["__str__", "kind", "order", "published"]
    list_filter = ["page", "kind", "published"]
    list_select_related = ["page"]
    fields = ["page", ("kind", "order", "published"), "heading", "subheading", "body",
              "secondary_heading"]
    inlines = [HighlightInline, VideoInline]


@admin.register(EnforcementExample)
class EnforcementExampleAdmin(SimpleHistoryAdmin):
    list_display = ["title", "language", "order", "published"]
    list_editable = ["order", "published"]


@admin.register(EvidenceItem)
class EvidenceItemAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "kind", "order", "published"]
    list_editable = ["order", "published"]
    list_filter = ["kind"]


@admin.register(Framework)
class FrameworkAdmin(SimpleHistoryAdmin):
    list_display = ["name", "is_tractatus", "order", "published"]
    list_editable = ["order", "published"]


class ComparisonCellInline(admin.TabularInline):
    model = ComparisonCell
    extra = 0
    fields = ["framework", "value", "text", "note"]


@admin.register(Criterion)
class CriterionAdmin(SimpleHistoryAdmin):
    list_display = ["label", "order", "published"]
    list_editable = ["order", "published"]
    inlines = [ComparisonCellInline]


@admin.register(Citation)
class CitationAdmin(SimpleHistoryAdmin):
    list_display = ["title", "authors", "year", "kind", "published"]
    list_filter = ["kind", "published", "year"]
    search_fields = ["title", "authors", "venue", "doi"]
