"""The editors' side: every piece of copy, with ordering, drafts, preview and history."""

from __future__ import annotations

from adminsortable2.admin import SortableAdminBase, SortableAdminMixin, SortableStackedInline
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.views.decorators.http import require_POST
from simple_history.admin import SimpleHistoryAdmin

from . import links, preview, revisions
from .forms import ConfirmHiding
from .markdown import render_checked
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
from .widgets import EditorTextareas

admin.site.site_header = "Tractatus site administration"
admin.site.site_title = "Tractatus admin"


class Revisions(SimpleHistoryAdmin):
    """History with comparison and restore (see revisions.py): one save is one version."""

    object_history_template = "admin/showcase/object_history.html"

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/history/compare/", view(self.compare_view),
                 name="{}_{}_compare".format(*info)),
            path("<path:object_id>/history/<int:version_id>/restore/",
                 view(self.restore_view), name="{}_{}_restore".format(*info)),
            *super().get_urls(),
        ]

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        with revisions.one_version(request.user):
            return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        # A save that changes nothing records no version (nor tells visitors' caches anything).
        if change and not form.has_changed():
            return
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        request.nothing_changed = change and not (
            form.has_changed() or any(formset.has_changed() for formset in formsets)
        )
        self.warn_what_markdown_drops(request, form, formsets)

    def warn_what_markdown_drops(self, request, form, formsets) -> None:
        """After a save, name what of the saved Markdown visitors won't get."""
        rows = [(form, getattr(self, "markdown_fields", ()))]
        for formset, inline in zip(formsets, self.get_inline_instances(request, form.instance),
                                   strict=False):
            fields = getattr(inline, "markdown_fields", ())
            rows += [(each, fields) for each in formset.forms
                     if each not in formset.deleted_forms]
        for row, fields in rows:
            for name in fields:
                if name not in row.changed_data:
                    continue
                removed = render_checked(getattr(row.instance, name)).removed
                if removed:
                    label = row.instance._meta.get_field(name).verbose_name.capitalize()
                    messages.warning(request, f"{label} of “{row.instance}” is saved, but "
                                     f"visitors won't see: {'; '.join(removed)}.")

    def message_user(self, request, message, level=messages.INFO, *args, **kwargs):
        if getattr(request, "nothing_changed", False) and level == messages.SUCCESS:
            message = "Nothing was changed, so no new version was recorded."
        super().message_user(request, message, level, *args, **kwargs)

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        if not getattr(request, "nothing_changed", False):
            revisions.explain_latest_version(obj, entry.get_change_message())
        return entry

    def get_existing(self, request, object_id):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404(f"No {self.opts.verbose_name} with this id")
        return obj

    def can_restore(self, request, obj) -> bool:
        return self.has_change_history_permission(request, obj) and not self.revert_disabled(
            request, obj
        )

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """A version opens compared with the current one, restorable from there."""
        url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_compare",
                      args=[object_id])
        return HttpResponseRedirect(f"{url}?older={version_id}")

    def compare_view(self, request, object_id):
        obj = self.get_existing(request, object_id)
        if not self.has_view_history_or_change_history_permission(request, obj):
            raise PermissionDenied
        versions = list(obj.history.select_related("history_user"))
        if not versions:
            raise Http404("No version of it was recorded")
        by_id = {str(version.history_id): version for version in versions}
        newer = by_id.get(request.GET.get("newer"), versions[0])
        older = by_id.get(request.GET.get("older"), versions[min(1, len(versions) - 1)])
        comparison = revisions.compare(older, newer)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Compare versions of “{obj}”",
            "opts": self.opts,
            "original": obj,
            "versions": versions,
            "comparison": comparison,
            "can_restore": comparison.older != versions[0] and self.can_restore(request, obj),
        }
        return TemplateResponse(request, "admin/showcase/compare.html", context)

    def restore_view(self, request, object_id, version_id):
        obj = self.get_existing(request, object_id)
        record = obj.history.filter(history_id=version_id).first()
        if record is None:
            raise Http404("No such version")
        return self.restore_version(request, obj, record)

    def restore_version(self, request, obj, record):
        """GET: what restoring `record` would change, to confirm. POST: restore it as a new
        version, and say so; back to the form when it is done."""
        if not self.can_restore(request, obj):
            raise PermissionDenied
        version = f"the version of {revisions.describe(record)}"
        if request.method != "POST":
            changes = revisions.restoring(record)
            parts = ", sections included" if changes.sections is not None else ""
            return self.confirmation(request, obj, f"Restore {version}?", "Restore it", {
                "changes": changes,
                "consequences": [
                    f"“{obj}” becomes as it was then{parts}; visitors see it at once.",
                    "It is recorded as a new version: the current one stays in the history, "
                    "so you can restore it in turn.",
                ],
            })
        try:
            restored = revisions.restore(record, request.user)
        except ValidationError as error:
            messages.error(request, f"Could not restore {version}: {' '.join(error.messages)}")
        else:
            self.log_change(request, restored, f"Restored {version}.")
            messages.success(request, f"Restored {version} as a new version; visitors see it now.")
        return self.back_to_form(obj)

    def confirmation(self, request, obj, title: str, button: str, extra: dict):
        """A page that says what an action will change, with a button that does it."""
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "button": button,
            "opts": self.opts,
            "original": obj,
            **extra,
        }
        return TemplateResponse(request, "admin/showcase/confirm.html", context)

    def back_to_form(self, obj):
        info = self.opts.app_label, self.opts.model_name
        return HttpResponseRedirect(reverse("admin:{}_{}_change".format(*info), args=[obj.pk]))


