"""Staff groups are granted permissions by migrations, through `grant` (see README)."""

from __future__ import annotations

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions

EDITORS = "Editors"
METRICS_REVIEWERS = "Metrics reviewers"


def grant(apps, group_name: str, permissions: list[str]) -> None:
    """Add "app_label.codename" permissions to a group (created if missing) in a migration.

    Django creates permissions after `migrate` (post_migrate), too late for a data migration
    on a fresh database, so the named apps' permissions are created here first.
    """
    for app_label in sorted({dotted.split(".")[0] for dotted in permissions}):
        create_permissions(global_apps.get_app_config(app_label), apps=apps, verbosity=0)
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    group, _ = group_model.objects.get_or_create(name=group_name)
    for dotted in permissions:
        app_label, codename = dotted.split(".")
        group.permissions.add(
            permission_model.objects.get(content_type__app_label=app_label, codename=codename)
        )
