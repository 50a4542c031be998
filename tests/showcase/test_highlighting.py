"""Enforcement examples read like code: highlighted on save, in classes the site's CSS colours."""

import html
import importlib
import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from pygments.lexers import get_lexer_by_name

from showcase.highlighting import LANGUAGES
from showcase.models import EnforcementExample

pytestmark = pytest.mark.django_db

SITE_CSS = Path(__file__).resolve().parents[2] / "static" / "css" / "site.css"
SEEDED_CODE = "const users = await User.find({ tenantId }); // ✅ Enforced by architecture"


def visible_text(markup: str) -> str:
    """What a reader reads, and copies, from the markup."""
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


def test_it_highlights_an_example_into_css_classes_on_save():
    example = EnforcementExample.objects.create(title="T", code="const x = 'a'; // why")
    assert '<span class="tok-kd">const</span>' in example.code_html
    assert '<span class="tok-s1">\'a\'</span>' in example.code_html
    assert '<span class="tok-c1">// why</span>' in example.code_html
    assert "style=" not in example.code_html


def test_it_highlights_again_when_the_language_changes():
    example = EnforcementExample.objects.create(title="T", code="SELECT 1", language="text")
    assert "tok-k" not in example.code_html
    example.language = "sql"
    example.save()
    assert '<span class="tok-k">SELECT</span>' in example.code_html


def test_the_enforcement_page_shows_highlighted_code_without_javascript(client):
    page = client.get("/enforcement/").content.decode()
    assert (
        '<pre class="code" tabindex="0" aria-label="Tenant Isolation (Architectural): '
        'JavaScript code"><code class="language-javascript"><span class="tok-c1">'
    ) in page
    example = EnforcementExample.objects.get(title="Tenant Isolation (Architectural)")
    assert example.code_html in page


def test_the_marks_fonts_lack_keep_their_characters_so_code_copies_as_written():
    example = EnforcementExample.objects.create(title="T", code=SEEDED_CODE)
    assert '<span class="glyph glyph-check"><span class="glyph-text">✅</span></span>' in (
        example.code_html
    )
    assert visible_text(example.code_html) == SEEDED_CODE


def test_the_seeded_examples_read_exactly_as_typed():
    for example in EnforcementExample.objects.all():
        assert visible_text(example.code_html) == example.code
        assert example.language == "javascript"


@pytest.mark.parametrize(("name", "label"), LANGUAGES)
def test_every_language_offered_is_one_pygments_knows(name, label):
    assert get_lexer_by_name(name)


def test_a_language_pygments_is_not_offered_is_refused():
    example = EnforcementExample(title="T", code="x", language="klingon")
    with pytest.raises(ValidationError, match="not a valid choice"):
        example.full_clean()


def test_the_admin_offers_the_languages_as_a_choice(staff_client):
    example = EnforcementExample.objects.first()
    page = staff_client.get(f"/admin/showcase/enforcementexample/{example.pk}/change/")
    assert '<select name="language"' in page.content.decode()
    assert '<option value="sql">SQL</option>' in page.content.decode()


@pytest.mark.parametrize(
    ("typed", "kept"), [("javascript", "javascript"), ("JS", "javascript"), ("sh", "bash"),
                        ("postgresql", "text"), ("klingon", "text")]
)
def test_the_migration_maps_a_typed_language_to_a_choice(typed, kept):
    migration = importlib.import_module("showcase.migrations.0006_example_highlighting")
    assert migration.known_language(typed) == kept


def luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: str, other: str) -> float:
    high, low = sorted((luminance(one), luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_every_code_colour_meets_wcag_aa_on_the_code_background():
    css = SITE_CSS.read_text()
    background = re.search(r"^\.code \{ background: (#[0-9a-f]{6})", css, re.M).group(1)
    colours = re.findall(r"^\.code [^{]*\{[^}]*?color: (#[0-9a-f]{6})", css, re.M)
    assert len(colours) >= 10
    assert [c for c in colours if contrast(c, background) < 4.5] == []
