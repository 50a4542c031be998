"""Images in editors' Markdown: a `[[image:N]]` tag on a line of its own becomes the image."""

from __future__ import annotations

import re

from django.template.loader import render_to_string

from .models import Image

# What Markdown makes of a tag on a line of its own, after sanitising.
BLOCK = re.compile(r"<p>\[\[image:(\d+)\]\]</p>")
# Text columns are at most 46rem wide (static/css/site.css .prose).
SIZES = "(min-width: 48rem) 46rem, 100vw"
TYPES = {"avif": "image/avif", "webp": "image/webp"}


def figure(image: Image) -> str:
    sources = [(image.srcset(kind), TYPES[kind]) for kind in TYPES if kind in image.renditions]
    return render_to_string("images/figure.html", {
        "image": image, "sources": sources, "sizes": SIZES,
        "fallback_srcset": image.srcset(image.fallback),
    }).strip()


def place_images(html: str) -> tuple[str, list[str]]:
    """The sanitised HTML with each tag replaced by its image, and what could not be placed."""
    wanted = {int(pk) for pk in BLOCK.findall(html)}
    images = Image.objects.in_bulk(wanted) if wanted else {}
    problems = [f"[[image:{pk}]]: there is no such image in the library"
                for pk in sorted(wanted - set(images))]

    def replace(match: re.Match) -> str:
        image = images.get(int(match.group(1)))
        return figure(image) if image else ""

    html = BLOCK.sub(replace, html)
    if "[[image:" in html:
        problems.append("an image tag inside a line of text: put [[image:N]] on a line of "
                        "its own")
    return html, problems
