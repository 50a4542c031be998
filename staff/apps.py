from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class StaffConfig(AppConfig):
    """Staff accounts: sign-in throttling, the second factor, groups and security events."""

    default = True
    name = "staff"
    verbose_name = "Staff accounts"

    def ready(self):
        from . import receivers  # noqa: F401  (connects the signal receivers)


class StaffAdminConfig(admin_apps.AdminConfig):
    """Django's admin, whose default site asks for the second factor."""

    default = False
    default_site = "staff.admin_site.StaffAdminSite"
