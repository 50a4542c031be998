"""The default targets (the partner's home page and the feed), and who may see or change them.

Metrics reviewers manage the targets and see the checks; editors see the checks. Checks and
their changes are evidence: nobody adds, changes or deletes them.
"""

from django.conf import settings
from django.db import migrations

from staff.groups import EDITORS, METRICS_REVIEWERS, grant

CHECKS = ["evidence.view_check", "evidence.view_headerchange"]


def seed(apps, schema_editor):
    target = apps.get_model("evidence", "ProbeTarget")
    for order, url in enumerate(["https://mysovereignty.digital/", settings.METRICS_SOURCE_URL]):
        target.objects.get_or_create(url=url, defaults={"order": order})
    grant(apps, METRICS_REVIEWERS, [
        *CHECKS, "evidence.view_probetarget", "evidence.add_probetarget",
        "evidence.change_probetarget", "evidence.delete_probetarget",
    ])
    grant(apps, EDITORS, [*CHECKS, "evidence.view_probetarget"])


class Migration(migrations.Migration):
    dependencies = [("evidence", "0001_initial"), ("staff", "0002_groups")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
