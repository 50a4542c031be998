"""Editor Markdown to safe HTML: Markdown renders, nh3 keeps only a harmless subset, and what
it drops is named, so an editor is told rather than left to notice.

Kept: paragraphs, emphasis, lists, quotes, code, links (http, https, mailto and paths), tables,
headings from h2 down (a `# Heading` becomes an h2: the page's own title is its only h1), and
images from the library, each as `[[image:N]]` on a line of its own.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from html.parser import HTMLParser

import markdown as md
import nh3
from django.core.exceptions import ValidationError
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from images.rendering import place_images

# The longest Markdown text a field takes: about 15,000 words, far past any section's need,
# well inside what one request and one render handle quickly.
MAX_CHARS = 100_000

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "em", "h2", "h3", "h4", "h5", "h6", "hr", "li",
    "ol", "p", "pre", "strong", "ul", "table", "thead", "tbody", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"align"},
                      "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}
# Removed with everything inside them, not just their tags.
DROPPED_WITH_CONTENT = {"script", "style"}
# A link's destination with a scheme: Markdown may cut it at its first ")", leaving the rest.
LINK_WITH_SCHEME = re.compile(r"\]\(\s*<?\s*([a-z][a-z0-9+.-]*):", re.IGNORECASE)


class _LowerHeadings(Treeprocessor):
    def run(self, root):
        for element in root.iter("h1"):
            element.tag = "h2"


class _HeadingsBelowTitle(Extension):
    def extendMarkdown(self, md_instance):
        md_instance.treeprocessors.register(_LowerHeadings(md_instance), "lower_headings", 0)


@dataclass(frozen=True)
class Rendered:
    html: str
    removed: list[str]  # what the editor wrote that visitors will not get, one line each


def _link_end(text: str, start: int) -> int:
    """The index just past the ")" closing the destination opened at text[start] == "("."""
    depth = 0
    for index in range(start, len(text)):
        if text[index] == "(":
            depth += 1
        elif text[index] == ")":
            depth -= 1
            if depth == 0:
                return index + 1
    return len(text)


def _link_start(text: str, close: int) -> int:
    """The index of the "[" opening the link text that text[close] == "]" closes."""
    depth = 0
    for index in range(close, -1, -1):
        if text[index] == "]":
            depth += 1
        elif text[index] == "[":
            depth -= 1
            if depth == 0:
                return index
    return close


def _drop_unsafe_links(text: str) -> tuple[str, list[str]]:
    """`[words](javascript:…)` becomes its words: the whole destination goes, parentheses and
    all, so nothing of it is left behind as text."""
    removed = []
    position = 0
    while match := LINK_WITH_SCHEME.search(text, position):
        position = match.end()
        if match.group(1).lower() in URL_SCHEMES:
            continue
        close = match.start()
        start, end = _link_start(text, close), _link_end(text, close + 1)
        words = text[start + 1:close]
        removed.append(f"the {match.group(1).lower()}: address of the link “{words}” "
                       "(its words are kept)")
        text = text[:start] + words + text[end:]
        position = start
    return text, removed


class _Inventory(HTMLParser):
    """What an HTML fragment holds that the sanitiser will drop."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.dropped: Counter[str] = Counter()

    def handle_starttag(self, tag, attrs):
        if tag not in ALLOWED_TAGS:
            if tag == "img":
                self.dropped["an image (<img> or ![…](…)): insert one from the image library"] += 1
            elif tag in DROPPED_WITH_CONTENT:
                self.dropped[f"a <{tag}> element and everything in it"] += 1
            else:
                self.dropped[f"raw HTML: the <{tag}> tag (its text is kept)"] += 1
            return
        allowed = ALLOWED_ATTRIBUTES.get(tag, set())
        for name, value in attrs:
            if name not in allowed:
                self.dropped[f"the {name} attribute of <{tag}>"] += 1
            elif name == "href" and not _safe_url(value or ""):
                self.dropped[f"a link to “{value}” (only http, https, mailto and paths)"] += 1

    def handle_comment(self, data):
        self.dropped["an HTML comment"] += 1

    def lines(self) -> list[str]:
        return [f"{what} ×{count}" if count > 1 else what for what, count in self.dropped.items()]


def _safe_url(url: str) -> bool:
    scheme = re.match(r"\s*([a-z][a-z0-9+.-]*):", url, re.IGNORECASE)
    return scheme is None or scheme.group(1).lower() in URL_SCHEMES


def render_checked(text: str) -> Rendered:
    """Editor Markdown as visitors read it, and what of it they won't."""
    text, removed = _drop_unsafe_links(text or "")
    html = md.markdown(
        text,
        extensions=["fenced_code", "sane_lists", "tables", _HeadingsBelowTitle()],
        extension_configs={"tables": {"use_align_attribute": True}},
    )
    inventory = _Inventory()
    inventory.feed(html)
    inventory.close()
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    )
    # Images come from the library, built by our own template, never from the editor's HTML.
    clean, unplaced = place_images(clean)
    return Rendered(clean, removed + inventory.lines() + unplaced)


def validate_length(text: str) -> None:
    if len(text) > MAX_CHARS:
        raise ValidationError(
            f"This text is {len(text):,} characters long; a Markdown field holds at most "
            f"{MAX_CHARS:,} (about 15,000 words). Split it across sections.",
            code="too_long",
        )


def render_markdown(text: str) -> str:
    """Render editor Markdown; script, styles, event handlers and javascript: links go."""
    return render_checked(text).html
