from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from metrics.api import cached_publicly
from staff.verification import is_verified_staff
from tractatus_site.addresses import absolute
from tractatus_site.methods import safe_only
from tractatus_site.pagecache import cache_public_page
from tractatus_site.parameters import is_api

from .bibtex import bibliography
from .links import next_menu_change
from .markdown import MAX_CHARS, render_checked
from .models import Citation
from .pages import page_context


@safe_only
@cache_public_page
def page(request, slug):
    """Any editor page; staff add ?preview=1 to see drafts."""
    preview = "preview" in request.GET and is_verified_staff(request)
    context = page_context(slug, preview)
    if context is None:
        raise Http404("No such page")
    response = render(request, "showcase/page.html", context)
    # Kept no longer than its own next scheduled change, nor its menu's.
    changes = [context.get("fresh_until"), next_menu_change(request.menu, timezone.now())]
    response.fresh_until = min((t for t in changes if t is not None), default=None)
    return response


@require_POST
def markdown_preview(request):
    """Editor Markdown as visitors would read it, and what of it they won't, for the admin's
    live preview (staff only: tractatus_site/urls.py serves it through the admin)."""
    text = request.POST.get("text", "")
    rendered = render_checked(text)
    too_long = [f"this text is {len(text):,} characters; a field holds at most {MAX_CHARS:,}, "
                "so it cannot be saved"] if len(text) > MAX_CHARS else []
    return JsonResponse({"html": rendered.html, "removed": rendered.removed,
                         "problems": too_long})


def not_found(request, exception):
    """The site's 404, in its own chrome (JSON on the API); it says nothing more."""
    if is_api(request):
        return JsonResponse({"error": "not found"}, status=404)
    return render(request, "404.html", status=404)


@safe_only
@cache_public_page
def robots(request):
    sitemap_url = absolute(reverse("showcase:sitemap"))
    body = f"User-agent: *\nDisallow: /admin/\nDisallow: /out/\nSitemap: {sitemap_url}\n"
    return HttpResponse(body, content_type="text/plain")


@safe_only
@cached_publicly(0)
def citations_bib(request):
    """All published citations as one BibTeX file (empty, and valid, when there are none)."""
    return _bibtex(Citation.objects.visible(), "tractatus-citations.bib")


@safe_only
@cached_publicly(0)
def citation_bib(request, key):
    return _bibtex([get_object_or_404(Citation.objects.visible(), key=key)], f"{key}.bib")


def _bibtex(citations, filename: str) -> HttpResponse:
    response = HttpResponse(
        bibliography(citations), content_type="application/x-bibtex; charset=utf-8"
    )
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
