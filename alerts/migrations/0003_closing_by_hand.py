"""Staff may close an incident by hand (metrics reviewers, who watch the site's health)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from staff.groups import METRICS_REVIEWERS, grant


def allow(apps, schema_editor):
    grant(apps, METRICS_REVIEWERS, ["alerts.close_incident"])


class Migration(migrations.Migration):
    dependencies = [
        ("alerts", "0002_groups"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]
    operations = [
        migrations.AlterModelOptions(
            name="incident",
            options={
                "ordering": ["-opened_at"],
                "permissions": [("close_incident", "Can close an incident by hand")],
            },
        ),
        migrations.AddField(
            model_name="incident",
            name="closed_by",
            field=models.ForeignKey(
                blank=True, help_text="Who closed it by hand; empty when it recovered on its own.",
                null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(allow, migrations.RunPython.noop),
    ]