class KeyboardReorder:
    """Move up/down buttons beside every drag handle: the keyboard's way to reorder."""

    class Media:
        js = ["showcase/admin/reorder.js"]
        css = {"all": ["showcase/admin/editing.css"]}


class SortableList(KeyboardReorder, SortableAdminMixin):
    """A list reordered by dragging its rows (django-admin-sortable2) or by its buttons."""

    def get_changelist_form(self, request, **kwargs):
        form = super().get_changelist_form(request, **kwargs)

        class Labelled(form):
            """The admin leaves a list's editable fields unlabelled: each is named for its row."""

            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                for field in self.fields.values():
                    if not field.widget.is_hidden:
                        field.widget.attrs["aria-label"] = f"{field.label}: {self.instance}"

        return Labelled

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
class SiteSettingsAdmin(EditorTextareas, Revisions):
    markdown_fields = ("footer_text",)
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
class NavLinkAdmin(SortableList, Revisions):
    list_display = ["order", "label", "url", "placement", "live", "published"]
    list_editable = ["published"]


class SectionInline(EditorTextareas, KeyboardReorder, SortableStackedInline):
    model = Section
    form = ConfirmHiding
    markdown_fields = ("body",)
    extra = 0
    fields = [("kind", "published", "status"), ("go_live_at", "expire_at"), "confirm_hiding",
              "heading", "subheading", "body", "secondary_heading"]
    readonly_fields = ["status"]
    show_change_link = True


