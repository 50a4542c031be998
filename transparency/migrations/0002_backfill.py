"""Log every snapshot and audit event stored before the log existed, in the order stored.

Each snapshot is followed by the events it first delivered, as an ingest appends them. No
checkpoint is signed here: the first is signed when the log is next read or appended to.
"""

from django.db import migrations

from transparency import entries
from transparency.merkle import TileBuilder, leaf_hash

CHUNK = 5000


def backfill(apps, schema_editor):
    Snapshot = apps.get_model("metrics", "Snapshot")
    AuditEvent = apps.get_model("metrics", "AuditEvent")
    LogEntry = apps.get_model("transparency", "LogEntry")
    LogHead = apps.get_model("transparency", "LogHead")
    Tile = apps.get_model("transparency", "Tile")
    head, _ = LogHead.objects.get_or_create(pk=1)
    if head.size:
        return
    builder = TileBuilder(0, {})

    def add(rows):
        LogEntry.objects.bulk_create(rows, batch_size=1000)
        builder.add(leaf_hash(bytes(row.data)) for row in rows)
        Tile.objects.bulk_create(
            [Tile(level=lv, index=ix, hashes=h) for (lv, ix), h in builder.changed.items()],
            update_conflicts=True, unique_fields=["level", "index"], update_fields=["hashes"],
        )
        builder.changed.clear()

    snapshots = Snapshot.objects.defer("raw").order_by("pk")
    for snapshot in snapshots.iterator(chunk_size=100):
        data = entries.canonical(entries.snapshot_entry(snapshot))
        add([LogEntry(index=builder.size, data=data, snapshot_id=snapshot.pk)])
        events = AuditEvent.objects.filter(snapshot_id=snapshot.pk).order_by("pk")
        rows = []
        for event in events.iterator(chunk_size=CHUNK):
            data = entries.canonical(entries.event_entry(event, snapshot))
            rows.append(LogEntry(index=builder.size + len(rows), data=data, audit_event_id=event.pk))
            if len(rows) == CHUNK:
                add(rows)
                rows = []
        if rows:
            add(rows)
    head.size = builder.size
    head.save()


class Migration(migrations.Migration):
    dependencies = [("transparency", "0001_initial"), ("metrics", "0005_frameworkservice_feed_mapping_permission")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
