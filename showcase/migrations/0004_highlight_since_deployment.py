from django.db import migrations, models

# The seeded copy typed the deployment month; from now on it comes from the feed. Only rows
# still carrying the seeded words are changed, so an editor's own wording is left alone.
TYPED_DATES = {
    "October 2024": "",
    "enforcement since deployment (October 2024)": "enforcement since deployment",
    "No degraded service since deployment (Oct 2024)": "No degraded service since deployment",
}


def date_from_feed(apps, schema_editor):
    Highlight = apps.get_model("showcase", "Highlight")
    for typed, kept in TYPED_DATES.items():
        Highlight.objects.filter(source="uptime_percent", detail=typed).update(
            detail=kept, since_deployment=True
        )


def date_typed(apps, schema_editor):
    Highlight = apps.get_model("showcase", "Highlight")
    for typed, kept in TYPED_DATES.items():
        Highlight.objects.filter(
            source="uptime_percent", detail=kept, since_deployment=True
        ).update(detail=typed)


def since_deployment_field():
    return models.BooleanField(
        default=False,
        help_text='Follow the first line with the month the feed says enforcement began, e.g. '
        '"(October 2024)". Never type that date: it comes from the feed.',
        verbose_name="counted since deployment",
    )


class Migration(migrations.Migration):

    dependencies = [
        ("showcase", "0003_comparison_citations_video"),
    ]

    operations = [
        migrations.AddField("highlight", "since_deployment", since_deployment_field()),
        migrations.AddField("historicalhighlight", "since_deployment", since_deployment_field()),
        migrations.RunPython(date_from_feed, date_typed),
    ]
