import uuid

from django.core.management import call_command
from django.db import migrations, models


def first_version(apps, schema_editor):
    apps.get_model("tractatus_site", "ContentVersion").objects.create()


def durable_cache_table(apps, schema_editor):
    # The database's own cache table (CACHES["durable"]), where what changes once per snapshot
    # is kept for the database to serve when the shared cache is down.
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):

    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="ContentVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("token", models.UUIDField(default=uuid.uuid4)),
            ],
        ),
        migrations.RunPython(first_version, migrations.RunPython.noop),
        migrations.RunPython(durable_cache_table, migrations.RunPython.noop),
    ]
