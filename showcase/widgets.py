"""The admin's text areas for editors' copy: newlines kept as stored, Markdown previewed."""

from __future__ import annotations

from django.contrib.admin.widgets import AdminTextareaWidget
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
                          **(attrs or {})})


class EditorTextareas:
    """For a ModelAdmin or inline: its text fields get these widgets, Markdown ones previewed."""

    markdown_fields: tuple[str, ...] = ()

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.TextField) and "widget" not in kwargs:
            markdown = db_field.name in self.markdown_fields
            kwargs["widget"] = MarkdownTextarea if markdown else Textarea
        return super().formfield_for_dbfield(db_field, request, **kwargs)
