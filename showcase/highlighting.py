"""Enforcement examples as code: Pygments highlights them once, on save, into CSS classes."""

from __future__ import annotations

from pygments import highlight as pygments_highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name

# The languages an example may be written in, by Pygments' own names (tests check that each
# names a lexer). Choices rather than free text, so a typo is refused instead of shown plain.
LANGUAGES = [
    ("javascript", "JavaScript"),
    ("typescript", "TypeScript"),
    ("python", "Python"),
    ("sql", "SQL"),
    ("json", "JSON"),
    ("http", "HTTP"),
    ("bash", "Shell (Bash)"),
    ("html", "HTML"),
    ("css", "CSS"),
    ("yaml", "YAML"),
    ("text", "Plain text"),
]

# Emoji that many fonts lack (DejaVu, all some Linux desktops have, has neither). They stay in the
# text, so copying the code copies them and screen readers name them; site.css draws a sign
# every font has in their place (see `.glyph` there).
FALLBACK_GLYPHS = {"❌": "cross", "✅": "check"}

# Classes, never inline styles: the CSP forbids those, and site.css chooses the colours.
FORMATTER = HtmlFormatter(nowrap=True, classprefix="tok-")


def highlight(code: str, language: str) -> str:
    """The code as HTML spans with token classes, for inside `<pre><code>`."""
    lexer = get_lexer_by_name(language, stripnl=False, ensurenl=False)
    html = pygments_highlight(code, lexer, FORMATTER)
    if not code.endswith("\n"):
        html = html.removesuffix("\n")  # the formatter ends every line, the last one too
    for char, name in FALLBACK_GLYPHS.items():
        html = html.replace(
            char, f'<span class="glyph glyph-{name}"><span class="glyph-text">{char}</span></span>'
        )
    return html
