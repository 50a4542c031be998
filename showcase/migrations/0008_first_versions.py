"""Every row kept in a history gets its first version: the seeded ones had none.

Rows created by migrations are not saved through the models, so no version was recorded for
them: an editor's first change was their first version, and the plan's copy could not be
restored. A later migration that seeds rows calls `record_first_versions(apps)` too (a test
checks that every tracked row has a version after `migrate`).
"""

from django.db import migrations

from showcase.revisions import forget_first_versions, record_first_versions


def record(apps, schema_editor):
    record_first_versions(apps)


def forget(apps, schema_editor):
    forget_first_versions(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("showcase", "0007_evidence_order"),
        # Every app whose migrations seed rows kept in a history, as it stands today.
        ("metrics", "0005_frameworkservice_feed_mapping_permission"),
        ("measures", "0002_initial_links"),
        ("reports", "0001_initial"),
    ]

    operations = [migrations.RunPython(record, forget)]
