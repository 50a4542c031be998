"""Markdown fields show their rendering as the editor types, through the pipeline used on save."""

from datetime import date

import pytest
from django.utils import timezone

from reports.models import MonthlyReport
from showcase.markdown import render_markdown
from showcase.models import EnforcementExample, EvidenceItem, Page, Section
from tests.signin import password_only, signed_in

from .admin_forms import change_form_data

pytestmark = pytest.mark.django_db

URL = "/admin/markdown-preview/"
PREVIEWED = 'data-markdown-preview="/admin/markdown-preview/"'


def test_it_renders_markdown_as_it_is_rendered_on_save(staff_client):
    text = "Some *emphasis* <script>alert(1)</script> [x](javascript:alert(1))"
    response = staff_client.post(URL, {"text": text})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    html = response.json()["html"]
    assert html == render_markdown(text)
    assert "<em>emphasis</em>" in html
    assert "<script" not in html
    assert response.json()["removed"] == [
        "the javascript: address of the link “x” (its words are kept)",
        "a <script> element and everything in it",
    ]
    assert "no-store" in response["Cache-Control"]


def test_only_staff_past_the_second_factor_get_previews(client, django_user_model):
    assert client.post(URL, {"text": "*x*"}).status_code == 302
    client.force_login(django_user_model.objects.create_user("visitor", password="pw"))
    assert client.post(URL, {"text": "*x*"}).status_code == 302
    editor = django_user_model.objects.create_superuser("e", "e@example.org", "pw")
    assert password_only(editor).post(URL, {"text": "*x*"}).status_code == 302


def test_a_preview_needs_a_post_with_the_csrf_token(django_user_model):
    editor = django_user_model.objects.create_superuser("e", "e@example.org", "pw")
    browser = signed_in(editor)
    browser.handler.enforce_csrf_checks = True  # as a browser's request is checked
    assert browser.post(URL, {"text": "*x*"}).status_code == 403
    assert browser.get(URL).status_code == 405


def test_every_markdown_field_the_admin_edits_is_previewed(staff_client):
    report = MonthlyReport.objects.create(month=date(2026, 1, 1), figures={},
                                          generated_at=timezone.now())
    about = Page.objects.get(slug="about")
    expected = {
        f"/admin/showcase/page/{about.pk}/change/": 1 + about.sections.count(),
        f"/admin/showcase/section/{about.sections.first().pk}/change/": 1,
        f"/admin/showcase/evidenceitem/{EvidenceItem.objects.first().pk}/change/": 1,
        "/admin/showcase/sitesettings/1/change/": 1,
        f"/admin/reports/monthlyreport/{report.pk}/change/": 1,
        f"/admin/showcase/enforcementexample/{EnforcementExample.objects.first().pk}/change/": 0,
    }
    for url, count in expected.items():
        page = staff_client.get(url).content.decode()
        # The inline forms' template for "Add another section" carries one more.
        templates = page.count('name="sections-__prefix__-body"')
        assert page.count(PREVIEWED) - templates == count, url
        assert ("showcase/admin/markdown-preview" in page) == bool(count), url


def test_a_text_resubmitted_untouched_is_not_a_change(staff_client):
    """Browsers send newlines as CRLF; the stored copy has LF."""
    about = Page.objects.get(slug="about")
    data = change_form_data(staff_client, f"/admin/showcase/page/{about.pk}/change/")
    data = {k: v.replace("\n", "\r\n") if isinstance(v, str) else v for k, v in data.items()}
    assert any("\r\n" in str(v) for v in data.values())
    versions = Section.history.count(), about.history.count()
    assert staff_client.post(f"/admin/showcase/page/{about.pk}/change/", data).status_code == 302
    assert (Section.history.count(), about.history.count()) == versions
