"""The staff groups: Editors (the site's copy) and Metrics reviewers (the feed's mapping).

Evidence (snapshots, ingest runs, chain checks, audit events, security events) is view-only,
and read-only in the admin for everyone. A later migration grants more the same way, e.g.
    grant(apps, EDITORS, ["showcase.view_revision"])
"""

from django.db import migrations

from staff.groups import EDITORS, METRICS_REVIEWERS, grant


def every(app_label, *models):
    return [f"{app_label}.{action}_{model}" for model in models
            for action in ("add", "change", "delete", "view")]


# Seeing and clearing sign-in lockouts, and seeing the security events.
ACCOUNTS = ["axes.view_accessattempt", "axes.delete_accessattempt", "axes.view_accesslog",
            "staff.view_securityevent"]

EDITOR_PERMISSIONS = [
    *every("showcase", "sitesettings", "navlink", "page", "section", "highlight", "video",
           "enforcementexample", "evidenceitem", "framework", "criterion", "comparisoncell",
           "citation"),
    *every("measures", "outboundlink"),
    "measures.view_dailycount",
    "reports.view_monthlyreport", "reports.change_monthlyreport",
    # The services' copy (name, unit wording, description, order, published), not the mapping.
    "metrics.view_frameworkservice", "metrics.change_frameworkservice",
    *ACCOUNTS,
]

REVIEWER_PERMISSIONS = [
    "metrics.view_frameworkservice", "metrics.add_frameworkservice",
    "metrics.delete_frameworkservice", "metrics.change_feed_mapping",
    "metrics.view_ingestrun", "metrics.view_snapshot", "metrics.view_chaincheck",
    "metrics.view_auditevent",
    *ACCOUNTS,
]


def create_groups(apps, schema_editor):
    grant(apps, EDITORS, EDITOR_PERMISSIONS)
    grant(apps, METRICS_REVIEWERS, REVIEWER_PERMISSIONS)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=[EDITORS, METRICS_REVIEWERS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("axes", "0010_accessattemptexpiration"),
        ("showcase", "0004_highlight_since_deployment"),
        ("measures", "0002_initial_links"),
        ("reports", "0001_initial"),
        ("metrics", "0005_frameworkservice_feed_mapping_permission"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
