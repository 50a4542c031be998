"""Comparison tables, citations and the video demo, as editors add them to any page."""

import bibtexparser
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from showcase.models import (
    Citation,
    ComparisonCell,
    Criterion,
    Framework,
    Page,
    Section,
    Video,
)

pytestmark = pytest.mark.django_db

MP4 = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 40
VTT = b"WEBVTT\n\n00:00.000 --> 00:02.000\nTenant isolation, enforced.\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def page():
    return Page.objects.create(
        title="Compared", slug="compared", meta_description="d", published=True
    )


def test_a_comparison_table_is_accessible_and_scrolls_on_phones(client, page):
    Section.objects.create(page=page, kind="comparison", heading="Tractatus vs. others")
    tractatus = Framework.objects.create(name="Tractatus", is_tractatus=True, order=1)
    other = Framework.objects.create(name="Policy PDF", order=2)
    enforced = Criterion.objects.create(label="Enforced by architecture", order=1)
    audited = Criterion.objects.create(label="Publicly auditable", order=2)
    ComparisonCell.objects.create(criterion=enforced, framework=tractatus, value="yes")
    ComparisonCell.objects.create(
        criterion=enforced, framework=other, value="no", note="Relies on people following it"
    )
    ComparisonCell.objects.create(criterion=audited, framework=tractatus, value="text",
                                  text="Hash-chained feed")
    body = client.get("/compared/").content.decode()
    assert 'class="table-scroll"' in body and "<caption" in body
    assert '<th scope="col" class="is-tractatus">Tractatus</th>' in body
    assert '<th scope="row">Enforced by architecture' in body
    assert ">Yes<" in body and ">No<" in body  # words, not colour alone
    assert "Relies on people following it" in body
    assert "Hash-chained feed" in body
    assert "Not assessed" in body  # Policy PDF × Publicly auditable has no cell


def test_a_text_cell_needs_its_text():
    framework = Framework.objects.create(name="X")
    criterion = Criterion.objects.create(label="Y")
    with pytest.raises(Exception, match="Type the text"):
        ComparisonCell(criterion=criterion, framework=framework, value="text").full_clean()


def make_citation(**fields):
    defaults = dict(
        key="smith2026", kind="article", authors="Smith, Ada and Lee, Bo",
        title="Architectural governance of AI", venue="Journal of AI Safety", year=2026,
        doi="10.1234/jais.2026.1",
    )
    return Citation.objects.create(**(defaults | fields))


def test_citations_are_listed_consistently_with_their_bib_links(client, page):
    Section.objects.create(page=page, kind="citations", heading="Cited by")
    make_citation()
    body = client.get("/compared/").content.decode()
    assert "Smith, Ada, Lee, Bo" in body
    assert "<cite>Architectural governance of AI</cite>" in body
    assert 'href="https://doi.org/10.1234/jais.2026.1"' in body
    assert 'href="/citations/smith2026.bib"' in body


def test_the_bibtex_export_escapes_latex_and_parses(client):
    make_citation(title="Costs & benefits: 100% of $ spent on {enforcement}_now #1 ~ ^",
                  note="A\\B")
    make_citation(key="draft2026", title="Unpublished", published=False)
    response = client.get("/citations.bib")
    assert response["Content-Type"].startswith("application/x-bibtex")
    database = bibtexparser.loads(response.content.decode())
    assert [e["ID"] for e in database.entries] == ["smith2026"]
    entry = database.entries[0]
    assert entry["ENTRYTYPE"] == "article"
    assert entry["journal"] == "Journal of AI Safety"
    assert entry["title"] == (
        r"Costs \& benefits: 100\% of \$ spent on \{enforcement\}\_now \#1 "
        r"\textasciitilde{} \textasciicircum{}"
    )
    assert entry["note"] == r"A\textbackslash{}B"
    assert entry["doi"] == "10.1234/jais.2026.1"


def test_each_citation_has_its_own_bib_and_drafts_have_none(client):
    make_citation()
    make_citation(key="draft2026", published=False)
    one = bibtexparser.loads(client.get("/citations/smith2026.bib").content.decode())
    assert [e["ID"] for e in one.entries] == ["smith2026"]
    assert client.get("/citations/draft2026.bib").status_code == 404


