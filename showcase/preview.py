"""An editor's preview: the page its unsaved form would make, built as the public page is.

The context comes from the same code as the public page's (pages.page_content and
pages.content_context) and renders with the same template; only the rows come from the form.
Nothing here saves, so nothing is cached or recorded in a history.
"""

from __future__ import annotations

import math
from collections import defaultdict

from django.utils import timezone

from . import pages
from .models import Page, Section


def unsaved_sections(formsets) -> list[Section]:
    """The sections a validated page form holds: its rows and any it adds, less those it deletes."""
    return [
        form.instance
        for formset in formsets
        for form in formset.forms
        if form not in formset.deleted_forms and (form.instance.pk or form.has_changed())
    ]


def _position(section: Section) -> tuple:
    # A section added in the form has order 0 until it is saved, when django-admin-sortable2
    # numbers it after the others: the preview puts it last too.
    if section.pk is None and section.order <= 0:
        return (math.inf, 0)
    return (section.order, section.pk or math.inf)


def unsaved_page_context(page: Page, sections: list[Section]) -> dict:
    """The public page's template context for a page and sections as the form holds them.

    As in a staff preview, drafts are shown and marked.
    """
    page.render_html()
    saved = [section.pk for section in sections if section.pk]
    highlights = defaultdict(list)
    for highlight in pages.visible_highlights(preview=True).filter(section__in=saved):
        highlights[highlight.section_id].append(highlight)
    for section in sections:
        section.render_html()
        section.highlight_list = highlights[section.pk]
    content = pages.page_content(page, sorted(sections, key=_position), preview=True)
    return pages.content_context(content, timezone.now()) | {"unsaved": True}


def _label(form, name: str) -> str:
    return f"{form.fields[name].label}: " if name in form.fields else ""


def form_problems(form, formsets) -> list[str]:
    """Each error of a page form and its inline forms, naming the field and the section."""
    problems = [f"{_label(form, name)}{error}"
                for name, errors in form.errors.items() for error in errors]
    for formset in formsets:
        problems += formset.non_form_errors()
        kind = formset.model._meta.verbose_name.capitalize()
        for number, inline in enumerate(formset.forms, start=1):
            problems += [f"{kind} {number}: {_label(inline, name)}{error}"
                         for name, errors in inline.errors.items() for error in errors]
    return problems
