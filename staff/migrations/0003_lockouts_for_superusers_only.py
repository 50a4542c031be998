"""Sign-in lockouts (django-axes' access attempts and logs) are for superusers only: a group
that could delete them could lift the lockout of an account under attack, a superuser's too."""

from django.db import migrations

from staff.groups import EDITORS, METRICS_REVIEWERS, grant

AXES = ["axes.view_accessattempt", "axes.delete_accessattempt", "axes.view_accesslog"]


def revoke(apps, schema_editor):
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    codenames = [dotted.split(".")[1] for dotted in AXES]
    axes = permission_model.objects.filter(content_type__app_label="axes",
                                           codename__in=codenames)
    for group in group_model.objects.filter(name__in=[EDITORS, METRICS_REVIEWERS]):
        group.permissions.remove(*axes)


def restore(apps, schema_editor):
    for group in (EDITORS, METRICS_REVIEWERS):
        grant(apps, group, AXES)


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0002_groups"),
    ]

    operations = [migrations.RunPython(revoke, restore)]
