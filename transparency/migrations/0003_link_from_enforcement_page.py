"""The enforcement page's "Impossible to fake" point links to the log, if editors kept its words.

The change is recorded as a version of the section, as an editor's would be, so comparing and
restoring versions in the admin still start from what visitors see.
"""

from django.db import migrations
from django.utils import timezone

from showcase.markdown import render_markdown

BEFORE = "- **Impossible to fake:** live production data\n"
AFTER = (
    "- **Impossible to fake:** live production data, in a"
    " [public transparency log](/log/) anyone can check\n"
)
REASON = "Linked to the public transparency log"


def replace(apps, old: str, new: str) -> None:
    Section = apps.get_model("showcase", "Section")
    HistoricalSection = apps.get_model("showcase", "HistoricalSection")
    for section in Section.objects.filter(body__contains=old):
        section.body = section.body.replace(old, new)
        section.body_html = render_markdown(section.body)
        section.save(update_fields=["body", "body_html"])
        HistoricalSection.objects.create(
            **{f.attname: getattr(section, f.attname) for f in Section._meta.concrete_fields},
            history_date=timezone.now(),
            history_type="~",
            history_change_reason=REASON,
        )


def link(apps, schema_editor):
    replace(apps, BEFORE, AFTER)


def unlink(apps, schema_editor):
    replace(apps, AFTER, BEFORE)


class Migration(migrations.Migration):
    dependencies = [("transparency", "0002_backfill"), ("showcase", "0009_schedule")]

    operations = [migrations.RunPython(link, unlink)]