def test_with_no_citations_the_bib_file_is_empty_and_valid(client):
    response = client.get("/citations.bib")
    assert response.status_code == 200
    assert response.content == b""
    assert bibtexparser.loads(response.content.decode()).entries == []


@pytest.fixture
def video(page, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    section = Section.objects.create(page=page, kind="video", heading="Enforcement in action")
    return Video.objects.create(
        section=section, title="Blocking a cross-tenant query",
        file=SimpleUploadedFile("demo.mp4", MP4), captions=SimpleUploadedFile("demo.vtt", VTT),
        poster=SimpleUploadedFile("poster.png", PNG),
    )


def test_the_video_has_captions_controls_and_no_autoplay(client, video):
    body = client.get("/compared/").content.decode()
    assert "<video controls" in body
    assert "autoplay" not in body
    assert '<track kind="captions"' in body and video.captions.url in body
    assert f'poster="{video.poster.url}"' in body
    assert f'<source src="{video.file.url}" type="video/mp4">' in body
    assert video.file.url.startswith("/media/")


def test_the_video_can_be_sought_with_range_requests(client, video):
    whole = client.get(video.file.url)
    assert whole.status_code == 200
    assert whole["Accept-Ranges"] == "bytes"
    assert b"".join(whole.streaming_content) == MP4
    part = client.get(video.file.url, HTTP_RANGE="bytes=100-199")
    assert part.status_code == 206
    assert part["Content-Range"] == f"bytes 100-199/{len(MP4)}"
    assert b"".join(part.streaming_content) == MP4[100:200]
    assert "Content-Encoding" not in part
    tail = client.get(video.file.url, HTTP_RANGE="bytes=-10", HTTP_ACCEPT_ENCODING="gzip")
    assert b"".join(tail.streaming_content) == MP4[-10:]
    assert "Content-Encoding" not in tail
    beyond = client.get(video.file.url, HTTP_RANGE=f"bytes={len(MP4)}-")
    assert beyond.status_code == 416
    assert client.get("/media/../manage.py").status_code == 404


@pytest.mark.parametrize(
    ("field", "upload", "message"),
    [
        ("file", SimpleUploadedFile("demo.mp4", b"not a video at all"), "MP4 or WebM"),
        ("file", SimpleUploadedFile("demo.avi", MP4), "MP4 or WebM"),
        ("captions", SimpleUploadedFile("demo.vtt", b"1\n00:00 --> 00:01\nhi"), "WebVTT"),
        ("poster", SimpleUploadedFile("poster.png", b"GIF89a"), "PNG, JPEG or WebP"),
    ],
)
def test_uploads_are_checked_by_content(page, settings, tmp_path, field, upload, message):
    settings.MEDIA_ROOT = tmp_path
    section = Section.objects.create(page=page, kind="video")
    files = {
        "file": SimpleUploadedFile("demo.mp4", MP4),
        "captions": SimpleUploadedFile("demo.vtt", VTT),
        "poster": SimpleUploadedFile("poster.png", PNG),
    } | {field: upload}
    video = Video(section=section, title="Demo", **files)
    with pytest.raises(Exception, match=message):
        video.full_clean()


def test_the_admin_refuses_a_video_section_without_captions(staff_client, page, settings,
                                                              tmp_path):
    settings.MEDIA_ROOT = tmp_path
    section = Section.objects.create(page=page, kind="video", heading="Demo")
    url = f"/admin/showcase/section/{section.pk}/change/"
    data = {
        "page": page.pk, "kind": "video", "order": 0, "published": "on", "heading": "Demo",
        "highlights-TOTAL_FORMS": 0, "highlights-INITIAL_FORMS": 0,
        "video-TOTAL_FORMS": 1, "video-INITIAL_FORMS": 0, "video-MAX_NUM_FORMS": 1,
        "video-0-title": "Demo", "video-0-captions_language": "en",
        "video-0-file": SimpleUploadedFile("demo.mp4", MP4),
        "video-0-poster": SimpleUploadedFile("poster.png", PNG),
    }
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert not Video.objects.exists()
