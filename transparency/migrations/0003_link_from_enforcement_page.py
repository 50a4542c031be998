"""The enforcement page's "Impossible to fake" point links to the log, if editors kept its words."""

from django.db import migrations

BEFORE = "- **Impossible to fake:** live production data\n"
AFTER = (
    "- **Impossible to fake:** live production data, in a"
    " [public transparency log](/log/) anyone can check\n"
)


def link(apps, schema_editor):
    Section = apps.get_model("showcase", "Section")
    for section in Section.objects.filter(body__contains=BEFORE):
        section.body = section.body.replace(BEFORE, AFTER)
        section.save(update_fields=["body"])


def unlink(apps, schema_editor):
    Section = apps.get_model("showcase", "Section")
    for section in Section.objects.filter(body__contains=AFTER):
        section.body = section.body.replace(AFTER, BEFORE)
        section.save(update_fields=["body"])


class Migration(migrations.Migration):
    dependencies = [("transparency", "0002_backfill"), ("showcase", "0009_schedule")]

    operations = [migrations.RunPython(link, unlink)]
