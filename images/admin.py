"""The image library in the admin: upload with alt text or a decorative tick, find an image's
tag, and a chooser the Markdown fields use to insert it."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.urls import path
from django.utils.html import format_html

from . import processing
from .models import TAG, Image


class ImageForm(forms.ModelForm):
    """An upload is checked with the form, so a refused file leaves nothing stored; it is
    cleaned and its renditions made when the form is saved."""

    class Meta:
        model = Image
        fields = ["file", "alt_text", "decorative", "caption", "credit"]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if "file" in self.changed_data:
            processing.open_upload(upload)
        return upload

    def save(self, commit=True):
        image = super().save(commit=False)
        if "file" in self.changed_data:
            processed = processing.process(self.cleaned_data["file"])
            image.file = processed.original
            image.width, image.height = processed.width, processed.height
            image.renditions = processed.renditions
        if commit:
            image.save()
        return image


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    form = ImageForm
    list_display = ["thumbnail", "__str__", "decorative", "tag", "size", "uploaded_at"]
    list_display_links = ["__str__"]  # the thumbnail is decorative: the name is the link
    search_fields = ["alt_text", "caption", "credit"]
    readonly_fields = ["preview", "tag", "size"]
    fields = ["preview", "file", "alt_text", "decorative", "caption", "credit", "tag", "size"]

    @admin.display(description="Image")
    def thumbnail(self, image: Image) -> str:
        if not image.renditions:
            return "—"
        return format_html('<img src="{}" alt="" width="80" class="image-thumbnail">',
                           image.thumbnail_url)

    @admin.display(description="Preview")
    def preview(self, image: Image) -> str:
        if not image.renditions:
            return "Shown here once it is uploaded."
        return format_html('<img src="{}" alt="{}" class="image-preview">',
                           image.fallback_url, image.alt_text)

    @admin.display(description="Tag for Markdown")
    def tag(self, image: Image) -> str:
        return format_html("<code>{}</code>", image.tag) if image.pk else "—"

    @admin.display(description="Size")
    def size(self, image: Image) -> str:
        return f"{image.width} × {image.height} px" if image.width else "—"

    def get_urls(self):
        return [
            path("choose/", self.admin_site.admin_view(self.choose_view),
                 name="images_image_choose"),
            *super().get_urls(),
        ]

    def choose_view(self, request):
        """The library as the Markdown fields' chooser lists it."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        return JsonResponse({"images": [
            {"tag": image.tag, "label": str(image), "thumbnail": image.thumbnail_url}
            for image in Image.objects.exclude(renditions={})
        ]})

    def get_deleted_objects(self, objs, request):
        """An image a page still shows is protected: deleting it would leave a hole."""
        deleted, counts, perms, protected = super().get_deleted_objects(objs, request)
        from showcase.links import markdown_rows

        ids = {image.pk for image in objs}
        for where, text in markdown_rows():
            used = sorted(ids & {int(pk) for pk in TAG.findall(text)})
            protected += [f"{where} shows [[image:{pk}]]" for pk in used]
        return deleted, counts, perms, protected
