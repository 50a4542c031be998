"""The image library: each image with its alt text (or a decorative tick), caption, credit and
responsive renditions."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import models

# How a Markdown body shows an image: on a line of its own.
TAG = re.compile(r"\[\[image:(\d+)\]\]")


class Image(models.Model):
    file = models.FileField(
        upload_to="images/originals/",
        help_text="JPEG, PNG, WebP or GIF, up to 10 MB and 40 million pixels; not SVG. Its "
        "metadata (EXIF, GPS position, camera) is removed on upload.",
    )
    alt_text = models.CharField(
        "alt text", max_length=250, blank=True,
        help_text="What the image shows, for people who can't see it. Required unless the "
        "image is decorative.",
    )
    decorative = models.BooleanField(
        "decorative", default=False,
        help_text="Tick only if the image adds nothing the text doesn't say: screen readers "
        "then skip it.",
    )
    caption = models.CharField(max_length=300, blank=True, help_text="Shown under the image.")
    credit = models.CharField(max_length=200, blank=True, help_text='e.g. "Photo: A. Person"')
    width = models.PositiveIntegerField(editable=False, default=0)
    height = models.PositiveIntegerField(editable=False, default=0)
    renditions = models.JSONField(editable=False, default=dict)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]

    def __str__(self):
        return self.alt_text or self.caption or f"Decorative image {self.pk}"

    def clean(self):
        if self.decorative and self.alt_text:
            raise ValidationError({"alt_text": "A decorative image has no alt text: clear it, "
                                   "or untick “decorative”."})
        if not self.decorative and not self.alt_text.strip():
            raise ValidationError({"alt_text": "Describe the image for people who can't see "
                                   "it, or tick “decorative” if it adds nothing to the text."})

    @property
    def tag(self) -> str:
        return f"[[image:{self.pk}]]"

    def srcset(self, kind: str) -> str:
        return ", ".join(f"{default_storage.url(name)} {width}w"
                         for width, name in self.renditions.get(kind, []))

    @property
    def fallback(self) -> str:
        """The kind every browser shows: JPEG, or PNG for an image with transparency."""
        return next(kind for kind in ("jpg", "png") if kind in self.renditions)

    @property
    def fallback_url(self) -> str:
        return default_storage.url(self.renditions[self.fallback][-1][1])

    @property
    def thumbnail_url(self) -> str:
        return default_storage.url(self.renditions[self.fallback][0][1])
