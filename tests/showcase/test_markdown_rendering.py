"""Markdown keeps what it can, says what it removed, and has a documented size limit."""

from __future__ import annotations

import pytest

from showcase.markdown import MAX_CHARS
from showcase.markdown import render_checked as render
from showcase.models import Page, Section

from .admin_forms import change_form_data

pytestmark = pytest.mark.django_db


def test_tables_are_kept():
    html = render("| Rule | Blocks |\n|:--|--:|\n| R1 | 4 |").html
    assert '<th align="left">Rule</th>' in html and '<td align="right">4</td>' in html


def test_a_top_level_heading_sits_below_the_pages_own_h1():
    rendered = render("# Big\n\n## Smaller\n\n###### Smallest")
    assert rendered.html == "<h2>Big</h2>\n<h2>Smaller</h2>\n<h6>Smallest</h6>"
    assert rendered.removed == []


@pytest.mark.parametrize("text", [
    '[x](javascript:alert("1"))', "[x](javascript:alert('xss'))", "[x](javascript:alert(1))",
    "[x](JaVaScript:void(0) \"t\")",
])
def test_a_javascript_link_keeps_its_words_and_leaves_nothing_stray(text):
    rendered = render(f"{text} after")
    assert rendered.html == "<p>x after</p>"
    assert rendered.removed == ["the javascript: address of the link “x” (its words are kept)"]


def test_what_a_save_drops_is_named():
    rendered = render('<img src="x" onerror="alert(1)">\n\n![a chart](/c.png)\n\n<!-- note -->\n\n'
                      '<div onclick="go()">kept</div><script>alert(1)</script>\n\n'
                      '<a href="https://ok.example" style="color:red">ok</a>')
    assert rendered.removed == [
        "an image (<img> or ![…](…)): insert one from the image library ×2",
        "an HTML comment",
        "raw HTML: the <div> tag (its text is kept)",
        "a <script> element and everything in it",
        "the style attribute of <a>",
    ]
    assert "kept" in rendered.html and "alert" not in rendered.html


def test_safe_links_are_kept_without_a_warning():
    rendered = render("[a](/about/) [b](https://example.org) [c](mailto:x@example.org) [d](#top)")
    assert rendered.removed == [] and rendered.html.count("<a href=") == 4


def test_a_save_warns_what_it_dropped(staff_client, client):
    about = Page.objects.get(slug="about")
    url = f"/admin/showcase/page/{about.pk}/change/"
    data = change_form_data(staff_client, url) | {
        "sections-0-body": "Hello <script>alert(1)</script> [x](javascript:alert(1)) there",
    }
    response = staff_client.post(url, data, follow=True)
    messages = [str(m) for m in response.context["messages"]]
    section = Section.objects.get(pk=data["sections-0-id"])
    assert (f"Body of “{section}” is saved, but visitors won't see: the javascript: address of "
            "the link “x” (its words are kept); a <script> element and everything in it."
            ) in messages
    assert "<p>Hello  x there</p>" in client.get("/about/").content.decode()


def test_a_body_past_the_limit_is_refused_with_a_clear_error_and_nothing_changes(staff_client):
    about = Page.objects.get(slug="about")
    url = f"/admin/showcase/page/{about.pk}/change/"
    before = Section.objects.get(pk=change_form_data(staff_client, url)["sections-0-id"]).body
    data = change_form_data(staff_client, url) | {"sections-0-body": "x" * 200_000}
    page = staff_client.post(url, data).content.decode()
    assert (f"This text is 200,000 characters long; a Markdown field holds at most {MAX_CHARS:,}"
            " (about 15,000 words). Split it across sections.") in page
    assert Section.objects.get(pk=data["sections-0-id"]).body == before


def test_the_live_preview_says_a_body_is_too_long(staff_client):
    response = staff_client.post("/admin/markdown-preview/", {"text": "x" * (MAX_CHARS + 1)})
    assert response.json()["problems"] == [
        f"this text is {MAX_CHARS + 1:,} characters; a field holds at most {MAX_CHARS:,}, "
        "so it cannot be saved"]
