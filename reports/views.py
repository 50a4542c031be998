from __future__ import annotations

from django.http import Http404
from django.shortcuts import render

from staff.verification import is_verified_staff
from tractatus_site.methods import safe_only
from tractatus_site.pagecache import cache_public_page

from .models import MonthlyReport
from .monthly import report_month


@safe_only
@cache_public_page
def index(request):
    reports = MonthlyReport.objects.filter(published=True).only(
        "month", "figures", "published_at"
    )
    return render(request, "reports/index.html", {"reports": reports})


@safe_only
@cache_public_page
def detail(request, year: int, month: int):
    """One report; staff see drafts with ?preview=1."""
    first_day = report_month(year, month)
    reports = MonthlyReport.objects.all()
    preview = "preview" in request.GET and is_verified_staff(request)
    if not preview:
        reports = reports.filter(published=True)
    report = reports.filter(month=first_day).first()
    if report is None:
        raise Http404("No such report")
    context = {"report": report, "preview": preview}
    return render(request, "reports/detail.html", context)
