"""Gathering what one page shows: its sections and the data each kind of section needs."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from audit.events import decision_rows
from evidence.live import latest_evidence
from metrics.dashboard import dashboard
from metrics.figures import latest_figures, service_rows
from metrics.models import AuditEvent, FrameworkService
from tractatus_site import state

from .comparison import comparison_table
from .models import (
    Citation,
    EnforcementExample,
    EvidenceItem,
    Highlight,
    Page,
    Section,
)

Kind = Section.Kind
# The kinds whose templates show a section's highlights.
HIGHLIGHT_KINDS = frozenset({Kind.METRIC_CARDS, Kind.HIGHLIGHTS, Kind.SERVICES})


def visible_highlights(preview: bool = False):
    return Highlight.objects.visible(preview).select_related("service")


def read_content(slug: str, preview: bool = False) -> dict | None:
    """The page and the editors' rows its sections show, or None when there is no such page."""
    pages = Page.objects.visible(preview).filter(slug=slug)
    # The sections with their page joined: one query for both, but for a page with no section.
    sections = list(
        Section.objects.visible(preview).filter(page__in=pages).select_related("page", "video")
    )
    # Only the kinds that show highlights read them: no query for a page without such a section.
    with_highlights = [section for section in sections if section.kind in HIGHLIGHT_KINDS]
    prefetch_related_objects(
        with_highlights,
        Prefetch("highlights", visible_highlights(preview), to_attr="highlight_list"),
    )
    for section in sections:
        if section.kind not in HIGHLIGHT_KINDS:
            section.highlight_list = []
    page = sections[0].page if sections else pages.first()
    if page is None:
        return None
    return page_content(page, sections, preview)


def page_content(page: Page, sections: list[Section], preview: bool = False) -> dict:
    """The page, its sections (each with its `highlight_list`) and the rows their kinds show.

    The page and sections may be unsaved: an editor's preview builds the page from its form.
    """
    kinds = {section.kind for section in sections}
    content = {"page": page, "sections": sections, "preview": preview}
    if kinds & {Kind.SERVICES, Kind.DASHBOARD}:
        services = FrameworkService.objects.all()
        content["services"] = list(services if preview else services.filter(published=True))
    if Kind.EXAMPLES in kinds:
        content["examples"] = list(EnforcementExample.objects.visible(preview))
    if Kind.EVIDENCE in kinds:
        items = list(EvidenceItem.objects.visible(preview))
        content["evidence_steps"] = [i for i in items if i.kind == EvidenceItem.Kind.STEP]
        content["why_lines"] = [i for i in items if i.kind == EvidenceItem.Kind.WHY]
    if Kind.COMPARISON in kinds:
        content["comparison"] = comparison_table(preview)
    if Kind.CITATIONS in kinds:
        content["citations"] = list(Citation.objects.visible(preview))
    return content


def page_context(slug: str, preview: bool = False) -> dict | None:
    """Everything the page template shows, or None when there is no such page.

    Visitors' copies of the editors' rows are cached for the content the database holds (a
    staff preview reads the database); the figures are the latest snapshot's.
    """
    if len(slug) > Page._meta.get_field("slug").max_length:
        return None  # no page has it, and it would not fit in a cache key
    now = timezone.now()
    if preview:
        content = read_content(slug, preview=True)
    else:
        content = state.remembered(f"page:{slug}", lambda: read_content(slug))
        content = content and on_air(content, now)
    if content is None:
        return None
    return content_context(content, now)


def on_air(content: dict, now: datetime) -> dict | None:
    """What visitors see of a page now, scheduling decided (None while the page is not on).

    `fresh_until` is its next scheduled change, past which no cache may keep what it shows.
    """
    page, sections = content["page"], content["sections"]
    if not page.shows_at(now):
        return None
    changes = [moment for row in (page, *sections) for moment in row.changes_after(now)]
    return content | {
        "sections": [section for section in sections if section.shows_at(now)],
        "fresh_until": min(changes, default=None),
    }


def content_context(content: dict, now: datetime) -> dict:
    """The page template's context: the editors' content with the latest figures."""
    figures = latest_figures()
    for section in content["sections"]:
        section.items = [
            (h, h.value(figures), h.detail_text(figures)) for h in section.highlight_list
        ]
        section.shows_live = any(h.is_live for h in section.highlight_list)
    context = content | {"figures": figures, "state": figures.state(now), "now": now}
    if "services" in content:
        context["service_rows"] = service_rows(content["services"], figures)
    if any(section.kind == Kind.DECISIONS for section in content["sections"]):
        # Read only if the template's cached list is missing; keyed by the snapshot they came in.
        context["decisions"] = SimpleLazyObject(
            lambda: decision_rows(state.remembered(
                "recent-decisions", lambda: list(AuditEvent.objects.recent_enforcement())
            ))
        )
    if any(section.kind == Kind.EVIDENCE for section in content["sections"]):
        # Read each render beside the content: the targets and their latest checks' ids in one
        # query, the checks themselves cached under those ids (evidence.live).
        context["live_evidence"] = latest_evidence()
    if any(section.kind == Kind.DASHBOARD for section in content["sections"]):
        published = [service for service in content["services"] if service.published]
        context["dashboard"] = dashboard(figures, published)
    return context
