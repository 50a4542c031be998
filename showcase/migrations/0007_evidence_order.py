"""Evidence steps and "why" lines are reordered in one admin list, by number: number them apart.

The seeded steps and lines were each numbered 10, 20, …, so the two kinds shared numbers and a
drag between equal numbers has no order to keep. Steps now come first, then the lines, each kind
in its order as before, so the page does not change.
"""

from django.db import migrations


def number_apart(apps, schema_editor):
    EvidenceItem = apps.get_model("showcase", "EvidenceItem")
    items = EvidenceItem.objects.order_by("kind", "order", "id")  # "step" sorts before "why"
    for position, item in enumerate(items, start=1):
        item.order = position * 10
        item.save(update_fields=["order"])


class Migration(migrations.Migration):
    dependencies = [("showcase", "0006_example_highlighting")]

    operations = [migrations.RunPython(number_apart, migrations.RunPython.noop)]
