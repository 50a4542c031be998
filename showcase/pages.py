"""Gathering what one page shows: its sections and the data each kind of section needs."""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import Prefetch
from django.utils import timezone

from metrics.dashboard import dashboard
from metrics.figures import latest_figures, service_rows
from metrics.models import FrameworkService
from tractatus_site import pagecache

from .comparison import comparison_table
from .models import (
    Citation,
    EnforcementExample,
    EvidenceItem,
    Highlight,
    NavLink,
    Page,
    Section,
    SiteSettings,
)

Kind = Section.Kind


def site_chrome() -> dict:
    """Site settings and navigation: the same on every page, so cached until an edit."""
    key = f"chrome:{pagecache.current_version()}"
    chrome = cache.get(key)
    if chrome is None:
        chrome = {
            "site": SiteSettings.load(),
            "nav_links": list(NavLink.objects.visible()),
        }
        cache.set(key, chrome, timeout=None)
    return chrome


def get_page(slug: str, preview: bool) -> Page | None:
    return Page.objects.visible(preview).filter(slug=slug).first()


def page_context(page: Page, preview: bool = False) -> dict:
    """Everything the page template shows, each kind's rows read with one query."""
    highlights = Highlight.objects.visible(preview).select_related("service")
    sections = list(
        page.sections.visible(preview)
        .select_related("video")
        .prefetch_related(Prefetch("highlights", highlights))
    )
    kinds = {section.kind for section in sections}
    figures = latest_figures()
    for section in sections:
        section.items = [(h, h.value(figures)) for h in section.highlights.all()]
        section.shows_live = any(h.is_live for h, _ in section.items)

    context = {
        "page": page,
        "sections": sections,
        "figures": figures,
        "state": figures.state(),
        "now": timezone.now(),
        "preview": preview,
    }
    if kinds & {Kind.SERVICES, Kind.DASHBOARD}:
        services = FrameworkService.objects.all()
        if not preview:
            services = services.filter(published=True)
        context["service_rows"] = service_rows(services, figures)
    if Kind.DASHBOARD in kinds:
        published = [row.service for row in context["service_rows"] if row.service.published]
        context["dashboard"] = dashboard(figures, published)
    if Kind.EXAMPLES in kinds:
        context["examples"] = list(EnforcementExample.objects.visible(preview))
    if Kind.EVIDENCE in kinds:
        items = list(EvidenceItem.objects.visible(preview))
        context["evidence_steps"] = [i for i in items if i.kind == EvidenceItem.Kind.STEP]
        context["why_lines"] = [i for i in items if i.kind == EvidenceItem.Kind.WHY]
    if Kind.COMPARISON in kinds:
        context["comparison"] = comparison_table(preview)
    if Kind.CITATIONS in kinds:
        context["citations"] = list(Citation.objects.visible(preview))
    return context