@admin.register(Page)
class PageAdmin(EditorTextareas, SortableAdminBase, PreviewOnSite, Revisions):
    form = ConfirmHiding
    markdown_fields = ("intro",)
    list_display = ["title", "slug", "status", "updated_at"]
    list_filter = ["published"]
    search_fields = ["title", "slug", "intro"]
    fields = ["status", "title", "slug", "meta_description", "intro", "show_badge", "published",
              ("go_live_at", "expire_at"), "confirm_hiding"]
    readonly_fields = ["status"]
    inlines = [SectionInline]

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("preview/", view(require_POST(self.preview_view)),
                 name="showcase_page_preview_new"),
            path("<path:object_id>/preview/", view(require_POST(self.preview_view)),
                 name="showcase_page_preview"),
            path("links/", view(self.links_view), name="showcase_page_links"),
            path("<path:object_id>/unpublish/", view(self.unpublish_view),
                 name="showcase_page_unpublish"),
            path("<path:object_id>/restore-previous/", view(self.restore_previous_view),
                 name="showcase_page_restore_previous"),
            *super().get_urls(),
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="",
                           obj=None):
        if obj is None:
            context["preview_url"] = reverse("admin:showcase_page_preview_new")
        else:
            context["preview_url"] = reverse("admin:showcase_page_preview", args=[obj.pk])
            if self.can_restore(request, obj):
                context["previous_version"] = revisions.previous_version(obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def preview_view(self, request, object_id=None):
        """The page as the form's unsaved data would make it, for staff who may save it.

        Nothing is saved: the form is only validated. The response is never cached (the
        admin's views send no-store) nor indexed.
        """
        page = self.get_existing(request, object_id) if object_id else None
        if not (self.has_change_permission(request, page) if page
                else self.has_add_permission(request)):
            raise PermissionDenied
        form = self.get_form(request, page, change=page is not None)(
            request.POST, request.FILES, instance=page or Page()
        )
        formsets = [
            FormSet(**self.get_formset_kwargs(request, form.instance, inline,
                                              FormSet.get_default_prefix()))
            for FormSet, inline in self.get_formsets_with_inlines(request, page)
        ]
        if all([form.is_valid(), *[formset.is_valid() for formset in formsets]]):
            context = preview.unsaved_page_context(
                form.instance, preview.unsaved_sections(formsets)
            )
            response = TemplateResponse(request, "showcase/page.html", context)
        else:
            context = {
                **self.admin_site.each_context(request),
                "title": "The preview could not be built",
                "opts": self.opts,
                "original": page,
                "problems": preview.form_problems(form, formsets),
            }
            response = TemplateResponse(
                request, "admin/showcase/page/preview_problems.html", context, status=400
            )
        response["X-Robots-Tag"] = "noindex"
        return response

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if change and not form.has_changed() and not request.nothing_changed:
            # Only its sections changed: the page's history still records a version for it.
            revisions.record_page_change(form.instance, "Changed its sections.")

    def can_restore(self, request, obj) -> bool:
        # Restoring a page also adds, changes and removes its sections and their highlights.
        parts = [f"showcase.{action}_{model}" for action in ("add", "change", "delete")
                 for model in ("section", "highlight")]
        return super().can_restore(request, obj) and request.user.has_perms(parts)

    def links_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": "Internal links that lead to “page not found”",
            "opts": self.opts,
            "broken": links.broken_links(),
        }
        return TemplateResponse(request, "admin/showcase/links.html", context)

    def unpublish_view(self, request, object_id):
        """GET: what unpublishing will change, and what links to the page. POST: unpublish."""
        page = self.get_existing(request, object_id)
        if not self.has_change_permission(request, page):
            raise PermissionDenied
        if request.method != "POST":
            return self.confirmation(request, page, f"Unpublish “{page}”?", "Unpublish it", {
                "consequences": [
                    f"Visitors will get “page not found” at {page.get_absolute_url()} at once, "
                    "and menus leave out links to it.",
                    "It stays here as a draft: tick “Published” and save to bring it back.",
                ],
                "links": links.links_to(page),
            })
        with revisions.one_version(request.user, "Unpublished"):
            page.unpublish()
        self.log_change(request, page, "Unpublished.")
        messages.success(request, f"“{page}” is unpublished: visitors no longer see it.")
        return self.back_to_form(page)

    def restore_previous_view(self, request, object_id):
        page = self.get_existing(request, object_id)
        previous = revisions.previous_version(page)
        if previous is None:
            messages.error(request, f"“{page}” has no earlier version to restore.")
            return self.back_to_form(page)
        return self.restore_version(request, page, previous)


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
class SectionAdmin(EditorTextareas, SortableAdminBase, PreviewOnSite, Revisions):
    form = ConfirmHiding
    markdown_fields = ("body",)
    list_display = ["__str__", "kind", "order", "status"]
    list_filter = ["page", "kind", "published"]
    list_select_related = ["page"]
    fields = ["status", "page", ("kind", "order", "published"), ("go_live_at", "expire_at"),
              "confirm_hiding", "heading", "subheading", "body", "secondary_heading"]
    readonly_fields = ["status"]
    inlines = [HighlightInline, VideoInline]

    # A change made here is a change of the page too: its history records a version for it.
    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not request.nothing_changed:
            section = form.instance
            revisions.record_page_change(section.page, f"Changed its section “{section}”.")

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        revisions.record_page_change(obj.page, f"Deleted its section “{obj}”.")

    def delete_queryset(self, request, queryset):
        pages = {section.page for section in queryset.select_related("page")}
        super().delete_queryset(request, queryset)
        for page in pages:
            revisions.record_page_change(page, "Deleted some of its sections.")


@admin.register(EnforcementExample)
class EnforcementExampleAdmin(EditorTextareas, SortableList, Revisions):
    list_display = ["order", "title", "language", "published"]
    list_editable = ["published"]


@admin.register(EvidenceItem)
class EvidenceItemAdmin(EditorTextareas, SortableList, Revisions):
    markdown_fields = ("text",)
    # Steps and "why" lines are two lists on the page, each in its own order; here they are one
    # list ordered by number (steps numbered first), which keeps each kind's order as it is.
    ordering = ["order"]
    list_display = ["order", "__str__", "kind", "published"]
    list_editable = ["published"]
    list_filter = ["kind"]


@admin.register(Framework)
class FrameworkAdmin(SortableList, Revisions):
    list_display = ["order", "name", "is_tractatus", "published"]
    list_editable = ["published"]


class ComparisonCellInline(admin.TabularInline):
    model = ComparisonCell
    extra = 0
    fields = ["framework", "value", "text", "note"]


@admin.register(Criterion)
class CriterionAdmin(SortableList, Revisions):
    list_display = ["order", "label", "published"]
    list_editable = ["published"]
    inlines = [ComparisonCellInline]


@admin.register(Citation)
class CitationAdmin(SortableList, Revisions):
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
