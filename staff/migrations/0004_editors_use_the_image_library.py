"""Editors manage the image library (images/): it holds the site's copy, as the pages do."""

from django.db import migrations

from staff.groups import EDITORS, grant

IMAGES = [f"images.{action}_image" for action in ("add", "change", "delete", "view")]


def allow(apps, schema_editor):
    grant(apps, EDITORS, IMAGES)


def disallow(apps, schema_editor):
    group = apps.get_model("auth", "Group").objects.filter(name=EDITORS).first()
    if group:
        group.permissions.remove(*group.permissions.filter(content_type__app_label="images"))


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0003_lockouts_for_superusers_only"),
        ("images", "0001_image_library"),
    ]

    operations = [migrations.RunPython(allow, disallow)]
