"""Both staff groups see the incidents and their messages; nobody changes them by hand."""

from django.db import migrations

from staff.groups import EDITORS, METRICS_REVIEWERS, grant

SEE = ["alerts.view_incident", "alerts.view_delivery"]


def allow(apps, schema_editor):
    grant(apps, METRICS_REVIEWERS, SEE)
    grant(apps, EDITORS, SEE)


class Migration(migrations.Migration):
    dependencies = [("alerts", "0001_initial"), ("staff", "0002_groups")]
    operations = [migrations.RunPython(allow, migrations.RunPython.noop)]
