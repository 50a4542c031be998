"""The admin site: only staff past the second factor (staff.verification) get in."""

from django.shortcuts import redirect
from two_factor.admin import AdminSiteOTPRequired
from two_factor.utils import default_device

from .verification import is_verified_staff


class StaffAdminSite(AdminSiteOTPRequired):
    site_header = "Tractatus site administration"
    site_title = "Tractatus admin"

    # Editors come for the site's copy: its apps lead the admin home, the rest follow A to Z.
    FIRST_APPS = ("showcase", "images")

    def get_app_list(self, request, app_label=None):
        apps = super().get_app_list(request, app_label)
        first = {label: place for place, label in enumerate(self.FIRST_APPS)}
        return sorted(apps, key=lambda app: first.get(app["app_label"], len(first)))

    def has_permission(self, request):
        return is_verified_staff(request)

    def login(self, request, extra_context=None):
        """Sign in with django-two-factor-auth; staff past the password with no device enrol."""
        user = request.user
        if user.is_active and user.is_staff and not default_device(user):
            return redirect("two_factor:setup")
        return super().login(request, extra_context)
