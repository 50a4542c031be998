"""Checks on what editors upload for the video section: type by content, not by name."""

from __future__ import annotations

from django.core.exceptions import ValidationError

MB = 1024 * 1024
VIDEO_MAX_BYTES = 200 * MB
CAPTIONS_MAX_BYTES = 1 * MB
POSTER_MAX_BYTES = 2 * MB


def _head(upload, size: int = 64) -> bytes:
    upload.seek(0)
    head = upload.read(size)
    upload.seek(0)
    return head


def _check_size(upload, limit: int, what: str) -> None:
    if upload.size > limit:
        raise ValidationError(
            f"The {what} is {upload.size // MB} MB; the limit is {limit // MB} MB."
        )


def validate_video(upload) -> None:
    """An MP4 (ftyp box) or WebM (EBML header), at most 200 MB."""
    _check_size(upload, VIDEO_MAX_BYTES, "video")
    head = _head(upload)
    is_mp4 = head[4:8] == b"ftyp" and upload.name.lower().endswith(".mp4")
    is_webm = head[:4] == b"\x1a\x45\xdf\xa3" and upload.name.lower().endswith(".webm")
    if not (is_mp4 or is_webm):
        raise ValidationError("Upload an MP4 or WebM video (.mp4 or .webm).")


def validate_captions(upload) -> None:
    """A WebVTT file: UTF-8 text starting with WEBVTT."""
    _check_size(upload, CAPTIONS_MAX_BYTES, "captions file")
    head = _head(upload, 16).removeprefix(b"\xef\xbb\xbf")
    if not upload.name.lower().endswith(".vtt") or not head.startswith(b"WEBVTT"):
        raise ValidationError("Upload captions as a WebVTT file (.vtt starting with WEBVTT).")


def validate_poster(upload) -> None:
    """A PNG, JPEG or WebP image of at most 2 MB."""
    _check_size(upload, POSTER_MAX_BYTES, "poster image")
    head = _head(upload, 12)
    if not (
        head.startswith(b"\x89PNG\r\n\x1a\n")
        or head.startswith(b"\xff\xd8\xff")
        or (head[:4] == b"RIFF" and head[8:12] == b"WEBP")
    ):
        raise ValidationError("Upload the poster as a PNG, JPEG or WebP image.")
