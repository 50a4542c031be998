"""Links between editors' content and the pages they lead to: which menu items visitors see,
what points at a page, and which internal links lead to a page visitors can't open.

A link is internal when it is a path on this site (/about/) or an address under SITE_URL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models.expressions import RawSQL
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone

from .markdown import render_markdown
from .models import EvidenceItem, NavLink, Page, Section, SiteSettings

HREF = re.compile(r'<a\b[^>]*\bhref="([^"]*)"')


def internal_path(url: str) -> str | None:
    """The path of a link on this site, or None for another site's (or no) address."""
    url = url.strip()
    site = settings.SITE_URL.rstrip("/")
    if url.startswith(site + "/") or url == site:
        url = url[len(site):] or "/"
    if not url.startswith("/") or url.startswith("//"):
        return None
    return urlsplit(url).path


def page_slug(path: str) -> str | None:
    """The slug of the editor page a path is answered by, or None when it is not one."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    if match.namespace != "showcase" or match.url_name not in ("home", "page"):
        return None
    return match.kwargs.get("slug", "")


def leads_nowhere(path: str, pages: dict[str, Page], now: datetime) -> bool:
    """Whether visitors following an internal link get a 404 now."""
    try:
        resolve(path)
    except Resolver404:
        return True
    slug = page_slug(path)
    if slug is None:
        return False
    page = pages.get(slug)
    return page is None or not (page.published and page.shows_at(now))


# --- The menu ---------------------------------------------------------------------------------


def read_menu() -> list[tuple[NavLink, str | None, Page | None]]:
    """Each published menu item, with the slug and the page it leads to when it is one.

    One query: a page whose path is the item's URL as typed (/about/) comes with it; any
    other internal link to a page (an address under SITE_URL) is looked up on its own. The
    page's columns are correlated subqueries written as SQL: the same subqueries built from
    Django expressions cost several times more to build than the whole query to answer.
    """
    fields = ("slug", "published", "go_live_at", "expire_at")
    at_url = (
        f"SELECT p.{{}} FROM {Page._meta.db_table} p"  # noqa: S608 - table and column names
        " WHERE CASE WHEN p.slug = '' THEN '/' ELSE '/' || p.slug || '/' END"
        f" = {NavLink._meta.db_table}.url"
    )
    links = NavLink.objects.visible().annotate(**{
        f"page_{name}": RawSQL(  # noqa: S611 - our own table and column names, no input
            at_url.format(name), (), output_field=Page._meta.get_field(name)
        )
        for name in fields
    })
    menu = []
    for link in links:
        path = internal_path(link.url)
        slug = page_slug(path) if path else None
        page = None
        if slug is not None and link.page_slug == slug:
            page = Page(**{name: getattr(link, f"page_{name}") for name in fields})
        elif slug is not None:
            page = Page.objects.filter(slug=slug).first()
        menu.append((link, slug, page))
    return menu


def visible_menu(menu, now: datetime) -> list[NavLink]:
    """The menu as visitors see it now: no item leads to a page they can't open."""
    return [
        link for link, slug, page in menu
        if slug is None or (page is not None and page.published and page.shows_at(now))
    ]


def next_menu_change(menu, now: datetime) -> datetime | None:
    """When an item next appears or goes because its page goes live or expires."""
    moments = [t for _, _, page in menu if page is not None and page.published
               for t in page.changes_after(now)]
    return min(moments, default=None)


# --- What links where -------------------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    where: str  # e.g. "Menu item “About”", "Section “About — Why”"
    url: str
    admin_url: str


def _admin(row) -> str:
    opts = row._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[row.pk])


def every_internal_link() -> list[tuple[Link, str]]:
    """Every internal link in editors' content, with its path."""
    found: list[tuple[Link, str]] = []

    def add(where: str, url: str, row) -> None:
        path = internal_path(url)
        if path is not None:
            found.append((Link(where, url, _admin(row)), path))

    for link in NavLink.objects.all():
        add(f"Menu item “{link}”", link.url, link)
    settings_row = SiteSettings.objects.filter(pk=1).first()
    if settings_row:
        if settings_row.banner_link_url:
            add("The live banner's link", settings_row.banner_link_url, settings_row)
        for url in HREF.findall(settings_row.footer_html):
            add("The footer", url, settings_row)
    for page in Page.objects.all():
        for url in HREF.findall(page.intro_html):
            add(f"The introduction of the page “{page}”", url, page)
    for section in Section.objects.select_related("page"):
        for url in HREF.findall(section.body_html):
            add(f"Section “{section}”", url, section)
    for item in EvidenceItem.objects.all():
        for url in HREF.findall(item.text_html):
            add(f"Evidence item “{item}”", url, item)
    return found


def markdown_rows() -> list[tuple[str, str]]:
    """Every Markdown text of editors' content, with where it is."""
    rows = []
    settings_row = SiteSettings.objects.filter(pk=1).first()
    if settings_row:
        rows.append(("The footer", settings_row.footer_text))
    rows += [(f"The introduction of the page “{page}”", page.intro) for page in Page.objects.all()]
    rows += [(f"Section “{section}”", section.body)
             for section in Section.objects.select_related("page")]
    rows += [(f"Evidence item “{item}”", item.text) for item in EvidenceItem.objects.all()]
    return rows


def refresh_images(image_id: int) -> None:
    """Render again the Markdown that shows an image, now that the image has changed.

    The HTML is stored beside the Markdown; this is not an editor's change of those rows, so
    no version is recorded (the content version is replaced by the image's own save).
    """
    tag = f"[[image:{image_id}]]"
    for model, source, target in ((SiteSettings, "footer_text", "footer_html"),
                                  (Page, "intro", "intro_html"), (Section, "body", "body_html"),
                                  (EvidenceItem, "text", "text_html")):
        for pk, text in model.objects.filter(**{f"{source}__contains": tag}).values_list(
                "pk", source):
            model.objects.filter(pk=pk).update(**{target: render_markdown(text)})


def links_to(page: Page) -> list[Link]:
    """What in editors' content links to the page."""
    return [link for link, path in every_internal_link() if page_slug(path) == page.slug]


def broken_links(now: datetime | None = None) -> list[Link]:
    """Internal links that lead visitors to a 404 now (a page unpublished, expired or not live
    yet, or a path the site does not answer)."""
    now = now or timezone.now()
    pages = {page.slug: page for page in Page.objects.all()}
    return [link for link, path in every_internal_link() if leads_nowhere(path, pages, now)]
