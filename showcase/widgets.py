"""The admin's widgets for editors' copy: newlines kept as stored, Markdown previewed, date and
time inputs named for screen readers."""

from __future__ import annotations

from django.contrib.admin.widgets import AdminSplitDateTime, AdminTextareaWidget
from django.db import models
from django.urls import reverse_lazy


class Textarea(AdminTextareaWidget):
    """The admin's textarea, returning newlines as rows keep them.

    Browsers send a textarea's newlines as \\r\\n: kept as sent, every untouched text would
    read as changed in the history the first time its form is saved.
    """

    def value_from_datadict(self, data, files, name):
        value = super().value_from_datadict(data, files, name)
        return value.replace("\r\n", "\n") if isinstance(value, str) else value


class MarkdownTextarea(Textarea):
    """A Markdown field with its rendered preview beside it, updated as the editor types.

    The script is an enhancement: without it the field is a plain textarea.
    """

    class Media:
        js = ["showcase/admin/markdown-preview.js"]
        css = {"all": ["showcase/admin/editing.css"]}

    def __init__(self, attrs=None):
        super().__init__({"data-markdown-preview": reverse_lazy("markdown-preview"),
                          "data-image-chooser": reverse_lazy("admin:images_image_choose"),
                          **(attrs or {})})


def named_date_and_time(label: str) -> AdminSplitDateTime:
    """The admin's date and time inputs, each named for its field ("go live at: date")."""
    widget = AdminSplitDateTime()
    # The field's <label> cannot point at two inputs, so each says what it is itself; the
    # formats are the site's (tractatus_site/formats/), not the browser's locale.
    widget.widgets[0].attrs.update({"aria-label": f"{label}: date (YYYY-MM-DD)",
                                    "placeholder": "YYYY-MM-DD"})
    widget.widgets[1].attrs.update({"aria-label": f"{label}: time (HH:MM, UTC)",
                                    "placeholder": "HH:MM"})
    return widget


class EditorTextareas:
    """For a ModelAdmin or inline: its text fields get these widgets, Markdown ones previewed;
    its date-and-time fields get inputs named for screen readers."""

    markdown_fields: tuple[str, ...] = ()

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.TextField) and "widget" not in kwargs:
            markdown = db_field.name in self.markdown_fields
            kwargs["widget"] = MarkdownTextarea if markdown else Textarea
        if isinstance(db_field, models.DateTimeField) and db_field.editable:
            kwargs.setdefault("widget", named_date_and_time(str(db_field.verbose_name)))
        return super().formfield_for_dbfield(db_field, request, **kwargs)
