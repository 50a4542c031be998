"""An index for the dashboard's 90-day history strip.

The strip groups the snapshots of the last 91 days by UTC day and reads their bypass counts;
with both columns in one index the database answers from the index alone and never reads the
snapshot rows, whose raw payload comes first and would have to be stepped over in each.

Plain SQL, valid on SQLite and PostgreSQL, so that no model change is needed for it.
"""

from django.db import migrations

INDEX = "metrics_snapshot_history_idx"


class Migration(migrations.Migration):
    dependencies = [
        ("metrics", "0002_signature_and_chain_check"),
    ]

    operations = [
        migrations.RunSQL(
            sql=f"CREATE INDEX {INDEX} ON metrics_snapshot (generated_at, bypasses)",
            reverse_sql=f"DROP INDEX {INDEX}",
        ),
    ]
