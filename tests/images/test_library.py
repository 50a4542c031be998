"""The image library: alt text or a decorative tick, metadata stripped, limits held, responsive
renditions, and images in Markdown bodies."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, features
from PIL import Image as PILImage

from images import processing
from images.models import Image
from showcase.markdown import render_checked
from showcase.models import Page, Section

pytestmark = pytest.mark.django_db

ADD = "/admin/images/image/add/"


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def photo(width: int = 800, height: int = 500, kind: str = "JPEG", gps: bool = True) -> bytes:
    """A photo as a phone takes it: with its camera and where it was taken in its EXIF."""
    image = PILImage.new("RGB", (width, height), (30, 120, 200))
    exif = PILImage.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    if gps:
        exif[ExifTags.IFD.GPSInfo] = {ExifTags.GPS.GPSLatitudeRef: "N",
                                      ExifTags.GPS.GPSLatitude: (51.0, 30.0, 12.0)}
    buffer = io.BytesIO()
    image.save(buffer, kind, exif=exif)
    return buffer.getvalue()


def upload(staff_client, content: bytes, name: str = "photo.jpg", **fields):
    data = {"alt_text": "", "caption": "", "credit": "", **fields,
            "file": SimpleUploadedFile(name, content)}
    return staff_client.post(ADD, data)


def stored_files(media: Path) -> list[Path]:
    return [path for path in media.rglob("*") if path.is_file()] if media.exists() else []


def test_an_upload_without_alt_text_is_refused_and_nothing_is_stored(staff_client, media):
    page = upload(staff_client, photo()).content.decode()
    assert "Describe the image for people who can&#x27;t see it" in page
    assert not Image.objects.exists() and stored_files(media) == []


def test_a_decorative_image_needs_no_alt_text_and_may_not_have_one(staff_client):
    assert upload(staff_client, photo(), decorative="on").status_code == 302
    page = upload(staff_client, photo(), decorative="on", alt_text="A chart").content.decode()
    assert "A decorative image has no alt text" in page


def test_exif_and_gps_are_gone_from_every_file_kept(staff_client, media):
    original = photo()
    assert PILImage.open(io.BytesIO(original)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert upload(staff_client, original, alt_text="A blue square").status_code == 302
    image = Image.objects.get()
    kept = stored_files(media)
    assert len(kept) > 1
    for path in kept:
        with PILImage.open(path) as stored:
            assert dict(stored.getexif()) == {}, path
            assert b"PhoneMaker" not in path.read_bytes(), path
    assert (image.width, image.height) == (800, 500)


def test_renditions_are_webp_and_avif_where_pillow_writes_it_in_several_widths(staff_client):
    upload(staff_client, photo(2400, 1200), alt_text="Wide")
    image = Image.objects.get()
    expected = {"webp", "jpg"} | ({"avif"} if features.check("avif") else set())
    assert set(image.renditions) == expected
    assert [width for width, _ in image.renditions["webp"]] == [320, 640, 960, 1280, 1920]
    upload(staff_client, photo(500, 400), alt_text="Small")
    small = Image.objects.get(alt_text="Small")
    assert [width for width, _ in small.renditions["webp"]] == [320, 500]


def test_transparency_keeps_a_png_fallback(staff_client):
    buffer = io.BytesIO()
    PILImage.new("RGBA", (400, 300), (0, 0, 0, 0)).save(buffer, "PNG")
    upload(staff_client, buffer.getvalue(), "logo.png", alt_text="Logo")
    assert "png" in Image.objects.get().renditions


@pytest.mark.parametrize(("content", "name", "message"), [
    (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "x.svg",
     "SVG images are not accepted"),
    (b'<?xml version="1.0"?><svg/>', "x.png", "SVG images are not accepted"),
    (b"not an image at all", "x.jpg", "This file is not an image the site can read"),
])
def test_svg_and_non_images_are_refused(staff_client, media, content, name, message):
    page = upload(staff_client, content, name, alt_text="x").content.decode()
    assert message in page
    assert not Image.objects.exists() and stored_files(media) == []


def test_size_limits_hold(staff_client, monkeypatch):
    monkeypatch.setattr(processing, "MAX_BYTES", 1000)
    assert "the limit is 0 MB" in upload(staff_client, photo(), alt_text="x").content.decode()
    monkeypatch.setattr(processing, "MAX_BYTES", 10 * processing.MB)
    monkeypatch.setattr(processing, "MAX_PIXELS", 1_000_000)
    assert "the limit is 1 million pixels" in upload(
        staff_client, photo(1600, 1000), alt_text="x").content.decode()
    assert not Image.objects.exists()


@pytest.fixture
def image(staff_client, django_capture_on_commit_callbacks) -> Image:
    with django_capture_on_commit_callbacks(execute=True):  # committed, as in production
        upload(staff_client, photo(), alt_text="A blue square", caption="Blue.",
               credit="Photo: Us")
    return Image.objects.get()


def test_a_tag_in_markdown_shows_the_image_responsive_sized_and_lazy(image):
    html = render_checked(f"Before.\n\n{image.tag}\n\nAfter.").html
    figure = html[html.index("<figure"):html.index("</figure>")]
    img = re.search(r"<img [^>]+>", figure).group(0)
    assert 'alt="A blue square"' in img and 'loading="lazy"' in img
    assert 'width="800"' in img and 'height="500"' in img
    assert 'srcset="/media/images/' in img and " 320w" in img
    assert '<source type="image/webp" srcset="/media/images/' in figure
    assert "<figcaption>Blue. <span class=\"credit\">Photo: Us</span></figcaption>" in figure


def test_a_decorative_image_has_an_empty_alt(staff_client):
    upload(staff_client, photo(), decorative="on")
    assert 'alt=""' in render_checked(Image.objects.get().tag).html


def test_a_tag_that_cannot_be_placed_is_named(image):
    assert render_checked("[[image:999]]").removed == [
        "[[image:999]]: there is no such image in the library"]
    assert render_checked(f"Inline {image.tag} here").removed == [
        "an image tag inside a line of text: put [[image:N]] on a line of its own"]


def test_pages_show_an_image_as_it_is_now_and_its_files_are_served_with_our_headers(
    staff_client, client, image, django_capture_on_commit_callbacks
):
    section = Section.objects.filter(page__slug="about").first()
    section.body = f"Look:\n\n{image.tag}"
    with django_capture_on_commit_callbacks(execute=True):
        section.save()
    assert 'alt="A blue square"' in client.get("/about/").content.decode()
    url = f"/admin/images/image/{image.pk}/change/"
    with django_capture_on_commit_callbacks(execute=True):  # committed, as in production
        changed = staff_client.post(url, {"alt_text": "A square, blue", "caption": "",
                                          "credit": ""})
    assert changed.status_code == 302, changed.content.decode()[-3000:]
    page = client.get("/about/").content.decode()
    assert 'alt="A square, blue"' in page
    source = re.search(r'<img src="(/media/[^"]+)"', page).group(1)
    served = client.get(source)
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert served["Content-Security-Policy"].startswith("default-src 'self'")
    assert served["X-Content-Type-Options"] == "nosniff"


def test_an_image_a_page_shows_cannot_be_deleted(staff_client, image):
    page = Page.objects.get(slug="about")
    page.intro = f"{image.tag}"
    page.save()
    response = staff_client.post(f"/admin/images/image/{image.pk}/delete/", {"post": "yes"})
    assert f"The introduction of the page “{page}” shows [[image:{image.pk}]]" in (
        response.content.decode())
    assert Image.objects.filter(pk=image.pk).exists()


def test_the_chooser_lists_the_library(staff_client, image):
    listed = staff_client.get("/admin/images/image/choose/").json()["images"]
    assert listed == [{"tag": image.tag, "label": "A blue square",
                       "thumbnail": image.thumbnail_url}]
