"""Images and Markdown as an editor meets them in Chromium: an upload without alt text is
refused, one with it is kept without its EXIF and shown with srcset; the chooser puts it in a
section and the live preview shows it; a script in Markdown is named in the preview and after
the save. The pages these open pass axe, and a page with an image loads nothing from another
origin."""

from __future__ import annotations

import io
import re
from urllib.parse import urlsplit

import pytest
import requests
from PIL import ExifTags
from PIL import Image as PILImage

from .test_editing import editor_state  # noqa: F401  (the signed-in editor's browser state)
from .test_forgiving_editing import Axe, axe, editor  # noqa: F401

pytestmark = pytest.mark.e2e


def phone_photo() -> bytes:
    image = PILImage.new("RGB", (1200, 800), (20, 90, 160))
    exif = PILImage.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.IFD.GPSInfo] = {ExifTags.GPS.GPSLatitudeRef: "N",
                                  ExifTags.GPS.GPSLatitude: (51.0, 30.0, 12.0)}
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def test_an_editor_uploads_an_image_and_puts_it_in_a_page(site, editor, browser, axe):  # noqa: F811
    editor.goto(site.url + "/admin/images/image/add/")
    axe.check(editor)
    editor.set_input_files("#id_file", files=[{"name": "photo.jpg", "mimeType": "image/jpeg",
                                               "buffer": phone_photo()}])
    editor.locator("input[name=_save]").click()
    assert "Describe the image for people who can't see it" in editor.locator(
        ".errorlist").first.inner_text()
    axe.check(editor)

    editor.set_input_files("#id_file", files=[{"name": "photo.jpg", "mimeType": "image/jpeg",
                                               "buffer": phone_photo()}])
    editor.fill("#id_alt_text", "Enforcement dashboard at dusk")
    editor.fill("#id_caption", "The dashboard, live.")
    editor.locator("input[name=_save]").click()
    editor.wait_for_url(re.compile(r"/admin/images/image/$"))
    axe.check(editor)
    thumbnail = editor.locator("#result_list img.image-thumbnail").first
    source = site.url + thumbnail.get_attribute("src")
    kept = PILImage.open(io.BytesIO(requests.get(source, timeout=10).content))
    assert dict(kept.getexif()) == {}

    # The chooser puts it in a section; the live preview shows it.
    editor.goto(site.url + "/admin/showcase/page/")
    editor.get_by_role("link", name="About Tractatus", exact=True).click()
    body = editor.locator("textarea[name='sections-1-body']")
    body.press("End")
    chooser = editor.locator(".image-chooser").nth(2)  # the introduction's, then sections'
    chooser.locator("summary").click()
    chooser.get_by_role("button", name=re.compile("Enforcement dashboard at dusk")).click()
    assert re.search(r"\[\[image:\d+\]\]", body.input_value())
    preview = editor.get_by_role("region", name=re.compile("Preview of Body")).nth(1)
    preview.locator("img[alt='Enforcement dashboard at dusk']").wait_for()
    axe.check(editor)

    # A script in the same body is named as it is typed, and again after the save.
    body.press("End")
    editor.keyboard.type("\n\n<script>alert(1)</script>")
    preview.locator(".markdown-removed", has_text="a <script> element and everything in it"
                    ).wait_for()
    editor.locator("input[name=_continue]").click()
    warning = editor.locator(".messagelist .warning")
    assert "visitors won't see: a <script> element and everything in it" in warning.inner_text()
    axe.check(editor)

    visitor = browser.new_context(viewport={"width": 390, "height": 844})
    page = visitor.new_page()
    origins: set[str] = set()
    page.on("request", lambda request: origins.add(urlsplit(request.url).netloc))
    page.goto(site.url + "/about/")
    img = page.locator("main figure img")
    assert img.get_attribute("alt") == "Enforcement dashboard at dusk"
    assert img.get_attribute("loading") == "lazy"
    assert img.get_attribute("width") == "1200" and img.get_attribute("height") == "800"
    assert " 320w" in img.get_attribute("srcset")
    assert page.locator("main picture source[type='image/webp']").count() == 1
    img.scroll_into_view_if_needed()
    page.wait_for_function("document.querySelector('main figure img').complete")
    assert page.evaluate("document.querySelector('main figure img').naturalWidth") > 0
    assert page.locator("main figcaption").inner_text() == "The dashboard, live."
    assert origins == {urlsplit(site.url).netloc}
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    visitor.close()

    checked = browser.new_context(bypass_csp=True)
    public = checked.new_page()
    public.goto(site.url + "/about/")
    axe.check(public)
    checked.close()
