"""What an upload goes through before it is kept: type and size checks, then its metadata
(EXIF, GPS, comments, colour-profile blobs) dropped by re-encoding the pixels alone, and its
responsive renditions made: WebP always, AVIF where this Pillow can write it.

Images are decoded by Pillow, never trusted by name; SVG is refused: it can carry scripts and
links, and no sanitiser we would trust is at hand (export it as PNG instead).
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image as PILImage
from PIL import ImageOps, UnidentifiedImageError, features

MB = 1024 * 1024
MAX_BYTES = 10 * MB
MAX_PIXELS = 40_000_000  # e.g. 8000 × 5000; decompression bombs stop here
ACCEPTED = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "png"}
# Rendition widths in CSS pixels × density that phones and desktops ask for; none is larger
# than the upload itself.
WIDTHS = (320, 640, 960, 1280, 1920)
FORMATS = {"avif": "AVIF", "webp": "WEBP"}
QUALITY = {"avif": 55, "webp": 78, "jpg": 82}


def can_write(kind: str) -> bool:
    return features.check(kind)


def _reject_svg(upload) -> None:
    upload.seek(0)
    head = upload.read(512).lstrip().lower()
    upload.seek(0)
    if upload.name.lower().endswith((".svg", ".svgz")) or head.startswith((b"<?xml", b"<svg")):
        raise ValidationError(
            "SVG images are not accepted: they can carry scripts, and the site has no SVG "
            "sanitiser. Export it as PNG and upload that."
        )


def open_upload(upload) -> PILImage.Image:
    """The upload as an image Pillow decoded, or a ValidationError saying why not."""
    if upload.size > MAX_BYTES:
        raise ValidationError(
            f"The image is {upload.size / MB:.1f} MB; the limit is {MAX_BYTES // MB} MB."
        )
    _reject_svg(upload)
    try:
        upload.seek(0)
        image = PILImage.open(upload)
        if image.width * image.height > MAX_PIXELS:
            raise ValidationError(
                f"The image is {image.width} × {image.height} pixels; the limit is "
                f"{MAX_PIXELS // 1_000_000} million pixels."
            )
        if image.format not in ACCEPTED:
            raise ValidationError(
                f"{image.format} images are not accepted: upload a JPEG, PNG, WebP or GIF."
            )
        image.load()
    except (UnidentifiedImageError, OSError, PILImage.DecompressionBombError) as error:
        raise ValidationError("This file is not an image the site can read: upload a JPEG, "
                              "PNG, WebP or GIF.") from error
    finally:
        upload.seek(0)
    return image


def _pixels(image: PILImage.Image) -> PILImage.Image:
    """Its pixels upright, in a mode every format here writes, with no metadata at all."""
    upright = ImageOps.exif_transpose(image)
    alpha = upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info
    plain = upright.convert("RGBA" if alpha else "RGB")
    plain.info = {}
    return plain


def _encode(image: PILImage.Image, kind: str) -> bytes:
    buffer = io.BytesIO()
    pillow_format = {"jpg": "JPEG", "png": "PNG"}.get(kind) or FORMATS[kind]
    options = {"quality": QUALITY[kind]} if kind in QUALITY else {"optimize": True}
    if kind == "avif":
        options["speed"] = 8  # of 0 (slowest) to 10: an upload answers in seconds
    image.save(buffer, pillow_format, exif=b"", **options)
    return buffer.getvalue()


@dataclass(frozen=True)
class Processed:
    original: ContentFile  # the upload re-encoded without metadata
    width: int
    height: int
    renditions: dict[str, list[tuple[int, str]]]  # kind -> [(width, storage name)]


def process(upload) -> Processed:
    """Clean the upload and write its renditions to the default storage."""
    image = _pixels(open_upload(upload))
    fallback = "png" if image.mode == "RGBA" else "jpg"
    original = _encode(image, fallback)
    folder = f"images/{hashlib.sha256(original).hexdigest()[:16]}"
    widest = min(image.width, WIDTHS[-1])
    widths = [w for w in WIDTHS if w < widest] + [widest]
    kinds = [kind for kind in FORMATS if can_write(kind)] + [fallback]
    renditions: dict[str, list[tuple[int, str]]] = {kind: [] for kind in kinds}
    for width in widths:
        height = round(image.height * width / image.width)
        resized = image if width == image.width else image.resize((width, height),
                                                                  PILImage.Resampling.LANCZOS)
        for kind in kinds:
            name = default_storage.save(f"{folder}/{width}.{kind}",
                                        ContentFile(_encode(resized, kind)))
            renditions[kind].append((width, name))
    return Processed(ContentFile(original, name=f"original.{fallback}"), image.width,
                     image.height, renditions)
