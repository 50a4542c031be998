from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from tractatus_site.pagecache import cache_public_page

from .pages import get_page, page_context, site_chrome


@cache_public_page
def page(request, slug):
    """Any editor page; staff add ?preview=1 to see drafts."""
    preview = request.user.is_staff and "preview" in request.GET
    found = get_page(slug, preview)
    if found is None:
        raise Http404("No such page")
    context = site_chrome() | page_context(found, preview)
    return render(request, "showcase/page.html", context)


def not_found(request, exception):
    """The site's 404, in its own chrome; it says what was not found, nothing more."""
    return render(request, "404.html", site_chrome(), status=404)


def robots(request):
    sitemap_url = request.build_absolute_uri(reverse("showcase:sitemap"))
    body = f"User-agent: *\nDisallow: /admin/\nSitemap: {sitemap_url}\n"
    return HttpResponse(body, content_type="text/plain")
